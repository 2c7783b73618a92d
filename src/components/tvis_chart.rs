//! The t-visibility chart of the PBS experiment, drawn with plotters into
//! an SVG string like [`super::chart`]'s CDFs: the probability that a read
//! started `t` ms after a write committed returns it, on a log-like t axis.

use plotters::prelude::*;

/// One curve: (t in ms, probability in 0–1) per grid point.
pub struct Curve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
}

const COLORS: &[RGBColor] = &[
    RGBColor(37, 99, 235),
    RGBColor(234, 88, 12),
    RGBColor(22, 163, 74),
    RGBColor(147, 51, 234),
];

/// Where t = 0 sits on the log axis.
const T_ZERO: f64 = 0.5;

/// Curves of P(consistent) against t, plus an optional horizontal line
/// (the closed form, which does not depend on t).
pub fn t_visibility_svg(
    title: &str,
    curves: &[Curve],
    closed_form: Option<(String, f64)>,
) -> String {
    let t_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let x_max = (t_max * 1.25).max(2.0);
    let mut keys: Vec<f64> = vec![T_ZERO];
    let mut k = 1.0;
    while k <= x_max {
        for m in [1.0, 2.0, 5.0] {
            if k * m <= x_max {
                keys.push(k * m);
            }
        }
        k *= 10.0;
    }
    let y_min = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.1))
        .chain(closed_form.iter().map(|c| c.1))
        .fold(1.0f64, f64::min);
    let y_lo = ((y_min * 10.0).floor() / 10.0 - 0.05).clamp(0.0, 0.9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 340)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 19))
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(58)
            .build_cartesian_2d((T_ZERO..x_max).log_scale().with_key_points(keys), y_lo..1.0);
        let Ok(mut chart) = chart else {
            return error_svg(title);
        };
        let _ = chart
            .configure_mesh()
            .x_desc("t: ms after the write commits")
            .y_desc("P(read sees the write)")
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .x_label_formatter(&|v| {
                if *v < 0.9 {
                    "0".into()
                } else {
                    format!("{v:.0}")
                }
            })
            .y_label_formatter(&|v| format!("{v:.2}"))
            .light_line_style(RGBColor(238, 241, 245))
            .draw();
        let at = |t: f64| if t <= 0.0 { T_ZERO } else { t.max(T_ZERO) };
        for (i, c) in curves.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let pts: Vec<(f64, f64)> = c.points.iter().map(|(t, p)| (at(*t), *p)).collect();
            let drawn = if c.dashed {
                chart.draw_series(DashedLineSeries::new(
                    pts.clone(),
                    6,
                    4,
                    color.stroke_width(2),
                ))
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            };
            if let Ok(a) = drawn {
                a.label(c.label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
            }
            let _ = chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, color.filled())));
        }
        if let Some((label, y)) = closed_form {
            let color = RGBColor(100, 116, 139);
            if let Ok(a) = chart.draw_series(DashedLineSeries::new(
                vec![(T_ZERO, y), (x_max, y)],
                4,
                4,
                color.stroke_width(2),
            )) {
                a.label(label).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            }
        }
        let _ = chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 13))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(203, 213, 225))
            .draw();
        let _ = root.present();
    }
    svg
}

fn error_svg(title: &str) -> String {
    let t = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 560 60'><text x='10' y='30'>Could not draw {t}</text></svg>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_curves_a_legend_and_the_closed_form() {
        let c = Curve {
            label: "WARS".into(),
            points: vec![(0.0, 0.6), (1.0, 0.7), (10.0, 0.95), (100.0, 1.0)],
            dashed: false,
        };
        let s = t_visibility_svg("t-visibility", &[c], Some(("closed form".into(), 0.667)));
        assert!(s.starts_with("<svg"), "{}", &s[..40.min(s.len())]);
        assert!(s.contains("WARS") && s.contains("closed form"));
    }
}
