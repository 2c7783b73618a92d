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

/// Lines over shared xs on linear axes (an experiment's sweep: a value
/// per client count, per window size), y from 0 to `y_max`. A value that
/// is not finite (a point that never happened) leaves a gap.
pub fn lines_svg(title: &str, x_label: &str, y_label: &str, xs: &[f64], series: &[Series], y_max: f64) -> String {
    let finite = |v: &f64| v.is_finite();
    let x_lo = xs.iter().copied().filter(finite).fold(f64::INFINITY, f64::min);
    let x_hi = xs.iter().copied().filter(finite).fold(f64::NEG_INFINITY, f64::max);
    if !(x_lo.is_finite() && x_hi.is_finite()) {
        return svg_error(title);
    }
    let pad = ((x_hi - x_lo) * 0.04).max(0.5);
    let y_max = if y_max.is_finite() && y_max > 0.0 { y_max } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 340)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(62)
            .build_cartesian_2d((x_lo - pad)..(x_hi + pad), 0.0..y_max);
        let Ok(mut chart) = chart else {
            return svg_error(title);
        };
        let _ = chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| if y_max >= 10.0 { format!("{v:.0}") } else { format!("{v:.2}") })
            .light_line_style(RGBColor(238, 241, 245))
            .draw();
        for (i, s) in series.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let pts: Vec<(f64, f64)> = xs.iter().copied().zip(s.values.iter().copied()).collect();
            // Runs of finite points, each drawn as its own line.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for p in pts {
                if p.0.is_finite() && p.1.is_finite() {
                    if let Some(r) = runs.last_mut() {
                        r.push(p);
                    }
                } else if runs.last().is_some_and(|r| !r.is_empty()) {
                    runs.push(Vec::new());
                }
            }
            let mut labelled = false;
            for r in runs.into_iter().filter(|r| !r.is_empty()) {
                let _ = chart.draw_series(r.iter().map(|p| Circle::new(*p, 3, color.filled())));
                if let Ok(a) = chart.draw_series(LineSeries::new(r, color.stroke_width(2))) {
                    if !labelled {
                        labelled = true;
                        a.label(s.label.clone()).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                        });
                    }
                }
            }
        }
        let _ = chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", 13))
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

    #[test]
    fn a_lines_chart_draws_with_its_own_labels_and_gaps_for_missing_points() {
        let s = vec![
            Series { label: "no jitter".into(), values: vec![10.0, 20.0, 40.0], total: 3 },
            Series { label: "full jitter".into(), values: vec![5.0, f64::NAN, 9.0], total: 3 },
        ];
        let svg = lines_svg("The herd", "clients", "attempts", &[50.0, 100.0, 200.0], &s, 44.0);
        assert!(svg.contains("The herd") && svg.contains("clients") && svg.contains("attempts"));
        assert!(svg.contains("no jitter") && svg.contains("full jitter"));
        assert!(!svg.contains("P(read"), "not the t-visibility axes");
        // Five points drawn: three, and two either side of the gap.
        assert_eq!(svg.matches("<circle").count(), 5, "{svg}");
        assert!(lines_svg("Empty", "x", "y", &[], &s, 1.0).contains("Could not draw"));
    }
}
