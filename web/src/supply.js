// Supply flows: the bloc's supply at a stage traced back one stage (origin tracing in
// quadrant-metrics, /api/supply), drawn as a Sankey mining country → refining country → bloc.
import { api, dataset, nameOf, citation, pct, tonnes, el, esc, chart, ADV_COLOR, BLOC_COLOR } from './core.js';

const VERB = { mining: 'mined', refining: 'refined', components: 'made' };
const UP = { refining: 'mining', components: 'refining' };

export async function supplyView(root, params) {
  const d = await dataset();
  const q = { material: params.get('material') || 'lithium', stage: params.get('stage') || 'refining', bloc: params.get('bloc') || 'QUAD', adversary: params.get('adversary') || 'CHN', year: params.get('year') || '2024' };
  root.append(el(`<div class="controls">
    <label>Material <select name="material">${d.materials.map((m) => `<option value="${m.id}">${esc(m.name)}</option>`).join('')}</select></label>
    <label>Stage traced <select name="stage"><option value="refining">refining (from mining)</option><option value="components">components (from refining)</option></select></label>
    <label>Bloc <input name="bloc" size="8"></label>
    <label>Adversary <select name="adversary">${d.countries.filter((c) => !c.aggregate).sort((a, b) => a.name.localeCompare(b.name)).map((c) => `<option value="${c.id}">${esc(c.name)}</option>`).join('')}</select></label>
    <label>Year <input name="year" type="number" min="1990" max="2100" style="width:6em"></label>
  </div>`));
  const head = root.appendChild(el('<p class="headline"></p>'));
  const panel = root.appendChild(el(`<div class="panel"><div class="legend"><span><i class="swatch" style="background:${ADV_COLOR}"></i>through the adversary</span><span><i class="swatch" style="background:${BLOC_COLOR}"></i>the bloc</span><span><i class="swatch" style="background:#9aa4b1"></i>elsewhere</span></div><div id="sankey" class="chart" style="height:560px"></div><p class="muted" id="supply-note"></p></div>`));
  const ctl = Object.fromEntries([...root.querySelectorAll('.controls [name]')].map((s) => [s.name, s]));
  for (const k of Object.keys(q)) ctl[k].value = q[k];
  const node = panel.querySelector('#sankey');
  const c = chart(node);
  window.quadrant.charts.sankey = c;

  async function draw() {
    let f;
    try {
      f = await api(`/api/supply?material=${q.material}&stage=${q.stage}&bloc=${encodeURIComponent(q.bloc)}&adversary=${q.adversary}&year=${q.year}`);
    } catch (e) {
      head.innerHTML = `<span class="error">${esc(e.message)}</span>`;
      c.clear();
      return;
    }
    const t = f.trace;
    const up = UP[t.stage];
    const advName = nameOf(d, f.adversary);
    const mat = d.materials.find((m) => m.id === t.material);
    head.innerHTML = `<span class="bloc">${esc(f.bloc)}</span> supply of ${t.stage === 'refining' ? 'refined' : t.stage} ${esc(mat.name)}: ${tonnes(t.supply_t)} (${t.year}). `
      + `<span class="adv">${pct(t.through_adversary)} passed through ${esc(advName)}</span> at either stage `
      + `(${VERB[t.stage]} there ${pct(t.adversary_at_stage)}, ${VERB[up]} there ${pct(t.adversary_upstream)}).`;
    const floor = t.supply_t * 0.002;
    const shown = f.links.filter((l) => l[2] >= floor);
    const hidden = f.links.length - shown.length;
    const nodes = new Map();
    const color = (iso) => (iso === f.adversary ? ADV_COLOR : '#9aa4b1');
    const addNode = (id, label, col, depth) => { if (!nodes.has(id)) nodes.set(id, { name: id, label, depth, itemStyle: { color: col } }); };
    const links = [];
    const into = new Map();
    for (const [o, r, tq] of shown) {
      addNode(`${VERB[up]}:${o}`, `${nameOf(d, o)}`, color(o), 0);
      addNode(`${VERB[t.stage]}:${r}`, `${nameOf(d, r)}`, color(r), 1);
      const adv = o === f.adversary || r === f.adversary;
      links.push({ source: `${VERB[up]}:${o}`, target: `${VERB[t.stage]}:${r}`, value: tq, adv, lineStyle: { color: adv ? ADV_COLOR : '#b8c2cc', opacity: 0.5 } });
      into.set(r, (into.get(r) || 0) + tq);
    }
    addNode('bloc', f.bloc, BLOC_COLOR, 2);
    for (const [r, tq] of into) {
      const adv = r === f.adversary;
      links.push({ source: `${VERB[t.stage]}:${r}`, target: 'bloc', value: tq, adv, lineStyle: { color: adv ? ADV_COLOR : '#b8c2cc', opacity: 0.5 } });
    }
    panel.querySelector('#supply-note').textContent = `Columns: ${VERB[up]} in → ${VERB[t.stage]} in → ${f.bloc}. Upstream feed by ${t.upstream_method === 'trade' ? 'bilateral trade' : 'the world surplus pro rata (no trade data for the upstream stage)'}; proportional mixing (docs/model.md, "Origin tracing").`
      + (hidden ? ` ${hidden} links under 0.2% of the supply are not drawn.` : '') + ` Sources: ${citation(d, t.source, t.trade_year)}`;
    c.setOption({
      animation: false,
      tooltip: {
        trigger: 'item',
        formatter: (p) => (p.dataType === 'edge'
          ? `${esc(p.data.source.replace(/^(\w+):(.*)$/, (_, v, iso) => `${v} in ${nameOf(d, iso)}`))} → ${esc(p.data.target === 'bloc' ? f.bloc : p.data.target.replace(/^(\w+):(.*)$/, (_, v, iso) => `${v} in ${nameOf(d, iso)}`))}<br>${tonnes(p.data.value)} (${pct(p.data.value / t.supply_t)} of the bloc's supply)`
          : `${esc(p.data.label)}`),
      },
      series: [{
        type: 'sankey', data: [...nodes.values()], links, nodeAlign: 'justify', layoutIterations: 32,
        emphasis: { focus: 'adjacency' }, nodeGap: 6, left: 10, right: 120,
        label: { formatter: (p) => p.data.label, fontSize: 11 },
      }],
    }, true);
    node.dataset.links = String(links.length);
  }
  for (const k of Object.keys(q)) ctl[k].addEventListener('change', () => { q[k] = ctl[k].value; draw(); });
  await draw();
}
