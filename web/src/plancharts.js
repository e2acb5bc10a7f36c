// A finished plan run (`quadrant plan … --format json`): the portfolio on the map, the funding
// matrix as a table and a heat map, the marginal value of a dollar per financier, the value of
// coordination per member, the risk–cost frontier, the price of ethics and the simulator's
// check. Every figure is read from the stored result; ids become names through the dataset.
import { dataset, planNames, nameOf, tonnes, usd, cut, el, esc, chart, PALETTE, BLOC_COLOR } from './core.js';
import { shapes, m49Of } from './map.js';

const WITHOUT = '#b8c2cc';
const WITH = BLOC_COLOR;
/** A dashed reference line (a chart's baseline). */
const dashed = (label, at) => ({
  silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#666' },
  label: { formatter: label, position: 'insideEndTop', color: '#444' }, data: [at],
});

function ready(node) {
  node.dataset.ready = '1';
}

/** Names of ids, and each project's funders. */
async function context(r) {
  const [d, n] = await Promise.all([dataset(), planNames()]);
  const fin = (id) => n.financier.get(id)?.name || id;
  const proj = (id) => r.portfolio.find((p) => p.id === id)?.name || n.project.get(id)?.name || id;
  const mat = (id) => d.materials.find((m) => m.id === id) || { name: id, basis: 't' };
  const home = (id) => n.financier.get(id)?.country || '';
  return { d, fin, home, proj, mat, country: (id) => nameOf(d, id) };
}

export async function planResult(node, run, r) {
  const cx = await context(r);
  headline(node, r, cx);
  await portfolioMap(node, r, cx);
  funding(node, r, cx);
  marginal(node, r, cx);
  if (r.coordination) coordination(node, r, cx);
  if (r.frontier.length) frontier(node, r);
  if (r.ethics) ethics(node, r, cx);
  if (r.verify.length) verify(node, r, cx);
  if (r.notes.length) node.append(el(`<div class="panel"><h2>Notes</h2><ul class="notes">${r.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></div>`));
}

function headline(node, r, cx) {
  const p = r.plan;
  const funders = new Set(r.funding.map((f) => f.financier)).size;
  node.append(el(`<div class="panel plan-head"><h2>${esc(r.name)}</h2><p class="headline">${esc(r.summary)}</p>
    <ul class="findings">
      <li>Risk as optimised falls from <b>${tonnes(r.risk_without_projects_t)}</b> to <b>${tonnes(p.risk_optimised)}</b> of shortfall a year, for <b>${usd(p.cost_usd_m_per_year)}</b> a year (annualised).</li>
      <li>${r.portfolio.length} project${r.portfolio.length === 1 ? '' : 's'} built, funded by ${funders} financier${funders === 1 ? '' : 's'}.</li>
      ${r.coordination ? `<li>Coordination is worth ${usd(r.coordination.value)} a year in the plan's objective.</li>` : ''}
      ${r.ethics ? `<li>The ethics constraints cost ${usd(r.ethics.objective_gap)} a year in the plan's objective.</li>` : ''}
    </ul>
    <p class="muted">Bloc ${esc(r.bloc)} · ${r.futures} futures of “${esc(r.scenario)}” (seed ${r.seed}) · ${r.first_year}–${r.first_year + r.horizon_years - 1} · ${r.candidates} candidates ·
    solver ${esc(p.solver)} (${esc(p.status)}${p.mip_gap ? `, gap ${p.mip_gap.toExponential(1)}` : ''}) · ${(r.seconds.futures + r.seconds.plan + r.seconds.verify).toFixed(1)} s</p></div>`));
}

/** The hosts shaded, one marker per project at its host, sized by capacity. */
async function portfolioMap(node, r, cx) {
  const { centres } = await shapes();
  const box = node.appendChild(el(`<div class="panel"><h2>The portfolio</h2><div class="row">
    <div><div id="plan-map" class="chart" style="height:440px"></div><p class="muted">Hosts shaded; a marker per project, its area in proportion to capacity (t of content a year). Hover for the project.</p></div>
    <div><table id="portfolio"><thead><tr><th>Project</th><th>Host</th><th>Stage</th><th class="num">Capacity a year</th><th class="num">Capex</th><th class="num">Start · output</th><th>Ethics</th></tr></thead><tbody>${
      r.portfolio.map((x) => `<tr><td>${esc(x.name)}</td><td>${esc(cx.country(x.host))}</td><td>${esc(cx.mat(x.material).name)} ${x.stage}</td><td class="num">${tonnes(x.capacity_t)}</td><td class="num">${usd(x.capex_usd_m)}</td><td class="num">${x.start_year} · ${x.first_output_year}</td><td>${x.flagged ? '<span class="error">flagged source</span>' : 'no flagged source'}${x.audited ? ', audited' : ''}</td></tr>`).join('')
      || '<tr><td colspan="7" class="muted">The plan builds nothing: no candidate pays for itself at this weight on risk.</td></tr>'}</tbody></table></div></div></div>`));
  const mapNode = box.querySelector('#plan-map');
  const byHost = new Map();
  for (const x of r.portfolio) byHost.set(x.host, [...(byHost.get(x.host) || []), x]);
  const maxCap = Math.max(1, ...r.portfolio.map((x) => x.capacity_t));
  const markers = [];
  for (const [host, rows] of byHost) {
    const code = m49Of(cx.d, host);
    const at = code && centres.get(code);
    if (!at) continue;
    // Several projects in one host sit on a small ring around its centre.
    rows.forEach((x, i) => {
      const a = (2 * Math.PI * i) / rows.length;
      const off = rows.length > 1 ? 2.5 : 0;
      markers.push({ name: x.name, value: [at[0] + off * Math.cos(a), at[1] + off * Math.sin(a), x.capacity_t], row: x });
    });
  }
  const funders = (id) => r.funding.filter((f) => f.candidate === id)
    .map((f) => `${esc(cx.fin(f.financier))} ${usd(f.usd_m)} (${f.instrument})`).join('<br>') || 'no funding recorded';
  const c = chart(mapNode);
  window.quadrant.charts.planMap = c;
  c.setOption({
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const x = p.data?.row;
        if (!x) return esc(p.name);
        return `<b>${esc(x.name)}</b><br>${esc(cx.country(x.host))} · ${esc(cx.mat(x.material).name)} ${x.stage}<br>capacity ${tonnes(x.capacity_t)} a year (${esc(cx.mat(x.material).basis)})<br>capex ${usd(x.capex_usd_m)} · construction from ${x.start_year}, output from ${x.first_output_year}<br><u>funded by</u><br>${funders(x.id)}`;
      },
    },
    geo: {
      map: 'world', roam: true, nameProperty: 'name', silent: false,
      itemStyle: { areaColor: '#eef0f3', borderColor: '#9aa4b1', borderWidth: 0.4 },
      emphasis: { disabled: true }, select: { disabled: true }, tooltip: { show: false },
      regions: [...byHost.keys()].map((h) => m49Of(cx.d, h)).filter(Boolean)
        .map((code) => ({ name: code, itemStyle: { areaColor: '#bcd7ef', borderColor: BLOC_COLOR, borderWidth: 1.2 } })),
    },
    series: [{
      type: 'scatter', coordinateSystem: 'geo', data: markers,
      symbolSize: (v) => 12 + 26 * Math.sqrt(v[2] / maxCap),
      itemStyle: { color: '#f4a261', borderColor: '#1d3557', borderWidth: 1.2, opacity: 0.95 },
    }],
  });
  mapNode.dataset.markers = String(markers.length);
  ready(mapNode);
}

/** Financier × project, USD m: a table with totals and a heat map. */
function funding(node, r, cx) {
  const projects = r.portfolio.map((x) => x.id);
  const cell = new Map();
  for (const f of r.funding) {
    const k = `${f.financier}|${f.candidate}`;
    const v = cell.get(k) || { usd: 0, how: [] };
    v.usd += f.usd_m;
    v.how.push(`${f.instrument} ${usd(f.usd_m)}`);
    cell.set(k, v);
  }
  const total = (fid) => r.funding.filter((f) => f.financier === fid).reduce((a, f) => a + f.usd_m, 0);
  const fins = [...new Set(r.funding.map((f) => f.financier))].sort((a, b) => total(b) - total(a));
  const rows = fins.map((fid) => `<tr><th>${esc(cx.fin(fid))}${cx.home(fid) ? ` <span class="muted">${esc(cx.country(cx.home(fid)))}</span>` : ''}</th>${projects.map((p) => {
    const v = cell.get(`${fid}|${p}`);
    return `<td class="num"${v ? ` title="${esc(v.how.join(', '))}"` : ''}>${v ? v.usd.toFixed(1) : ''}</td>`;
  }).join('')}<td class="num"><b>${total(fid).toFixed(1)}</b></td></tr>`).join('');
  const colTotals = projects.map((p) => r.funding.filter((f) => f.candidate === p).reduce((a, f) => a + f.usd_m, 0));
  const box = node.appendChild(el(`<div class="panel"><h2>Who pays what (USD m over the plan)</h2>
    <table id="funding"><thead><tr><th>Financier</th>${projects.map((p) => `<th class="num" title="${esc(cx.proj(p))}">${esc(cut(cx.proj(p), 34))}</th>`).join('')}<th class="num">Total</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="${projects.length + 2}" class="muted">No funding: the plan builds nothing.</td></tr>`}</tbody>
    ${fins.length ? `<tfoot><tr><th>Total</th>${colTotals.map((v) => `<td class="num"><b>${v.toFixed(1)}</b></td>`).join('')}<td></td></tr></tfoot>` : ''}</table>
    <div class="chart small" id="funding-heat" style="height:${Math.max(200, fins.length * 34 + 90)}px"></div></div>`));
  const heat = box.querySelector('#funding-heat');
  if (!fins.length) { heat.remove(); return; }
  const data = [];
  fins.forEach((fid, y) => projects.forEach((p, x) => {
    const v = cell.get(`${fid}|${p}`);
    if (v) data.push([x, y, v.usd]);
  }));
  const c = chart(heat);
  c.setOption({
    animation: false,
    tooltip: { formatter: (p) => `${esc(cx.fin(fins[p.value[1]]))} → ${esc(cx.proj(projects[p.value[0]]))}<br>${usd(p.value[2])}` },
    grid: { left: 230, right: 90, top: 10, bottom: 60 },
    xAxis: { type: 'category', data: projects.map((p) => cut(cx.proj(p))), splitArea: { show: true }, axisLabel: { interval: 0, rotate: projects.length > 3 ? 20 : 0 } },
    yAxis: { type: 'category', data: fins.map((f) => cut(cx.fin(f), 34)), splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(...data.map((x) => x[2])), calculable: true, orient: 'vertical', right: 0, top: 'center', text: ['USD m', ''], inRange: { color: ['#e0ecf8', '#6baed6', '#08306b'] } },
    series: [{ type: 'heatmap', data, label: { show: true, formatter: (p) => p.value[2].toFixed(0) } }],
  });
  ready(heat);
}

/** Axis ticks: plain numbers (the axis name gives the unit). */
const plain = (v) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)}k` : `${Number(v.toFixed(1))}`);

function hbar(box, sel, { labels, series, fmt, name }) {
  const n = box.querySelector(sel);
  n.style.height = `${Math.max(160, labels.length * 28 * Math.max(1, series.length * 0.7) + 70)}px`;
  const c = chart(n);
  c.setOption({
    animation: false, color: PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: fmt },
    legend: { top: 0, show: series.length > 1 },
    grid: { left: 230, right: 40, top: 30, bottom: 42 },
    xAxis: { type: 'value', name, nameLocation: 'middle', nameGap: 22, axisLabel: { formatter: plain } },
    yAxis: { type: 'category', data: labels, inverse: true },
    series: series.map((s) => ({ type: 'bar', ...s })),
  });
  ready(n);
}

/** The dual of each financier's budget, with the integer choices fixed. */
function marginal(node, r, cx) {
  const rows = r.marginal_values.map(([f, v]) => [f, Math.abs(v) < 1e-9 ? 0 : v]);
  const binding = rows.filter(([, v]) => v > 0).length;
  const box = node.appendChild(el(`<div class="panel" id="marginal-panel"><h2>What one more dollar is worth, per financier</h2>
    <p class="muted">USD of objective saved per extra USD a year of budget, the portfolio fixed (the dual of each budget); zero where a financier's budget does not bind.</p>
    ${binding ? '<div class="chart" id="marginal"></div>' : `<p>None of the ${rows.length} financiers' budgets binds: one more dollar at any of them buys nothing in this plan (what limits it is the candidates, their feed or the weight on risk, not money).</p>`}</div>`));
  if (!binding) return;
  hbar(box, '#marginal', {
    labels: rows.map(([f]) => cut(cx.fin(f), 34)), fmt: (v) => (v == null ? '–' : Number(v).toFixed(2)), name: 'USD per extra USD of budget',
    series: [{ name: 'marginal value', data: rows.map(([, v]) => v), itemStyle: { color: '#2a9d8f' } }],
  });
}

/** Pooled against national: each member's risk and the cost its financiers carry. */
function coordination(node, r, cx) {
  const c = r.coordination;
  const members = c.per_member.map((m) => cx.country(m.member));
  const national = c.national_portfolios.map(([m, ids]) => `<li><b>${esc(cx.country(m))}</b>: ${ids.length ? ids.map((id) => esc(cx.proj(id))).join('; ') : 'nothing'}</li>`).join('');
  const box = node.appendChild(el(`<div class="panel"><h2>The value of coordination: one pooled plan against ${members.length} national plans</h2>
    <p class="headline">Pooled: risk ${tonnes(c.pooled_risk_t)} a year for ${usd(c.pooled_cost_usd_m)} a year; the national plans together: risk ${tonnes(c.national_risk_t)} for ${usd(c.national_cost_usd_m)}. Coordination is worth ${usd(c.value)} a year in the plan's objective.</p>
    <div class="row"><div><h3>Each member's expected shortfall (t a year)</h3><div class="chart small" id="coord-risk"></div></div>
    <div><h3>Annualised cost its financiers carry (USD m a year)</h3><div class="chart small" id="coord-cost"></div></div></div>
    <h3>National portfolios</h3><ul>${national}</ul></div>`));
  const bars = (sel, a, b, fmt, unit) => hbar(box, sel, {
    labels: members, fmt, name: unit,
    series: [{ name: 'national plan', data: c.per_member.map(a), itemStyle: { color: WITHOUT } }, { name: 'pooled plan', data: c.per_member.map(b), itemStyle: { color: WITH } }],
  });
  bars('#coord-risk', (m) => m.risk_national_t, (m) => m.risk_pooled_t, (v) => tonnes(v), 't a year');
  bars('#coord-cost', (m) => Math.max(0, m.cost_national_usd_m), (m) => Math.max(0, m.cost_pooled_usd_m), (v) => usd(v), 'USD m a year');
}

/** Least cost for each risk target, with the plan chosen and the risk with no project. */
function frontier(node, r) {
  const pts = r.frontier.filter((p) => p.cost_usd_m_per_year != null);
  const missed = r.frontier.filter((p) => p.cost_usd_m_per_year == null).map((p) => tonnes(p.target));
  const box = node.appendChild(el(`<div class="panel"><h2>Risk against cost: the frontier</h2>
    <p class="muted">The least annualised cost that meets each risk target${missed.length ? `; no plan meets ${missed.join(', ')}` : ''}. The dashed line is the risk with no project built.</p>
    <div class="chart" id="frontier"></div></div>`));
  const n = box.querySelector('#frontier');
  const c = chart(n);
  c.setOption({
    animation: false,
    tooltip: { trigger: 'item', formatter: (p) => `${esc(p.seriesName)}<br>risk ${tonnes(p.value[0])} a year<br>cost ${usd(p.value[1])} a year` },
    legend: { top: 0 },
    grid: { left: 80, right: 40, top: 36, bottom: 50 },
    // From zero to past the risk with no project, so that the dashed baseline is on the chart.
    xAxis: { type: 'value', name: 'risk as optimised, t a year', nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: plain }, min: 0, max: (e) => Math.max(e.max, r.risk_without_projects_t) * 1.08 },
    yAxis: { type: 'value', name: 'USD m a year', axisLabel: { formatter: plain } },
    series: [
      { name: 'frontier', type: 'line', data: pts.map((p) => [p.risk, p.cost_usd_m_per_year]).sort((a, b) => a[0] - b[0]), symbolSize: 8, color: '#2a9d8f',
        markLine: dashed('no project', { xAxis: r.risk_without_projects_t }) },
      { name: 'the plan', type: 'scatter', data: [[r.plan.risk_optimised, r.plan.cost_usd_m_per_year]], symbolSize: 16, symbol: 'diamond', color: '#e76f51' },
    ],
  });
  ready(n);
}

function ethics(node, r, cx) {
  const e = r.ethics;
  const same = e.portfolio_without.length === r.portfolio.length && e.portfolio_without.every((id) => r.portfolio.some((p) => p.id === id));
  node.append(el(`<div class="panel" id="ethics"><h2>The price of ethics</h2>
    <table><thead><tr><th></th><th class="num">Annualised cost</th><th class="num">Risk as optimised</th></tr></thead><tbody>
    <tr><td>With the ethics constraints</td><td class="num">${usd(e.cost_with_usd_m)}</td><td class="num">${tonnes(e.risk_with_t)} a year</td></tr>
    <tr><td>Without them</td><td class="num">${usd(e.cost_without_usd_m)}</td><td class="num">${tonnes(e.risk_without_t)} a year</td></tr></tbody></table>
    <p>The constraints cost <b>${usd(e.objective_gap)}</b> a year in the plan's objective. ${same ? 'Without them the plan builds the same projects.' : `Without them the plan would build: ${e.portfolio_without.map((id) => esc(cx.proj(id))).join('; ') || 'nothing'}.`}</p></div>`));
}

/** The planner's prediction against the simulator's Monte Carlo, with and without. */
function verify(node, r, cx) {
  const rows = r.verify.map((v) => `<tr><td>${esc(cx.mat(v.material).name)}</td><td class="num">${tonnes(v.planner_without_t)}</td><td class="num">${tonnes(v.planner_with_t)}</td><td class="num">${tonnes(v.sim_without_t)}</td><td class="num">${tonnes(v.sim_with_t)}</td><td class="num">${tonnes(v.sim_p95_without_t)}</td><td class="num">${tonnes(v.sim_p95_with_t)}</td><td class="num">${v.futures_worse}</td></tr>`).join('');
  const box = node.appendChild(el(`<div class="panel" id="verify"><h2>Checked by the simulator</h2>
    <p class="muted">The portfolio as capacity coming online in the simulator, run on the same ${r.futures} futures with and without it: the bloc's yearly shortfall, next to what the planner's linear view predicted. A gap between the two is a finding.</p>
    <table><thead><tr><th>Material</th><th class="num">Planner, without</th><th class="num">with</th><th class="num">Simulator mean, without</th><th class="num">with</th><th class="num">Simulator P95, without</th><th class="num">with</th><th class="num">Futures made worse</th></tr></thead><tbody>${rows}</tbody></table>
    <div class="chart small" id="verify-chart"></div></div>`));
  const cats = r.verify.flatMap((v) => {
    const m = r.verify.length > 1 ? `${cx.mat(v.material).name}: ` : '';
    return [`${m}planner (expected)`, `${m}simulator (mean)`, `${m}simulator (P95)`];
  });
  const n = box.querySelector('#verify-chart');
  const c = chart(n);
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => tonnes(v) },
    legend: { top: 0 },
    grid: { left: 80, right: 20, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: cats },
    yAxis: { type: 'value', name: 't a year', axisLabel: { formatter: (v) => tonnes(v) } },
    series: [
      { name: 'without the portfolio', type: 'bar', color: WITHOUT, data: r.verify.flatMap((v) => [v.planner_without_t, v.sim_without_t, v.sim_p95_without_t]) },
      { name: 'with it', type: 'bar', color: WITH, data: r.verify.flatMap((v) => [v.planner_with_t, v.sim_with_t, v.sim_p95_with_t]) },
    ],
  });
  ready(n);
}
