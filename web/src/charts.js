// The charts of finished runs. Every figure is read from the stored result or the run's
// series (/api/runs/{id}/series); nothing is recomputed here.
import { dataset, nameOf, pct, tonnes, el, esc, chart, PALETTE, BLOC_COLOR, ADV_COLOR } from './core.js';

const KIND = { export_restriction: 'export restriction', capacity_loss: 'capacity loss', demand_shift: 'demand shift', dumping: 'dumping' };
/** The shocks' windows (from the series endpoint: the library's event windows) as shaded areas. */
function shaded(dates, events) {
  const last = dates.length - 1;
  const list = (events || []).filter((e) => e.shock && e.end_week > e.start_week);
  const name = (e) => `${KIND[e.kind] || e.kind}: ${e.actor_name}`;
  // Back-to-back phases of one measure are labelled once.
  const data = list.map((e, i) => [
    { name: name(e), xAxis: dates[Math.min(e.start_week, last)], label: { show: i === 0 || name(list[i - 1]) !== name(e) } },
    { xAxis: dates[Math.min(e.end_week, last)] },
  ]);
  return data.length ? { silent: true, itemStyle: { color: 'rgba(193, 18, 31, 0.09)' }, label: { color: '#8a1c24', fontSize: 11, position: 'insideTop' }, data } : undefined;
}

/** The shaded windows, in words. */
function shocks(s) {
  const list = (s?.events || []).filter((e) => e.shock && e.end_week > e.start_week);
  if (!list.length) return '';
  return `<p class="muted event-windows"><i class="swatch" style="background:rgba(193, 18, 31, 0.25)"></i>Shaded: ${list.map((e) => `${KIND[e.kind] || e.kind} (${esc(e.actor_name)}${e.stage ? `, ${e.stage}` : ''}) ${e.start_date} to ${e.end_date}`).join('; ')}.</p>`;
}

function lines(node, { dates, series, unit, fmt, yName, events }) {
  const c = chart(node);
  const area = shaded(dates, events);
  if (area && series.length) series[0] = { ...series[0], markArea: area };
  node.dataset.shaded = String(area ? area.data.length : 0);
  c.setOption({
    animation: false,
    color: PALETTE,
    tooltip: { trigger: 'axis', valueFormatter: fmt },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 70, right: 20, top: 52, bottom: 40 },
    xAxis: { type: 'category', data: dates, axisLabel: { formatter: (d) => d.slice(0, 7) } },
    yAxis: { type: 'value', name: yName || unit, nameGap: 12, axisLabel: { formatter: fmt } },
    series: series.map((s) => ({ type: 'line', showSymbol: false, ...s })),
  });
  node.dataset.ready = '1';
  return c;
}

/** A simulation: KPI table, then per material shortfall, price paid and holdings per member, dated. */
export async function simulation(node, run, result, series) {
  const d = await dataset();
  for (const m of result.materials) {
    const s = series.materials.find((x) => x.material === m.material);
    const rows = [m.bloc, ...m.members, m.world].map((r) => `<tr><td>${esc(r.subject === 'world' ? 'World' : nameOf(d, r.subject))}</td><td class="num">${tonnes(r.desired_demand_t)}</td><td class="num">${tonnes(r.shortfall_t)}</td><td class="num">${pct(r.shortfall_share)}</td><td class="num">${r.short_weeks}</td><td class="num">×${r.peak_price_paid.toFixed(2)}</td><td class="num">×${r.mean_price_paid.toFixed(2)}</td></tr>`).join('');
    const box = node.appendChild(el(`<div class="panel"><h2>${esc(m.material)} · network ${m.year} · ${m.weeks} weeks from ${s ? s.week0 : '?'}</h2>
      <table class="kpis"><thead><tr><th>Who</th><th class="num">Desired demand</th><th class="num">Shortfall</th><th class="num">Share</th><th class="num">Weeks short</th><th class="num">Price paid, peak</th><th class="num">mean</th></tr></thead><tbody>${rows}</tbody></table>
      <p class="muted">World price peak/mean: ${m.prices.map(([st, pk, mn]) => `${st} ×${pk.toFixed(2)} / ×${mn.toFixed(2)}`).join('; ')}. Largest mass-balance residual ${m.max_balance_error.toExponential(1)}.</p>
      ${shocks(s)}
      <h3>Shortfall per week</h3><div class="chart small shortfall" data-run="${run.id}"></div>
      <h3>Price paid at the last stage (× baseline)</h3><div class="chart small paid"></div>
      <h3>Holdings: consumer inventory and strategic stockpile</h3><div class="chart small inventory"></div></div>`));
    if (!s) continue;
    const members = s.members.map((x) => ({ name: nameOf(d, x.country), x }));
    const events = s.events;
    lines(box.querySelector('.shortfall'), {
      dates: s.dates, events, unit: 't/week', fmt: (v) => tonnes(v),
      series: [{ name: `${s.bloc.subject} (bloc)`, data: s.bloc.shortfall_t, lineStyle: { width: 3 }, color: BLOC_COLOR }, ...members.map((x) => ({ name: x.name, data: x.x.shortfall_t }))],
    });
    const last = s.prices[s.prices.length - 1];
    lines(box.querySelector('.paid'), {
      dates: s.dates, events, unit: '× baseline', fmt: (v) => (v == null ? '–' : `×${Number(v).toFixed(2)}`),
      series: [{ name: `world price (${last.stage})`, data: last.index, lineStyle: { type: 'dashed' }, color: '#555',
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: 1, label: { formatter: 'baseline', position: 'insideEndTop' } }], lineStyle: { color: '#666', type: 'dashed' } } },
      { name: `${s.bloc.subject} (bloc)`, data: s.bloc.price_paid, color: BLOC_COLOR, lineStyle: { width: 3 } }, ...members.map((x) => ({ name: x.name, data: x.x.price_paid }))],
    });
    lines(box.querySelector('.inventory'), {
      dates: s.dates, events, unit: 't', fmt: (v) => tonnes(v), series: members.map((x) => ({ name: x.name, data: x.x.inventory_t })),
    });
  }
}

/** A Monte Carlo: P5/P50/P95 and CVaR95 of the shortfall share per subject, and the peak price. */
export async function montecarlo(node, run, records) {
  const d = await dataset();
  const mats = [...new Set(records.map((r) => r.material))];
  for (const m of mats) {
    const rs = records.filter((r) => r.material === m);
    // Subjects the dataset does not name are the bloc (or the world).
    const names = rs.map((r) => (r.subject === 'world' ? 'World' : d.byId.has(r.subject) ? nameOf(d, r.subject) : `${r.subject} (bloc)`));
    const box = node.appendChild(el(`<div class="panel"><h2>${esc(m)}: ${rs[0].runs_done} futures (seed ${rs[0].seed}${rs[0].interrupted ? ', interrupted' : ''})</h2>
      <p class="muted">Shortfall as a share of desired demand over the run: the bar spans P5–P95, the dot is P50, the diamond CVaR95 (mean of the worst 5%).</p><div class="chart small mc"></div>
      <p class="muted">Peak world price at the last stage: mean ×${rs[0].peak_price_vs_baseline_mean.toFixed(2)}, P50 ×${rs[0].peak_price_vs_baseline_p50.toFixed(2)}, P95 ×${rs[0].peak_price_vs_baseline_p95.toFixed(2)}.</p></div>`));
    const c = chart(box.querySelector('.mc'));
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v) => (Array.isArray(v) ? v.map((x) => pct(x)).join('–') : pct(v)) },
      // The P5 bar is the band's invisible base: not a legend entry.
      legend: { top: 0, data: ['P5–P95', 'P50', 'CVaR95'] },
      grid: { left: 70, right: 20, top: 36, bottom: 30 },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', name: 'shortfall share', axisLabel: { formatter: (v) => pct(v) } },
      series: [
        { name: 'P5', type: 'bar', stack: 'band', data: rs.map((r) => r.shortfall_share_p5), itemStyle: { color: 'transparent' }, tooltip: { show: true } },
        { name: 'P5–P95', type: 'bar', stack: 'band', data: rs.map((r) => r.shortfall_share_p95 - r.shortfall_share_p5), itemStyle: { color: '#9ecae1' } },
        { name: 'P50', type: 'scatter', data: rs.map((r) => r.shortfall_share_p50), symbolSize: 12, itemStyle: { color: BLOC_COLOR } },
        { name: 'CVaR95', type: 'scatter', symbol: 'diamond', data: rs.map((r) => r.shortfall_share_cvar95), symbolSize: 14, itemStyle: { color: ADV_COLOR } },
      ],
    });
    box.querySelector('.mc').dataset.ready = '1';
  }
}

/** A chokepoint ranking: the bloc's shortfall per single outage, largest first. */
export async function chokepoints(node, run, rows) {
  const d = await dataset();
  const label = (r) => (r.facility ? `${r.facility}, ${nameOf(d, r.country)}, ${r.stage}` : `${nameOf(d, r.country)} ${r.stage}`);
  // An axis label is cut to fit (the tooltip gives it whole): a facility by its own name.
  const short = (r) => (r.facility ? `${r.facility} (${r.stage})` : label(r));
  const top = rows.slice(0, 20).reverse();
  const box = node.appendChild(el(`<div class="panel"><h2>Chokepoints of ${esc(run.params.material)} for ${esc(run.params.bloc)}: a ${run.params.weeks}-week full outage of one (country, stage) or facility</h2><div class="chart choke" style="height:${Math.max(260, top.length * 26 + 60)}px"></div></div>`));
  const c = chart(box.querySelector('.choke'));
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (ps) => { const r = top[ps[0].dataIndex]; return `<b>${esc(label(r))}</b><br>bloc shortfall ${pct(r.bloc_shortfall_share)}<br>world share of the stage ${pct(r.world_share)}<br>peak price ×${r.peak_price_vs_baseline.toFixed(2)}`; } },
    legend: { top: 0 },
    grid: { left: 10, right: 30, top: 30, bottom: 30, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: (v) => pct(v) } },
    yAxis: { type: 'category', data: top.map(short), axisLabel: { width: 300, overflow: 'truncate' } },
    series: [
      { name: 'bloc shortfall', type: 'bar', data: top.map((r) => r.bloc_shortfall_share), itemStyle: { color: ADV_COLOR } },
      { name: 'world share of the stage', type: 'bar', data: top.map((r) => r.world_share), itemStyle: { color: '#b8c2cc' } },
    ],
  });
  box.querySelector('.choke').dataset.ready = '1';
}
