//! A time-series chart drawn as SVG markup by yew: lines over fixed-width
//! buckets, shaded bands (a breaker's open spells), and the cursor. Pure:
//! the same data draws the same chart, and clicking it asks to seek.

use yew::prelude::*;

/// One line: a value per bucket.
#[derive(Clone, PartialEq)]
pub struct Line {
    pub label: &'static str,
    /// The CSS class that colours it (`ts-offered`).
    pub class: &'static str,
    pub values: Vec<f64>,
    pub dashed: bool,
}

/// A shaded stretch of time, with its label in the legend.
#[derive(Clone, PartialEq)]
pub struct Band {
    pub from_s: f64,
    pub to_s: f64,
    pub class: &'static str,
}

const W: f64 = 640.0;
const H: f64 = 150.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// The largest finite value of any line (0 if none).
pub fn lines_max(lines: &[Line]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// A round number at or above `x` (1, 2 or 5 times a power of ten).
pub fn nice_ceil(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|v| *v >= x - 1e-9).unwrap_or(10.0 * p)
}

fn tick_step(span_s: f64) -> f64 {
    [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0]
        .into_iter()
        .find(|s| span_s / s <= 10.0)
        .unwrap_or(120.0)
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub title: AttrValue,
    /// The y axis's unit, after the numbers in its label.
    pub unit: AttrValue,
    pub bucket_s: f64,
    pub lines: Vec<Line>,
    #[prop_or_default]
    pub bands: Vec<Band>,
    /// Band classes and their legend text.
    #[prop_or_default]
    pub band_keys: Vec<(&'static str, &'static str)>,
    /// The time drawn as "now".
    pub cursor_s: f64,
    /// The x axis runs from 0 to this.
    pub span_s: f64,
    /// The y axis's top, when two charts must share one (else the data's own).
    #[prop_or_default]
    pub y_max: Option<f64>,
    /// A click on the chart: the time clicked, in seconds.
    #[prop_or_default]
    pub on_seek: Option<Callback<f64>>,
}

/// The chart.
#[function_component(TimeSeries)]
pub fn time_series(p: &Props) -> Html {
    let span = p.span_s.max(p.bucket_s);
    let x = move |t: f64| LEFT + (t / span).clamp(0.0, 1.0) * (W - LEFT - RIGHT);
    let y_max = nice_ceil(p.y_max.unwrap_or_else(|| lines_max(&p.lines)));
    let y = move |v: f64| TOP + (1.0 - (v / y_max).clamp(0.0, 1.0)) * (H - TOP - BOTTOM);
    let step = tick_step(span);
    let n_ticks = (span / step).floor() as usize;
    let xticks = (0..=n_ticks).map(|i| {
        let t = i as f64 * step;
        html! {
            <g>
                <line class="ts-grid" x1={format!("{:.1}", x(t))} x2={format!("{:.1}", x(t))} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                <text class="ts-tick" x={format!("{:.1}", x(t))} y={(H - 8.0).to_string()} text-anchor="middle">{format!("{t} s")}</text>
            </g>
        }
    });
    let yticks = [0.0, 0.5, 1.0].into_iter().map(|f| {
        let v = f * y_max;
        let label = if v >= 1000.0 {
            format!("{}k", v / 1000.0)
        } else if y_max >= 10.0 || v == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        };
        html! {
            <g>
                <line class="ts-grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{:.1}", y(v))} y2={format!("{:.1}", y(v))} />
                <text class="ts-tick" x={(LEFT - 6.0).to_string()} y={format!("{:.1}", y(v) + 4.0)} text-anchor="end">{label}</text>
            </g>
        }
    });
    let bands = p.bands.iter().map(|b| {
        let (x0, x1) = (x(b.from_s), x(b.to_s));
        html! { <rect class={classes!("ts-band", b.class)} x={format!("{x0:.1}")} y={TOP.to_string()} width={format!("{:.1}", (x1 - x0).max(1.0))} height={(H - TOP - BOTTOM).to_string()} /> }
    });
    let lines = p.lines.iter().map(|l| {
        // A step line: each bucket's value held across it; a bucket with
        // no value (no latency to show) breaks the line.
        let mut d = String::new();
        let mut open = false;
        for (i, v) in l.values.iter().enumerate() {
            let t0 = i as f64 * p.bucket_s;
            if t0 > span {
                break;
            }
            if !v.is_finite() {
                open = false;
                continue;
            }
            let t1 = (t0 + p.bucket_s).min(span);
            d.push_str(&format!("{}{:.1},{:.1} L{:.1},{:.1} ", if open { "L" } else { "M" }, x(t0), y(*v), x(t1), y(*v)));
            open = true;
        }
        html! { <path class={classes!("ts-line", l.class, l.dashed.then_some("dashed"))} d={d} /> }
    });
    let cx = x(p.cursor_s);
    let onclick = p.on_seek.clone().map(|cb| {
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()) else {
                return;
            };
            let r = el.get_bounding_client_rect();
            if r.width() <= 0.0 {
                return;
            }
            let px = (e.client_x() as f64 - r.left()) / r.width() * W;
            let t = (px - LEFT) / (W - LEFT - RIGHT) * span;
            cb.emit(t.clamp(0.0, span));
        })
    });
    let keys = p.lines.iter().map(|l| {
        html! { <span class="ts-key"><i class={classes!("ts-swatch", l.class, l.dashed.then_some("dashed"))}></i>{l.label}</span> }
    });
    let band_keys = p.band_keys.iter().map(|(c, label)| {
        html! { <span class="ts-key"><i class={classes!("ts-swatch", "band", *c)}></i>{*label}</span> }
    });
    html! {
        <figure class="ts">
            <figcaption>{p.title.clone()}<span class="ts-unit">{format!(" ({})", p.unit)}</span></figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={p.title.clone()} {onclick} class={classes!(p.on_seek.is_some().then_some("seekable"))}>
                { for bands }
                { for yticks }
                { for xticks }
                { for lines }
                <line class="ts-cursor" x1={format!("{cx:.1}")} x2={format!("{cx:.1}")} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
            </svg>
            <div class="ts-keys">{ for keys }{ for band_keys }</div>
        </figure>
    }
}
