//! Distribution charts of a Monte Carlo: each subject's P5–P95 band with its median, mean and
//! CVaR95, and the histogram of the runs with those statistics marked. Like every chart here,
//! nothing is drawn when every value is 0: the caller says so in a sentence.

use crate::html::esc;
use crate::svg::{x_grid, Axis, Units};
use quadrant_sim::montecarlo::{Histogram, Stats};

const W: f64 = 680.0;
const TOP: f64 = 26.0;
const RIGHT: f64 = 16.0;

/// Colours of the statistics, shared by the band chart, the histogram and their legends.
pub(crate) const BAND: &str = "#9ec5e8";
pub(crate) const MEDIAN: &str = "#1b1f24";
pub(crate) const MEAN: &str = "#1f6fb2";
pub(crate) const CVAR: &str = "#c0392b";

fn open(h: f64, title: &str) -> String {
    format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" \
         width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\">\
         <text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    )
}

/// Vertical grid lines, tick labels and the axis title along the bottom at `base`.
fn x_axis(
    a: &Axis,
    u: Units,
    px: &dyn Fn(f64) -> f64,
    (top, base): (f64, f64),
    title: &str,
) -> String {
    let mut s = x_grid(a, u, px, (top, base));
    s.push_str(&format!(
        "<line x1=\"{:.1}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\" stroke=\"#888\"/>\
         <text class=\"xtitle\" x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
        px(a.lo),
        px(a.hi),
        (px(a.lo) + px(a.hi)) / 2.0,
        base + 29.0,
        esc(title)
    ));
    s
}

/// Each row's P5–P95 band, median tick, mean dot and CVaR95 diamond on one axis, or `None`
/// when every statistic is 0.
pub(crate) fn bands(
    title: &str,
    x_title: &str,
    units: Units,
    rows: &[(String, &Stats)],
) -> Option<String> {
    let hi = rows
        .iter()
        .map(|(_, s)| s.p95.max(s.cvar95).max(s.mean))
        .fold(0.0f64, f64::max);
    let lo = rows.iter().map(|(_, s)| s.p5).fold(hi, f64::min).min(0.0);
    if hi <= lo {
        return None;
    }
    let a = Axis::nice(lo, hi, 6);
    let lw = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .max(6) as f64
        * 6.4
        + 10.0;
    let px = |v: f64| lw + (W - lw - RIGHT) * (v - a.lo) / (a.hi - a.lo);
    let row_h = 22.0;
    let base = TOP + row_h * rows.len() as f64;
    let mut s = x_axis(&a, units, &px, (TOP, base), x_title);
    for (i, (label, st)) in rows.iter().enumerate() {
        let y = TOP + row_h * i as f64 + row_h / 2.0;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\" fill=\"{BAND}\"/>\
             <line x1=\"{m:.1}\" y1=\"{:.1}\" x2=\"{m:.1}\" y2=\"{:.1}\" stroke=\"{MEDIAN}\" stroke-width=\"2.5\"/>\
             <circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{MEAN}\"/>\
             <path d=\"M{c:.1} {:.1} l5 5 l-5 5 l-5 -5 z\" fill=\"{CVAR}\"/>",
            lw - 6.0,
            y + 4.0,
            esc(label),
            px(st.p5),
            y - 5.0,
            (px(st.p95) - px(st.p5)).max(1.0),
            y - 8.0,
            y + 8.0,
            px(st.mean),
            y - 5.0,
            m = px(st.p50),
            c = px(st.cvar95)
        ));
    }
    Some(format!("{}{s}</svg>", open(base + 36.0, title)))
}

/// The histogram of the runs' values with the statistics marked, or `None` when every run's
/// value is 0.
pub(crate) fn histogram(
    title: &str,
    x_title: &str,
    units: Units,
    h: &Histogram,
    st: &Stats,
) -> Option<String> {
    if h.hi <= 0.0 {
        return None;
    }
    let left = 56.0;
    let a = Axis::nice(0.0, h.hi, 6);
    let most = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let ya = Axis::nice(0.0, most, 4);
    let ph = 150.0;
    let px = |v: f64| left + (W - left - RIGHT) * (v - a.lo) / (a.hi - a.lo);
    let py = |n: f64| TOP + ph * (1.0 - n / ya.hi);
    let base = TOP + ph;
    let mut s = x_axis(&a, units, &px, (TOP, base), x_title);
    for t in ya.ticks() {
        s.push_str(&format!(
            "<text class=\"ytick\" x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>\
             <line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#f0f1f3\"/>",
            left - 5.0,
            py(t) + 3.5,
            ya.label(t, 1.0, ""),
            W - RIGHT,
            y = py(t)
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{TOP}\" x2=\"{left}\" y2=\"{base}\" stroke=\"#888\"/>\
         <text class=\"ytitle\" transform=\"rotate(-90)\" x=\"{}\" y=\"14\" font-size=\"11\" text-anchor=\"middle\">runs</text>",
        -(TOP + ph / 2.0)
    ));
    let width = h.hi / h.counts.len() as f64;
    for (k, &n) in h.counts.iter().enumerate() {
        let (x0, x1) = (px(width * k as f64), px(width * (k + 1) as f64));
        s.push_str(&format!(
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#7fb3d5\"><title>{n} runs</title></rect>",
            py(n as f64),
            (x1 - x0 - 1.0).max(0.5),
            base - py(n as f64)
        ));
    }
    // Labels one under another, so that close statistics stay legible.
    for (k, (v, colour, label)) in [
        (st.p5, BAND, "P5"),
        (st.p50, MEDIAN, "P50"),
        (st.mean, MEAN, "mean"),
        (st.p95, BAND, "P95"),
        (st.cvar95, CVAR, "CVaR95"),
    ]
    .into_iter()
    .enumerate()
    {
        let x = px(v);
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{base}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9.5\" fill=\"#333\">{label}</text>",
            x + 3.0,
            TOP + 9.0 + 11.0 * k as f64
        ));
    }
    Some(format!("{}{s}</svg>", open(base + 36.0, title)))
}
