//! Inline SVG charts for the printable pages: axes with nice ticks (1, 2, 2.5 or 5 × 10^k),
//! axis titles that carry the unit, shaded event windows, a dashed baseline, and legends.
//! A chart that would show nothing (every series flat) is not drawn: the caller prints a
//! sentence instead.

use crate::html::esc;

/// Colour of the bloc and its members.
pub(crate) const BLOC: &str = "#1f6fb2";
/// Colour of the adversary.
pub(crate) const ADV: &str = "#c0392b";
/// Colour of every other country.
pub(crate) const OTHER: &str = "#9aa5b1";
/// Line colours for members and stages: no blue (the bloc's) and no red (the adversary's).
pub(crate) const COLOURS: [&str; 7] = [
    "#27ae60", "#8e44ad", "#d68910", "#5d6d7e", "#16a085", "#7d6608", "#6c3483",
];

/// Chart width in CSS pixels (an A4 page's text width at 96 dpi is about 690).
pub(crate) const W: f64 = 680.0;
/// Left margin: tick labels and the rotated y-axis title.
const LEFT: f64 = 70.0;
/// Right margin: room for half the last tick label.
const RIGHT: f64 = 28.0;
const TOP: f64 = 26.0;

/// A step of 1, 2, 2.5 or 5 × 10^k giving at most `max_ticks` intervals over `span`.
pub(crate) fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let raw = (span / max_ticks.max(1) as f64).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// An axis from `lo` to `hi` widened to whole steps, and its ticks.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
}

impl Axis {
    /// Nice bounds around [lo, hi] with at most `max_ticks` intervals (hi > lo).
    pub(crate) fn nice(lo: f64, hi: f64, max_ticks: usize) -> Axis {
        let step = nice_step(hi - lo, max_ticks);
        Axis {
            lo: (lo / step + 1e-9).floor() * step,
            hi: (hi / step - 1e-9).ceil() * step,
            step,
        }
    }
    /// The tick values, lo to hi.
    pub(crate) fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round() as usize;
        (0..=n)
            .map(|k| {
                let v = self.lo + self.step * k as f64;
                // Snap to the step's decimals so that labels and tests see 0.3, not 0.30000004.
                (v / self.step).round() * self.step
            })
            .collect()
    }
    /// Decimals that print every tick exactly (2.5 × 10^k needs one more than its power).
    fn decimals(&self) -> usize {
        let k = self.step.log10().floor();
        let mantissa = self.step / 10f64.powf(k);
        let extra = usize::from((mantissa - 2.5).abs() < 1e-9 && k <= 0.0);
        ((-k).max(0.0) as usize) + extra
    }
    /// A tick's label: `scale` × value with the axis's decimals and thousands separators,
    /// then `suffix` (`%`, `×`).
    pub(crate) fn label(&self, v: f64, scale: f64, suffix: &str) -> String {
        let scaled = Axis {
            lo: self.lo * scale,
            hi: self.hi * scale,
            step: self.step * scale,
        };
        format!("{}{suffix}", thousands(v * scale, scaled.decimals()))
    }
}

/// `v` with `d` decimals and a comma every three digits.
pub(crate) fn thousands(v: f64, d: usize) -> String {
    let s = format!("{:.*}", d, v + 0.0);
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

/// How values print on the y axis: multiplied by `scale`, followed by `suffix`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Units {
    pub scale: f64,
    pub suffix: &'static str,
}

/// Shares printed as percentages.
pub(crate) const PERCENT: Units = Units {
    scale: 100.0,
    suffix: "%",
};
/// Quantities and indices printed as they are.
pub(crate) const PLAIN: Units = Units {
    scale: 1.0,
    suffix: "",
};

/// The time axis of a line chart.
pub(crate) enum XAxis {
    /// Weeks of a run: ticks at the given weeks with their date labels.
    Dates(Vec<(f64, String)>),
    /// Calendar years: nice integer ticks.
    Years,
}

/// One line: its label, colour, points (x, y), whether it is drawn dashed and whether each
/// point gets a dot (sparse yearly data).
pub(crate) struct Series {
    pub label: String,
    pub colour: &'static str,
    pub points: Vec<(f64, f64)>,
    pub dashed: bool,
    pub markers: bool,
}

/// A shaded stretch of the x axis with a short label (an event's number).
#[derive(Clone)]
pub(crate) struct Window {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

/// A line chart and everything drawn on it.
pub(crate) struct LineChart<'a> {
    pub title: &'a str,
    /// Width in CSS pixels (`W` across the page).
    pub width: f64,
    /// The y axis's title, with its unit (`price, × baseline`).
    pub y_title: &'a str,
    pub x_title: &'a str,
    pub x: XAxis,
    pub units: Units,
    pub series: Vec<Series>,
    /// Start the y axis at 0 (quantities) rather than at the data's range (indices).
    pub from_zero: bool,
    /// A dashed horizontal reference line and its label (the baseline price, 1×).
    pub baseline: Option<(f64, &'a str)>,
    pub windows: Vec<Window>,
}

/// The opening of a chart's SVG: scalable to the page's width.
fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\">\
         <text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\">{t}</text>",
        t = esc(title)
    )
}

/// Legend entries in rows below a chart from `y` (an empty label has none); returns the SVG
/// and the height used.
fn legend(items: &[(String, &str, bool)], y: f64, width: f64) -> (String, f64) {
    let mut s = String::new();
    let (mut x, mut row) = (LEFT, 0.0);
    for (label, colour, dashed) in items.iter().filter(|i| !i.0.is_empty()) {
        let w = 30.0 + 6.2 * label.chars().count() as f64;
        if x + w > width && x > LEFT {
            x = LEFT;
            row += 16.0;
        }
        let ly = y + row;
        s.push_str(&format!(
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"3\"{}/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            ly - 4.0,
            x + 18.0,
            ly - 4.0,
            if *dashed { " stroke-dasharray=\"4 3\"" } else { "" },
            x + 22.0,
            ly,
            esc(label)
        ));
        x += w;
    }
    (s, row + 16.0)
}

/// Whether every series is flat (nothing to show): all values within 1e-9 of each other.
fn flat(series: &[Series]) -> bool {
    let mut v = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let Some(first) = v.next() else { return true };
    v.all(|y| (y - first).abs() <= 1e-9 * first.abs().max(1.0))
}

/// The line chart as SVG, or `None` when it would show nothing (no points, every series
/// flat, or a single x): the caller then says so in a sentence.
pub(crate) fn line_chart(c: &LineChart) -> Option<String> {
    if flat(&c.series) {
        return None;
    }
    let w_ = c.width;
    let (xs, ys): (Vec<f64>, Vec<f64>) = c.series.iter().flat_map(|s| s.points.clone()).unzip();
    let (x0, x1) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let (mut y0, mut y1) = (
        ys.iter().copied().fold(f64::INFINITY, f64::min),
        ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    if c.from_zero {
        y0 = y0.min(0.0);
    }
    if x1 <= x0 {
        return None;
    }
    if let Some((b, _)) = c.baseline {
        (y0, y1) = (y0.min(b), y1.max(b));
    }
    let ya = Axis::nice(y0, y1, 5);
    // The x axis spans the data; its ticks are the nice values inside it.
    let (xlo, xhi) = (x0, x1);
    let ph = 200.0;
    let px = |x: f64| LEFT + (w_ - LEFT - RIGHT) * (x - xlo) / (xhi - xlo);
    let py = |y: f64| TOP + ph * (1.0 - (y - ya.lo) / (ya.hi - ya.lo));
    let mut s = String::new();
    // Adjacent windows alternate in depth and each starts with a rule, so that they stay apart.
    for (k, w) in c.windows.iter().enumerate() {
        let (a, b) = (px(w.from.max(xlo)), px(w.to.min(xhi)));
        s.push_str(&format!(
            "<rect class=\"window\" x=\"{a:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{ph}\" fill=\"#f4d03f\" fill-opacity=\"{}\"/>\
             <line x1=\"{a:.1}\" y1=\"{TOP}\" x2=\"{a:.1}\" y2=\"{}\" stroke=\"#b7950b\" stroke-width=\"0.8\"/>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"10\" fill=\"#7d6608\">{}</text>",
            (b - a).max(1.0),
            if k % 2 == 0 { 0.2 } else { 0.36 },
            TOP + ph,
            a + 3.0,
            TOP + 11.0,
            esc(&w.label)
        ));
    }
    for t in ya.ticks() {
        s.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#e3e6ea\"/>\
             <text class=\"ytick\" x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
            w_ - RIGHT,
            LEFT - 5.0,
            py(t) + 3.5,
            ya.label(t, c.units.scale, c.units.suffix),
            y = py(t)
        ));
    }
    let xticks: Vec<(f64, String)> = match &c.x {
        XAxis::Dates(t) => t.clone(),
        XAxis::Years => {
            // Whole years only, however short the span.
            let mut a = Axis::nice(x0, x1, 8);
            a.step = a.step.max(1.0);
            a.ticks()
                .into_iter()
                .filter(|v| (x0..=x1).contains(v))
                .map(|v| (v, format!("{v:.0}")))
                .collect()
        }
    };
    let base_y = TOP + ph;
    for (x, label) in &xticks {
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{base_y}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#888\"/>\
             <text class=\"xtick\" x=\"{x:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            base_y + 4.0,
            base_y + 15.0,
            esc(label),
            x = px(*x)
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{base_y}\" x2=\"{}\" y2=\"{base_y}\" stroke=\"#888\"/>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{base_y}\" stroke=\"#888\"/>\
         <text class=\"xtitle\" x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\
         <text class=\"ytitle\" transform=\"rotate(-90)\" x=\"{}\" y=\"14\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
        w_ - RIGHT,
        (LEFT + w_ - RIGHT) / 2.0,
        base_y + 31.0,
        esc(c.x_title),
        -(TOP + ph / 2.0),
        esc(c.y_title)
    ));
    if let Some((b, label)) = c.baseline {
        s.push_str(&format!(
            "<line class=\"baseline\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#333\" stroke-dasharray=\"5 4\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            w_ - RIGHT,
            w_ - RIGHT - 2.0,
            py(b) - 3.0,
            esc(label),
            y = py(b)
        ));
    }
    for x in &c.series {
        let pts: Vec<String> = x
            .points
            .iter()
            .map(|&(a, b)| format!("{:.1},{:.1}", px(a), py(b)))
            .collect();
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{} points=\"{}\"/>",
            x.colour,
            if x.dashed {
                " stroke-dasharray=\"6 3\""
            } else {
                ""
            },
            pts.join(" ")
        ));
        if x.markers {
            for &(a, b) in &x.points {
                s.push_str(&format!(
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.6\" fill=\"{}\"/>",
                    px(a),
                    py(b),
                    x.colour
                ));
            }
        }
    }
    let items: Vec<(String, &str, bool)> = c
        .series
        .iter()
        .map(|x| (x.label.clone(), x.colour, x.dashed))
        .collect();
    let (leg, lh) = legend(&items, base_y + 52.0, w_);
    s.push_str(&leg);
    let h = base_y + 44.0 + lh;
    Some(format!("{}{s}</svg>", open(w_, h, c.title)))
}

/// One row of a bar chart: a label and its bars (value, colour), drawn one under another.
pub(crate) struct BarRow {
    pub label: String,
    pub bars: Vec<(f64, &'static str)>,
}

/// Horizontal bars of shares on a 0–100% axis titled `x_title`, `width` pixels wide.
pub(crate) fn share_bars(title: &str, x_title: &str, rows: &[BarRow], width: f64) -> String {
    let axis = Axis {
        lo: 0.0,
        hi: 1.0,
        step: 0.25,
    };
    bars_on(title, x_title, rows, width, &axis)
}

/// Vertical grid lines from `top` to `base` and the tick labels under them.
pub(crate) fn x_grid(
    a: &Axis,
    u: Units,
    px: &dyn Fn(f64) -> f64,
    (top, base): (f64, f64),
) -> String {
    let mut s = String::new();
    for t in a.ticks() {
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#e3e6ea\"/>\
             <text class=\"xtick\" x=\"{x:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            base + 3.0,
            base + 14.0,
            a.label(t, u.scale, u.suffix),
            x = px(t)
        ));
    }
    s
}

/// Horizontal bars of shares on a 0% to nice-top axis over the largest bar (small shares
/// stay legible).
pub(crate) fn share_bars_fit(title: &str, x_title: &str, rows: &[BarRow], width: f64) -> String {
    let top = rows
        .iter()
        .flat_map(|r| r.bars.iter().map(|b| b.0))
        .fold(0.0, f64::max);
    let axis = if top > 0.0 {
        Axis::nice(0.0, top.min(1.0), 5)
    } else {
        Axis::nice(0.0, 0.01, 5)
    };
    bars_on(title, x_title, rows, width, &axis)
}

/// Horizontal bars on `axis` (shares, printed as %).
fn bars_on(title: &str, x_title: &str, rows: &[BarRow], width: f64, axis: &Axis) -> String {
    let lw = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(6) as f64
        * 6.4
        + 8.0;
    let plot = width - lw - 44.0;
    let bar_h = 11.0;
    let row_h = |r: &BarRow| bar_h * r.bars.len() as f64 + 5.0;
    let plot_h: f64 = rows.iter().map(row_h).sum();
    let px = |v: f64| lw + plot * (v / axis.hi).clamp(0.0, 1.0);
    let base = TOP + plot_h;
    let mut s = x_grid(axis, PERCENT, &px, (TOP, base));
    let mut y = TOP;
    for r in rows {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            lw - 6.0,
            y + row_h(r) / 2.0 + 1.5,
            esc(&r.label)
        ));
        for (k, (v, colour)) in r.bars.iter().enumerate() {
            let by = y + bar_h * k as f64;
            let w = px(*v) - lw;
            s.push_str(&format!(
                "<rect x=\"{lw}\" y=\"{by:.1}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{} {}</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9.5\">{}</text>",
                bar_h - 1.5,
                esc(&r.label),
                crate::text::pct(*v),
                lw + w + 3.0,
                by + bar_h - 2.5,
                crate::text::pct(*v)
            ));
        }
        y += row_h(r);
    }
    s.push_str(&format!(
        "<line x1=\"{lw}\" y1=\"{TOP}\" x2=\"{lw}\" y2=\"{base}\" stroke=\"#888\"/>\
         <text class=\"xtitle\" x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
        lw + plot / 2.0,
        base + 29.0,
        esc(x_title)
    ));
    format!("{}{s}</svg>", open(width, base + 36.0, title))
}

/// A swatch and label of a legend printed in HTML beside charts.
pub(crate) fn swatch(colour: &str, label: &str) -> String {
    format!(
        "<span class=\"key\"><span class=\"sw\" style=\"background:{colour}\"></span>{}</span>",
        esc(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value is nice when it is 1, 2, 2.5 or 5 times a power of ten.
    pub(crate) fn is_nice(step: f64) -> bool {
        let m = step / 10f64.powf(step.log10().floor());
        [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .any(|n| (m - n).abs() < 1e-9)
    }

    #[test]
    fn steps_are_nice_and_cover_the_range() {
        for (lo, hi) in [
            (0.63, 8.76),
            (0.0, 56.35),
            (0.81, 4.94),
            (0.0, 1e-6),
            (0.97, 1.03),
            (0.0, 208_187.0),
            (2018.0, 2040.0),
        ] {
            let a = Axis::nice(lo, hi, 5);
            assert!(is_nice(a.step), "{lo}..{hi}: step {}", a.step);
            assert!(a.lo <= lo && a.hi >= hi, "{lo}..{hi}: {a:?}");
            let t = a.ticks();
            assert!((2..=11).contains(&t.len()), "{lo}..{hi}: {t:?}");
            for v in &t {
                assert!(
                    ((v / a.step) - (v / a.step).round()).abs() < 1e-6,
                    "{v} is not a multiple of {}",
                    a.step
                );
            }
            let labels: Vec<String> = t.iter().map(|v| a.label(*v, 1.0, "")).collect();
            let mut dedup = labels.clone();
            dedup.dedup();
            assert_eq!(labels, dedup, "{lo}..{hi}: two ticks print alike");
        }
        let a = Axis::nice(0.63, 8.76, 5);
        assert_eq!(a.ticks(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let a = Axis::nice(0.0, 0.35, 5);
        assert_eq!(
            a.ticks()
                .iter()
                .map(|v| a.label(*v, 100.0, "%"))
                .collect::<Vec<_>>(),
            ["0%", "10%", "20%", "30%", "40%"]
        );
        let a = Axis::nice(0.0, 0.22, 5);
        assert_eq!(a.label(0.05, 1.0, ""), "0.05");
        assert_eq!(Axis::nice(0.0, 10.0, 4).label(7.5, 1.0, ""), "7.5");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(208_187.0, 0), "208,187");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(-0.0, 0), "0");
    }

    #[test]
    fn a_flat_chart_is_not_drawn() {
        let chart = |v: f64| LineChart {
            title: "t",
            width: W,
            y_title: "y",
            x_title: "x",
            x: XAxis::Years,
            units: PLAIN,
            series: vec![Series {
                label: "a".into(),
                colour: BLOC,
                points: vec![(2020.0, 0.0), (2021.0, v)],
                dashed: false,
                markers: false,
            }],
            from_zero: true,
            baseline: None,
            windows: Vec::new(),
        };
        assert!(line_chart(&chart(0.0)).is_none());
        // One year of data: no time series.
        let mut one = chart(1.0);
        one.series[0].points = vec![(2024.0, 0.3), (2024.0, 0.3), (2024.0, 0.5)];
        assert!(line_chart(&one).is_none());
        assert!(line_chart(&chart(1.0)).is_some());
    }
}
