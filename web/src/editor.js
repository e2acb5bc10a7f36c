// The scenario editor: a form and the TOML side by side, kept in step, checked by the server
// as you type (POST /api/scenarios/validate: the CLI's file:line:field messages), and run as a
// simulation or a Monte Carlo. The form patches the TOML text in place (tomledit.js), so the
// file's comments and layout stay; smol-toml reads the text back into the form.
import { parse } from 'smol-toml';
import { api, el, esc, liveCheck, token } from './core.js';
import { setValue, appendTable, removeTable, readField } from './tomledit.js';

const TOP = [
  ['name', 'text'], ['description', 'text'], ['materials', 'list'], ['bloc', 'text'], ['adversary', 'text'],
  ['base_year', 'number'], ['weeks', 'number'], ['trend', 'text'], ['rationing', 'text'],
];
// Fields that are strings whatever they look like (a name of "2025" stays a string).
const TEXT = new Set(['name', 'description', 'bloc', 'adversary', 'trend', 'rationing', 'kind', 'exporter',
  'country', 'material', 'stage', 'controlled_by', 'holders', 'members', 'tariff_on', 'from', 'to', 'source', 'targets']);
// A template per kind the simulator accepts (crates/sim/src/scenario): the `[[event]]` kinds,
// the `[[policy]]` kinds and the `[[substitution]]` link. `m` is the scenario's first material.
const TABLES = {
  event: {
    export_restriction: () => ({ kind: 'export_restriction', exporter: 'CHN', material: 'cobalt', stage: 'refining', targets: 'all', share: 0.0, start_week: 4, duration_weeks: 26 }),
    capacity_loss: () => ({ kind: 'capacity_loss', country: 'COD', material: 'cobalt', stage: 'mining', share: 0.5, start_week: 4, duration_weeks: 26, recovery_weeks: 8 }),
    capacity_expansion: () => ({ kind: 'capacity_expansion', country: 'AUS', material: 'lithium', stage: 'refining', tonnes_per_year: 10000, start_week: 10, ramp_weeks: 52 }),
    demand_shift: () => ({ kind: 'demand_shift', material: 'cobalt', factor: 1.2, start_week: 4, duration_weeks: 52 }),
    dumping: () => ({ kind: 'dumping', exporter: 'CHN', material: 'lithium', stage: 'refining', price_cut: 0.3, volume_share: 0.2, start_week: 4, duration_weeks: 52 }),
  },
  policy: {
    stockpile: (m) => ({ kind: 'stockpile', holders: 'bloc:QUAD', material: m[0], weeks: 8, release_below: 0.5 }),
    pact: () => ({ kind: 'pact', members: 'bloc:QUAD', priority: true, joint_stockpile_weeks: 8, price_floor: 1.0, tariff_on: 'CHN', tariff: 0.25 }),
  },
  substitution: {
    link: (m) => ({ from: m[0], to: m[1] || m[0], elasticity: 0.3, source: 'assumed: substitutes in the same uses' }),
  },
};

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
/** The kind of a table's field: text for names and ids (unless a list), else any value. */
const kindOf = (k, v) => (TEXT.has(k) && typeof v !== 'object' ? 'text' : 'any');
/** The scenario's materials: its list, else those its events name. */
const materialsOf = (doc) => [...new Set([...(doc.materials?.length ? doc.materials
  : (doc.event || []).map((e) => e.material).filter(Boolean)), 'cobalt', 'nickel'])];

export async function editorView(root, params) {
  const list = await api('/api/scenarios');
  const start = params.get('scenario') || 'drc-cobalt-2025';
  root.append(el(`<div class="controls">
    <label>Start from <select name="shipped">${list.shipped.map((n) => `<option>${esc(n)}</option>`).join('')}</select></label>
    <label>Monte Carlo futures <input name="runs" type="number" min="1" max="100000" value="200" style="width:7em"></label>
    <button id="run-sim">Run simulation</button><button id="run-mc" class="ghost">Run Monte Carlo</button>
    <span id="run-msg"></span></div>`));
  const row = root.appendChild(el(`<div class="row">
    <div class="panel form"><h2>Form</h2><div id="form"></div>
      <div class="controls">${Object.entries(TABLES).map(([t, kinds]) => `<label>Add ${t === 'event' ? 'an event' : `a ${t}`}${Object.keys(kinds).length > 1
    ? ` <select name="add-${t}">${Object.keys(kinds).map((k) => `<option>${k}</option>`).join('')}</select>` : ''}</label><button id="add-${t}" class="ghost" data-add="${t}">Add</button>`).join(' ')}</div>
      <p class="muted">The form edits the TOML in place: its comments and layout stay.</p></div>
    <div class="panel"><h2>TOML</h2><textarea class="toml" id="toml" spellcheck="false"></textarea>
      <div id="check" aria-live="polite"></div></div></div>`));
  const ta = row.querySelector('#toml');
  const form = row.querySelector('#form');
  const check = row.querySelector('#check');
  const sel = root.querySelector('[name=shipped]');
  let doc = {};
  let shippedText = '';
  let shippedName = '';
  const { validate, soon } = liveCheck(check,
    () => api('/api/scenarios/validate', { method: 'POST', body: { name: `${shippedName || 'scenario'}.toml`, toml: ta.value } }),
    (v) => `“${esc(v.name)}”, ${v.materials.join(', ')}, ${v.weeks} weeks, bloc ${esc(v.bloc)}`);

  function renderForm() {
    const top = TOP.map(([k, kind]) => `<label>${k}<input data-key="${k}" data-kind="${kind}" value="${esc(doc[k] === undefined ? '' : kind === 'list' ? (doc[k] || []).join(', ') : show(doc[k]))}"></label>`).join('');
    const tables = Object.keys(TABLES).map((t) => (doc[t] || []).map((row, i) => `<fieldset data-table="${t}" data-index="${i}"><legend>${t} ${i + 1}${row.kind ? `: ${esc(row.kind)}` : ''}
      <button class="ghost" data-remove="${t}" data-index="${i}">remove</button></legend>${Object.entries(row).map(([k, v]) => `<label>${esc(k)}<input data-table="${t}" data-index="${i}" data-key="${esc(k)}" data-kind="${kindOf(k, v)}" value="${esc(show(v))}"></label>`).join('')}</fieldset>`).join('')).join('');
    form.innerHTML = top + tables;
  }
  /** Applies an edit to the TOML text; `rerender` when the form's shape changed. */
  function patch(edit, rerender) {
    try {
      ta.value = edit(ta.value);
    } catch (e) {
      check.innerHTML = `<p class="error">${esc(e.message)}: fix the TOML first</p>`;
      check.dataset.state = 'invalid';
      return;
    }
    try {
      doc = parse(ta.value);
      if (rerender) renderForm();
    } catch { /* the server's check names the syntax error */ }
    soon();
  }
  form.addEventListener('input', (e) => {
    const i = e.target.dataset;
    if (!i.key) return;
    const where = i.table ? { table: i.table, index: Number(i.index) } : null;
    patch((t) => setValue(t, where, i.key, readField(e.target.value, i.kind)), false);
  });
  form.addEventListener('click', (e) => {
    const i = e.target.dataset;
    if (i.remove === undefined) return;
    e.preventDefault();
    patch((t) => removeTable(t, i.remove, Number(i.index)), true);
  });
  for (const b of row.querySelectorAll('[data-add]')) {
    b.addEventListener('click', () => {
      const t = b.dataset.add;
      const kind = root.querySelector(`[name=add-${t}]`)?.value || Object.keys(TABLES[t])[0];
      patch((text) => appendTable(text, t, TABLES[t][kind](materialsOf(doc))), true);
    });
  }
  ta.addEventListener('input', () => {
    try {
      doc = parse(ta.value);
      renderForm();
    } catch { /* the server's check names the syntax error */ }
    soon();
  });

  async function load(name) {
    const v = await api(`/api/scenarios/shipped/${encodeURIComponent(name)}`);
    shippedName = name;
    shippedText = v.toml;
    ta.value = v.toml;
    doc = parse(v.toml);
    renderForm();
    validate();
  }
  sel.value = list.shipped.includes(start) ? start : list.shipped[0];
  sel.addEventListener('change', () => load(sel.value));

  async function submit(kind) {
    const msg = root.querySelector('#run-msg');
    if (!token()) { msg.innerHTML = '<span class="error">Running needs an API token: paste one above (quadrant token create).</span>'; return; }
    msg.textContent = 'submitting…';
    try {
      const body = { kind };
      if (kind === 'montecarlo') body.runs = Number(root.querySelector('[name=runs]').value);
      if (ta.value === shippedText) body.scenario = shippedName;
      else {
        const s = await api('/api/scenarios', { method: 'POST', body: { name: `${shippedName}-edited.toml`, toml: ta.value } });
        body.scenario_id = s.id;
      }
      const run = await api('/api/runs', { method: 'POST', body });
      location.hash = `#run/${run.id}`;
    } catch (e) {
      msg.innerHTML = `<span class="error">${esc(e.message)}</span>`;
    }
  }
  root.querySelector('#run-sim').addEventListener('click', () => submit('simulate'));
  root.querySelector('#run-mc').addEventListener('click', () => submit('montecarlo'));
  await load(sel.value);
}
