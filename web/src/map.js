// The map: world output of one (material, stage, year) by location or by control, from
// /api/map; a click on a country opens its profile (/api/countries/{id}/profile).
import { api, dataset, planNames, nameOf, citation, pct, tonnes, el, esc, chart, echarts, status, BLOC_COLOR, ADV_COLOR } from './core.js';

let world;
/** The country shapes, registered with ECharts as `world`: each shape's label and marker
 * position (its centre) by ISO numeric code. */
export async function shapes() {
  if (!world) {
    world = fetch('/assets/world.json').then((r) => r.json()).then((g) => {
      echarts.registerMap('world', g);
      return {
        labels: new Map(g.features.map((f) => [f.properties.name, f.properties.label])),
        centres: new Map(g.features.map((f) => [f.properties.name, f.properties.centre])),
      };
    });
  }
  return world;
}

/** The ISO numeric code of the shape of country `iso`, when it has one. */
export const m49Of = (d, iso) => {
  const n = d.byId.get(iso)?.iso_numeric;
  return n == null ? null : String(n).padStart(3, '0');
};

export async function mapView(root, params) {
  const d = await dataset();
  const { labels } = await shapes();
  const { bloc: blocs } = await planNames();
  const q = {
    material: params.get('material') || 'cobalt', stage: params.get('stage') || 'mining', year: params.get('year') || '2024',
    by: params.get('by') || 'location', bloc: params.get('bloc') || 'QUAD', adversary: params.get('adversary') || 'CHN',
  };
  const countryOptions = d.countries.filter((c) => !c.aggregate).sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => `<option value="${c.id}">${esc(c.name)}</option>`).join('');
  root.append(el(`<div class="controls">
    <label>Material <select name="material">${d.materials.map((m) => `<option value="${m.id}">${esc(m.name)}</option>`).join('')}</select></label>
    <label>Stage <select name="stage"><option>mining</option><option>refining</option><option>components</option></select></label>
    <label>Year <select name="year"></select></label>
    <label>Attributed by <select name="by"><option value="location">location (where it is produced)</option><option value="control">control (home of the controlling owner)</option></select></label>
    <label>Outline bloc <select name="bloc">${[...blocs.values()].map((b) => `<option value="${b.id}">${esc(b.id)}</option>`).join('')}</select></label>
    <label>and adversary <select name="adversary">${countryOptions}</select></label>
    <label>Country profile <select name="country"><option value="">— pick a country or click the map —</option>${countryOptions}</select></label>
  </div>`));
  const head = root.appendChild(el('<p class="headline"></p>'));
  const row = root.appendChild(el('<div class="row"><div class="panel"><div id="map" class="chart" style="height:520px"></div><p class="legend" id="map-legend"></p><p class="muted" id="map-source"></p></div><div class="panel" id="profile"><p class="muted">Click a country for its profile.</p></div></div>'));
  const ctl = Object.fromEntries([...root.querySelectorAll('.controls select')].map((s) => [s.name, s]));
  for (const k of ['material', 'stage', 'by', 'bloc', 'adversary']) ctl[k].value = q[k];
  const node = row.querySelector('#map');
  const c = chart(node);
  window.quadrant.charts.map = c;

  async function draw() {
    let layer;
    try {
      layer = await api(`/api/map?material=${q.material}&stage=${q.stage}&year=${q.year}&by=${q.by}`);
    } catch (e) {
      head.innerHTML = `<span class="error">${esc(e.message)}</span>`;
      c.clear();
      node.dataset.countries = '0';
      return;
    }
    ctl.year.innerHTML = layer.years.map((y) => `<option>${y}</option>`).join('');
    ctl.year.value = String(layer.year);
    const mat = d.materials.find((m) => m.id === layer.material);
    const data = layer.shares.filter((s) => layer.m49[s.country]).map((s) => ({
      name: layer.m49[s.country], value: s.share, iso: s.country, t: s.value_t,
    }));
    // The bloc's members and the adversary outlined, producers or not.
    const members = blocs.get(q.bloc)?.members || [];
    const outline = (iso, color) => {
      const code = m49Of(d, iso);
      if (!code) return;
      let item = data.find((x) => x.name === code);
      if (!item) data.push(item = { name: code, value: null, iso });
      item.itemStyle = { borderColor: color, borderWidth: 1.8 };
    };
    for (const iso of members) outline(iso, BLOC_COLOR);
    outline(q.adversary, ADV_COLOR);
    row.querySelector('#map-legend').innerHTML = `<span><i class="swatch outline" style="border-color:${BLOC_COLOR}"></i>${esc(q.bloc)} members (${members.map((x) => esc(nameOf(d, x))).join(', ')})</span>`
      + `<span><i class="swatch outline" style="border-color:${ADV_COLOR}"></i>adversary: ${esc(nameOf(d, q.adversary))}</span>`
      + '<span><i class="swatch" style="background:#eef0f3;border:1px solid #9aa4b1"></i>no output recorded</span>';
    const top = layer.shares.slice(0, 3).map((s) => `${esc(nameOf(d, s.country))} ${pct(s.share)}`).join(', ');
    head.innerHTML = `${esc(mat.name)} · ${layer.stage} · ${layer.year} · by ${layer.by}: world ${tonnes(layer.total_t)} (${esc(mat.basis)}); largest ${top}`
      + (layer.coverage ? ` <span class="muted">(control coverage: ${pct(layer.coverage.identified)} of output identified, ${pct(layer.coverage.estimated)} by estimate)</span>` : '');
    row.querySelector('#map-source').textContent = `Source: ${citation(d, layer.source, layer.year)}`;
    const max = Math.max(0.05, ...data.map((x) => x.value || 0));
    c.setOption({
      animation: false,
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const iso = p.data?.iso || d.byM49.get(p.name);
          const n = iso ? nameOf(d, iso) : labels.get(p.name) || p.name;
          if (!p.data || p.data.value == null) return `${esc(n)}<br>no ${layer.stage} output recorded`;
          return `<b>${esc(n)}</b><br>${pct(p.data.value)} of world ${layer.stage} (${layer.year})`
            + (p.data.t != null ? `<br>${tonnes(p.data.t)}` : '') + `<br><span style="font-size:11px">${esc(layer.source)} ${layer.year}</span>`;
        },
      },
      visualMap: { min: 0, max, left: 10, bottom: 20, calculable: true, formatter: (v) => pct(v), inRange: { color: ['#e0ecf8', '#6baed6', '#08306b'] } },
      series: [{
        type: 'map', map: 'world', roam: true, nameProperty: 'name', data,
        itemStyle: { areaColor: '#eef0f3', borderColor: '#9aa4b1', borderWidth: 0.4 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#f4a261' } },
        select: { disabled: true },
      }],
    }, true);
    node.dataset.countries = String(data.filter((x) => x.value != null).length);
    node.dataset.outlined = String(data.filter((x) => x.itemStyle).length);
    node.dataset.material = layer.material;
  }

  async function profile(iso) {
    const p = root.querySelector('#profile');
    p.innerHTML = '<p class="muted">Loading…</p>';
    const v = await api(`/api/countries/${iso}/profile?year=${q.year}`);
    // Flows that round to 0.0 t are left out; a side with none says so.
    const trade = (total, list, dir) => {
      const shown = list.filter(([, t]) => t >= 0.05);
      if (total < 0.05 || !shown.length) return '<span class="muted">none recorded</span>';
      return `${tonnes(total)} ${dir} ${shown.map(([c, t]) => `${esc(nameOf(d, c))} ${tonnes(t)}`).join(', ')}`;
    };
    const lines = v.lines.map((l) => {
      const src = citation(d, l.source, l.year);
      const tsrc = l.trade_year ? citation(d, l.trade_source, l.trade_year) : '';
      return `<tr><td>${esc(d.materials.find((m) => m.id === l.material)?.name || l.material)}</td><td>${l.stage}</td>
        <td class="num" title="${esc(src)}">${l.rank ? `${tonnes(l.output_t)} · ${pct(l.share)} · #${l.rank}` : '–'}</td>
        <td title="${esc(tsrc)}">${l.trade_year ? trade(l.imports_t, l.suppliers, 'from') : '<span class="muted">no trade data</span>'}</td>
        <td title="${esc(tsrc)}">${l.trade_year ? trade(l.exports_t, l.buyers, 'to') : ''}</td></tr>`;
    }).join('');
    const ags = v.agreements.map((a) => `<li title="${esc(a.source)}"><b>${esc(a.name)}</b> (${esc(a.kind)}; ${a.parties.map((x) => esc(nameOf(d, x))).join(', ')}${a.in_force ? `; in force ${esc(a.in_force)}` : a.signed ? `; signed ${esc(a.signed)}, not in force` : ''})</li>`).join('');
    p.innerHTML = `<h2 data-country="${esc(v.country)}">${esc(v.name)}</h2>
      <p class="muted">${v.blocs.length ? `Member of ${v.blocs.map(esc).join(', ')}. ` : ''}Latest data up to ${v.year}; hover a figure for its source.</p>
      <table><thead><tr><th>Material</th><th>Stage</th><th class="num">Output · share · rank</th><th>Imports, from</th><th>Exports, to</th></tr></thead><tbody>${lines || '<tr><td colspan="5" class="muted">no production or trade recorded</td></tr>'}</tbody></table>
      <h3>Agreements</h3>${ags ? `<ul>${ags}</ul>` : '<p class="muted">none in curated/agreements.toml</p>'}`;
    ctl.country.value = iso;
  }

  c.on('click', (p) => {
    const iso = p.data?.iso || d.byM49.get(p.name);
    if (iso) profile(iso).catch((e) => status(e.message, 'error'));
  });
  for (const k of ['material', 'stage', 'year', 'by', 'bloc', 'adversary']) {
    ctl[k].addEventListener('change', () => { q[k] = ctl[k].value; draw(); });
  }
  ctl.country.addEventListener('change', () => ctl.country.value && profile(ctl.country.value));
  await draw();
  if (params.get('country')) await profile(params.get('country'));
}
