//! Back-tests and their cross-validation as tables and CSV.

use crate::text::pct;
use quadrant_sim::backtest::{BacktestCase, CvCase};
use quadrant_sim::params::PriceResponse;

/// Back-tests as a terminal table, with the price response used.
pub fn backtest_table(cases: &[BacktestCase], r: PriceResponse) -> String {
    let mut s = format!(
        "Back-tests (price response λ = {}, mean reversion ρ = {}, expectations θ = {}); prices at the observed product's stage\n",
        r.lambda, r.rho, r.theta
    );
    s.push_str(
        "  (* the network has no stage of the observed product: its last stage stands in)\n\n",
    );
    s.push_str("  event                                        fit  stage     price ×pred  ×obs  ln err  path rms  peak wk pred  obs  exports pred   obs\n");
    for c in cases {
        let name: String = c.scenario.chars().take(44).collect();
        let wk = |v: Option<f64>| v.map_or_else(|| "–".into(), |w| format!("{w:.0}"));
        s.push_str(&format!(
            "  {:<44} {:<3}  {:<9} {:>5.2} {:>5} {:>7} {:>9} {:>12} {:>4} {:>13} {:>5}\n",
            name,
            if c.fitted { "yes" } else { "no" },
            match &c.observed_stage {
                Some(o) if *o != c.stage => format!("{}*", c.stage),
                _ => c.stage.clone(),
            },
            c.predicted_price_ratio,
            c.observed_price_ratio
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "–".into()),
            c.price_log_error
                .map(|v| format!("{v:+.2}"))
                .unwrap_or_else(|| "–".into()),
            c.path_rms_log_error
                .map(|v| format!("{v:.2}"))
                .unwrap_or_else(|| "–".into()),
            wk(c.predicted_peak_week),
            wk(c.observed_peak_week),
            c.predicted_export_change
                .map(pct)
                .unwrap_or_else(|| "–".into()),
            c.observed_export_change
                .map(pct)
                .unwrap_or_else(|| "–".into()),
        ));
    }
    s
}

/// Leave-one-event-out cross-validation as a terminal table, with the goals of issue 9.
pub fn cv_table(cv: &[CvCase]) -> String {
    let mut s = String::from(
        "Leave-one-event-out cross-validation: each event predicted with (λ, ρ, θ) fitted on the others; band = 10th-90th percentile over bootstrap refits\n\n",
    );
    s.push_str("  left out                                     ×obs  ×pred  80% band      ln err  path rms  peak wk err  fit (λ, ρ, θ)\n");
    let (mut se, mut n, mut within4, mut inband) = (0.0, 0, 0, 0);
    for c in cv {
        let k = &c.case;
        let name: String = k.scenario.chars().take(44).collect();
        let e = k.price_log_error;
        if let Some(e) = e {
            se += e * e;
            n += 1;
        }
        let wk = k.peak_week_error();
        within4 += usize::from(wk.is_some_and(|w| w.abs() <= 4.0));
        inband += usize::from(c.peak_in_band() == Some(true));
        let r = c.fit.response;
        s.push_str(&format!(
            "  {:<44} {:>5} {:>6.2}  {:>5.2}-{:<6.2} {:>7} {:>9} {:>12}  ({}, {}, {})\n",
            name,
            k.observed_price_ratio
                .map_or_else(|| "–".into(), |v| format!("{v:.2}")),
            k.predicted_price_ratio,
            c.peak_band.0,
            c.peak_band.1,
            e.map_or_else(|| "–".into(), |v| format!("{v:+.2}")),
            k.path_rms_log_error
                .map_or_else(|| "–".into(), |v| format!("{v:.2}")),
            wk.map_or_else(|| "–".into(), |v| format!("{v:+.0}")),
            r.lambda,
            r.rho,
            r.theta
        ));
    }
    let rms = if n > 0 {
        (se / n as f64).sqrt()
    } else {
        f64::NAN
    };
    s.push_str(&format!(
        "\n  out-of-sample RMS log error at the peak: {rms:.2} (goal ≤ 0.40)\n  peak week within 4 weeks: {within4} of {} (goal: all)\n  observed peak inside the 80% band: {inband} of {} (goal ≥ 70%)\n",
        cv.len(),
        cv.len()
    ));
    s
}

/// Cross-validation as CSV, one row per left-out event.
pub fn cv_csv(cv: &[CvCase]) -> String {
    let mut s = String::from("scenario,material,stage,observed_price_ratio,predicted_price_ratio,band_p10,band_p90,price_log_error,path_rms_log_error,peak_week_error,lambda,rho,theta\n");
    let o = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for c in cv {
        let k = &c.case;
        let r = c.fit.response;
        s.push_str(&format!(
            "\"{}\",{},{},{},{},{},{},{},{},{},{},{},{}\n",
            k.scenario.replace('"', "\"\""),
            k.material,
            k.stage,
            o(k.observed_price_ratio),
            k.predicted_price_ratio,
            c.peak_band.0,
            c.peak_band.1,
            o(k.price_log_error),
            o(k.path_rms_log_error),
            o(k.peak_week_error()),
            r.lambda,
            r.rho,
            r.theta
        ));
    }
    s
}

/// Back-tests as CSV.
pub fn backtest_csv(cases: &[BacktestCase]) -> String {
    let mut s = String::from("scenario,material,fitted,predicted_price_ratio,observed_price_ratio,price_log_error,predicted_export_change,observed_export_change,source\n");
    let o = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for c in cases {
        s.push_str(&format!(
            "\"{}\",{},{},{},{},{},{},{},\"{}\"\n",
            c.scenario,
            c.material,
            c.fitted,
            c.predicted_price_ratio,
            o(c.observed_price_ratio),
            o(c.price_log_error),
            o(c.predicted_export_change),
            o(c.observed_export_change),
            c.source.replace('"', "\"\"")
        ));
    }
    s
}
