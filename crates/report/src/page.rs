//! The printable page every HTML report shares: one stylesheet for the screen and for A4
//! paper (sections start on a new page, no chart or table row is split across pages), the
//! colour legend, and the list of full citations.

use crate::html::esc;
use crate::svg::{swatch, ADV, BLOC, OTHER};
use quadrant_metrics::brief::Citation;

/// Screen and print styles. On screen, stage blocks in a row-major grid; in print: A4, each
/// major section on a new page, stage blocks flowing down two columns, charts, stage blocks,
/// findings and table rows never broken across pages, long citation lists in small type.
const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1b1f24;font-size:15px;line-height:1.4}\
h1{font-size:1.7em;margin:.2em 0 .3em}\
h2{font-size:1.3em;border-bottom:2px solid #1b1f24;padding-bottom:.15em;margin:1.4em 0 .5em}\
h3{font-size:1.05em;margin:.9em 0 .3em}\
.sub{color:#444;margin:.2em 0}\
ol.findings,ol.events{padding-left:2em}ol.findings li{margin:.35em 0}\
.src{color:#555;font-size:.85em}\
.legend{margin:.5em 0 .8em;font-size:.9em}\
.key{margin-right:1.3em;white-space:nowrap}\
.sw{display:inline-block;width:.9em;height:.9em;margin-right:.35em;vertical-align:-.1em;border-radius:2px}\
svg.chart{max-width:100%;height:auto;display:block;margin:.5em 0 .8em}\
.stages{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:0 1.6em}\
.flow{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:0 1.6em;align-items:start}\
.stage{break-inside:avoid;margin-bottom:.8em}\
.none{font-style:italic;color:#444}\
table{border-collapse:collapse;font-size:.88em;margin:.4em 0}\
td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
table.kv th{font-weight:normal;color:#444}\
.refs li{margin:.3em 0}.entries{font-size:.82em;color:#333}\
h4{font-size:.92em;font-weight:normal;margin:.6em 0 0}\
footer{margin-top:2em;color:#555}\
@page{size:A4;margin:14mm 13mm 15mm}\
@media print{\
body{max-width:none;margin:0;padding:0;font-size:9.5pt}\
section.major{break-before:page}\
h2,h3{break-after:avoid}\
svg.chart,.stage,tr,li,.events{break-inside:avoid}\
.stages{grid-template-columns:1fr 1fr;gap:0 6mm}\
table.kv{font-size:8pt}table.kv td,table.kv th{padding:1px 4px}\
.flow{display:block;columns:2;column-gap:6mm}.stage h3{margin-top:0}\
.entries{columns:2;column-gap:6mm;font-size:6.5pt}\
a{color:inherit;text-decoration:none}}";

/// The whole page around `body`.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{CSS}</style></head><body>{body}</body></html>\n",
        esc(title)
    )
}

/// The colour key of every country chart: the bloc's members, the adversary, the others.
pub(crate) fn colour_legend(bloc: &str, adversary: &str) -> String {
    format!(
        "<div class=\"legend\">{}{}{}</div>",
        swatch(BLOC, &format!("{bloc} (members)")),
        swatch(ADV, adversary),
        swatch(OTHER, "other countries")
    )
}

/// A section listing each citation in full, then the entries of each curated file; `major`
/// starts it on a new page.
pub(crate) fn sources_section(citations: &[Citation], major: bool) -> String {
    let mut s = format!(
        "<section{}><h2>Sources</h2><p class=\"sub\">Every id printed in brackets beside a \
         figure, in full.</p><ul class=\"refs\">",
        if major { " class=\"major\"" } else { "" }
    );
    for c in citations {
        s.push_str(&format!(
            "<li id=\"src-{id}\"><b>{id}</b>: {} {} <span class=\"src\">Licence: {}.</span></li>",
            esc(&c.text),
            esc(&c.url),
            esc(&c.licence),
            id = esc(&c.id)
        ));
    }
    s.push_str("</ul>");
    for c in citations.iter().filter(|c| !c.entries.is_empty()) {
        s.push_str(&format!(
            "<h3>The entries of {} used here</h3><ol class=\"entries\">",
            esc(&c.id)
        ));
        for e in &c.entries {
            s.push_str(&format!("<li>{}</li>", esc(e)));
        }
        s.push_str("</ol>");
    }
    s.push_str("</section>");
    s
}
