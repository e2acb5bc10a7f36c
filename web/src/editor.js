// The scenario editor: a form and the TOML side by side, kept in step, checked by the server
// as you type (POST /api/scenarios/validate: the CLI's file:line:field messages), and run as a
// simulation or a Monte Carlo.
import { parse, stringify } from 'smol-toml';
import { api, el, esc, token } from './core.js';

const TOP = [
  ['name', 'text'], ['description', 'text'], ['materials', 'list'], ['bloc', 'text'], ['adversary', 'text'],
  ['base_year', 'number'], ['weeks', 'number'], ['rationing', 'text'],
];
const TEMPLATES = {
  export_restriction: { kind: 'export_restriction', exporter: 'CHN', material: 'cobalt', stage: 'refining', targets: 'all', share: 0.0, start_week: 4, duration_weeks: 26 },
  capacity_loss: { kind: 'capacity_loss', country: 'COD', material: 'cobalt', stage: 'mining', share: 0.5, start_week: 4, duration_weeks: 26, recovery_weeks: 8 },
  capacity_expansion: { kind: 'capacity_expansion', country: 'AUS', material: 'lithium', stage: 'refining', tonnes_per_year: 10000, start_week: 10, ramp_weeks: 52 },
  demand_shift: { kind: 'demand_shift', material: 'cobalt', factor: 1.2, start_week: 4, duration_weeks: 52 },
  dumping: { kind: 'dumping', exporter: 'CHN', material: 'lithium', stage: 'refining', price_cut: 0.3, volume_share: 0.2, start_week: 4, duration_weeks: 52 },
};

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
function read(text, kind) {
  const t = text.trim();
  if (kind === 'list') return t ? t.split(',').map((x) => x.trim()).filter(Boolean) : [];
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  if (t.startsWith('[')) { try { return JSON.parse(t); } catch { /* a string as typed */ } }
  return text;
}

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
      <div class="controls"><label>Add an event <select name="add">${Object.keys(TEMPLATES).map((k) => `<option>${k}</option>`).join('')}</select></label><button id="add" class="ghost">Add</button></div>
      <p class="muted">Editing the form rewrites the TOML (comments are dropped); policies and substitutions are edited in the TOML.</p></div>
    <div class="panel"><h2>TOML</h2><textarea class="toml" id="toml" spellcheck="false"></textarea>
      <div id="check" aria-live="polite"></div></div></div>`));
  const ta = row.querySelector('#toml');
  const form = row.querySelector('#form');
  const check = row.querySelector('#check');
  const sel = root.querySelector('[name=shipped]');
  let doc = {};
  let shippedText = '';
  let shippedName = '';
  let timer;
  let seq = 0;

  async function validate() {
    const mine = ++seq;
    check.innerHTML = '<p class="muted">checking…</p>';
    check.dataset.state = 'checking';
    try {
      const v = await api('/api/scenarios/validate', { method: 'POST', body: { name: `${shippedName || 'scenario'}.toml`, toml: ta.value } });
      if (mine !== seq) return;
      check.innerHTML = `<p class="ok">✓ valid: “${esc(v.name)}”, ${v.materials.join(', ')}, ${v.weeks} weeks, bloc ${esc(v.bloc)}</p>`;
      check.dataset.state = 'valid';
    } catch (e) {
      if (mine !== seq) return;
      const items = e.issues.length
        ? e.issues.map((i) => `<li>${esc(i.file)}:${i.line ?? '?'}: <b>${esc(i.field)}</b>: expected ${esc(i.expected)}${i.found ? `, found ${esc(i.found)}` : ''}</li>`).join('')
        : `<li>${esc(e.message)}${e.field ? ` (field ${esc(e.field)})` : ''}</li>`;
      check.innerHTML = `<p class="error">✗ not valid</p><ul class="issues">${items}</ul>`;
      check.dataset.state = 'invalid';
    }
  }
  const soon = () => { clearTimeout(timer); timer = setTimeout(validate, 300); };

  function renderForm() {
    const top = TOP.map(([k, kind]) => `<label>${k}<input data-key="${k}" data-kind="${kind}" value="${esc(doc[k] === undefined ? '' : kind === 'list' ? (doc[k] || []).join(', ') : show(doc[k]))}"></label>`).join('');
    const events = (doc.event || []).map((ev, i) => `<fieldset><legend>event ${i + 1}: ${esc(ev.kind)} <button class="ghost" data-remove="${i}">remove</button></legend>${Object.entries(ev).map(([k, v]) => `<label>${esc(k)}<input data-event="${i}" data-key="${esc(k)}" value="${esc(show(v))}"></label>`).join('')}</fieldset>`).join('');
    form.innerHTML = top + events;
  }
  function fromForm() {
    ta.value = stringify(doc);
    soon();
  }
  form.addEventListener('input', (e) => {
    const i = e.target.dataset;
    if (!i.key) return;
    const v = read(e.target.value, i.kind);
    const target = i.event !== undefined ? doc.event[Number(i.event)] : doc;
    if (v === '' || (Array.isArray(v) && v.length === 0 && i.kind === 'list')) delete target[i.key];
    else target[i.key] = v;
    fromForm();
  });
  form.addEventListener('click', (e) => {
    if (e.target.dataset.remove === undefined) return;
    e.preventDefault();
    doc.event.splice(Number(e.target.dataset.remove), 1);
    renderForm();
    fromForm();
  });
  root.querySelector('#add').addEventListener('click', () => {
    doc.event = doc.event || [];
    doc.event.push({ ...TEMPLATES[root.querySelector('[name=add]').value] });
    renderForm();
    fromForm();
  });
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
