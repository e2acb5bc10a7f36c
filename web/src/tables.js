// Concentration and dependence tables from the brief (/api/brief): every figure carries its
// source and year on hover; "Print briefing" opens the same brief as the printable page.
import { api, dataset, nameOf, citation, pct, tonnes, el, esc } from './core.js';

export async function tablesView(root, params) {
  const d = await dataset();
  const q = { bloc: params.get('bloc') || 'QUAD', adversary: params.get('adversary') || 'CHN', year: params.get('year') || '2024' };
  root.append(el(`<div class="controls">
    <label>Bloc <input name="bloc" size="8" value="${esc(q.bloc)}"></label>
    <label>Adversary <input name="adversary" size="5" value="${esc(q.adversary)}"></label>
    <label>Year <input name="year" type="number" min="1990" max="2100" value="${esc(q.year)}" style="width:6em"></label>
    <button id="reload">Show</button>
    <a class="button" id="print-brief" target="_blank" rel="noopener">Print briefing</a></div>`));
  const out = root.appendChild(el('<div></div>'));
  const print = root.querySelector('#print-brief');
  async function draw() {
    // The printable brief: `quadrant brief --format html`, rendered by the server.
    print.href = `/api/brief.html?bloc=${encodeURIComponent(q.bloc)}&adversary=${encodeURIComponent(q.adversary)}&year=${q.year}`;
    out.innerHTML = '<p class="muted">Computing the brief…</p>';
    let b;
    try {
      b = await api(`/api/brief?bloc=${encodeURIComponent(q.bloc)}&adversary=${encodeURIComponent(q.adversary)}&year=${q.year}`);
    } catch (e) {
      out.innerHTML = `<p class="error">${esc(e.message)}${e.field ? ` (field ${esc(e.field)})` : ''}</p>`;
      return;
    }
    const adv = nameOf(d, b.adversary);
    const cell = (v, src, year, fmt = pct) => `<td class="num" title="${esc(citation(d, src, year))}">${v == null ? '–' : fmt(v)}</td>`;
    const conc = [];
    const dep = [];
    for (const m of b.materials) {
      for (const s of m.stages) {
        const top = s.top[0];
        const ctl = s.control;
        conc.push(`<tr><td>${esc(m.name)}</td><td>${s.stage}</td><td class="num">${s.year}</td>
          ${cell(s.total_t, s.source, s.year, tonnes)}
          <td title="${esc(citation(d, s.source, s.year))}">${top ? `${esc(nameOf(d, top.country))} ${pct(top.share)}` : '–'}</td>
          ${cell(s.top3, s.source, s.year)}${cell(s.hhi, s.source, s.year, (x) => x.toFixed(3))}
          ${cell(s.gw_hhi_pv, `${s.source}+WGI-PV-2024`, s.year, (x) => x.toFixed(3))}
          ${cell(s.bloc_share, s.source, s.year)}${cell(s.adversary_share, s.source, s.year)}
          ${cell(ctl?.bloc_share, ctl?.source, s.year)}${cell(ctl?.adversary_share, ctl?.source, s.year)}</tr>`);
        if (s.bloc_reliance || s.origin) {
          const rel = s.bloc_reliance;
          const members = s.member_reliance.map((r) => `${esc(nameOf(d, r.country))} ${pct(r.net_import_reliance)}`).join(', ');
          const o = s.origin;
          const osrc = o?.source || '';
          dep.push(`<tr><td>${esc(m.name)}</td><td>${s.stage}</td>
            ${cell(rel?.net_import_reliance, s.reliance_source, rel?.trade_year)}
            ${cell(rel?.self_sufficiency, s.reliance_source, rel?.trade_year)}
            <td title="${esc(citation(d, s.reliance_source, rel?.trade_year))}">${members || '–'}</td>
            ${cell(o?.supply_t, osrc, o?.trade_year, tonnes)}${cell(o?.adversary_at_stage, osrc, o?.trade_year)}
            ${cell(o?.adversary_upstream, osrc, o?.trade_year)}${cell(o?.through_adversary, osrc, o?.trade_year)}</tr>`);
        }
      }
    }
    out.innerHTML = `<div class="panel"><h2>Concentration</h2>
      <p class="muted">Shares of world output; HHI on a 0–1 scale (aggregates excluded); control = home of the controlling owner (curated/ownership.toml). Hover a figure for its source and year.</p>
      <table id="concentration"><thead><tr><th>Material</th><th>Stage</th><th class="num">Year</th><th class="num">World output</th><th>Largest producer</th><th class="num">Top 3</th><th class="num">HHI</th><th class="num">HHI·WGI(PV)</th><th class="num">${esc(b.bloc)} share</th><th class="num">${esc(adv)} share</th><th class="num">${esc(b.bloc)} control</th><th class="num">${esc(adv)} control</th></tr></thead><tbody>${conc.join('')}</tbody></table></div>
      <div class="panel"><h2>Dependence</h2>
      <p class="muted">Net import reliance = (imports − exports) / apparent consumption. "Through ${esc(adv)}": share of the bloc's supply processed in ${esc(adv)} or made there from its upstream output (origin tracing).</p>
      <table id="dependence"><thead><tr><th>Material</th><th>Stage</th><th class="num">${esc(b.bloc)} import reliance</th><th class="num">Self-sufficiency</th><th>Members' reliance</th><th class="num">${esc(b.bloc)} supply</th><th class="num">Processed in ${esc(adv)}</th><th class="num">Upstream in ${esc(adv)}</th><th class="num">Through ${esc(adv)}</th></tr></thead><tbody>${dep.join('')}</tbody></table></div>`;
  }
  root.querySelector('#reload').addEventListener('click', () => {
    for (const k of Object.keys(q)) q[k] = root.querySelector(`[name=${k}]`).value;
    draw();
  });
  await draw();
}
