//! CDF charts drawn with plotters into an SVG string. The string is ours
//! (axis labels and numbers only), so it is inserted as markup.

use plotters::prelude::*;

/// A series: its label, its samples (sorted or not, NaN-free, in the x
/// unit), and how many trials there were in all (missing ones count as never).
pub use dsviz_sim::labs::experiment::Series;

const COLORS: &[RGBColor] = &[
    RGBColor(37, 99, 235),
    RGBColor(22, 163, 74),
    RGBColor(234, 88, 12),
    RGBColor(147, 51, 234),
    RGBColor(220, 38, 38),
    RGBColor(8, 145, 178),
];

/// An empirical CDF per series on a log x axis, as in the Raft paper's Figure 16.
pub fn cdf_svg(title: &str, x_label: &str, series: &[Series], x_min: f64, x_max: f64) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 340)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(54)
            .build_cartesian_2d((x_min..x_max).log_scale(), 0.0..100.0);
        let Ok(mut chart) = chart else {
            return svg_error(title);
        };
        let _ = chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("cumulative %")
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(RGBColor(238, 241, 245))
            .draw();
        for (i, s) in series.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let mut v: Vec<f64> = s.values.iter().copied().filter(|x| x.is_finite()).collect();
            dsviz_sim::sort::sort_floats(&mut v);
            let total = s.total.max(1) as f64;
            let mut pts = vec![(x_min, 0.0)];
            for (k, x) in v.iter().enumerate() {
                let x = x.clamp(x_min, x_max);
                pts.push((x, k as f64 / total * 100.0));
                pts.push((x, (k + 1) as f64 / total * 100.0));
            }
            if let Some(&(_, y)) = pts.last() {
                pts.push((x_max, y));
            }
            if let Ok(a) = chart.draw_series(LineSeries::new(pts, color.stroke_width(2))) {
                a.label(s.label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
            }
        }
        let _ = chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(203, 213, 225))
            .draw();
        let _ = root.present();
    }
    svg
}

fn svg_error(title: &str) -> String {
    format!("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 520 60'><text x='10' y='30'>Could not draw {}</text></svg>", escape(title))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_with_a_legend() {
        let s = cdf_svg(
            "t",
            "ms",
            &[Series {
                label: "150–300 ms".into(),
                values: vec![200.0, 300.0, 900.0],
                total: 4,
            }],
            100.0,
            10_000.0,
        );
        assert!(s.starts_with("<svg"), "{}", &s[..40.min(s.len())]);
        assert!(s.contains("150–300 ms"));
        assert!(s.contains("<polyline") || s.contains("<path"));
    }
}
