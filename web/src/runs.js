// Runs: the list, a run followed live over Server-Sent Events until it ends, its charts, two
// runs side by side, and a chokepoint ranking to submit.
import { api, dataset, el, esc, token } from './core.js';
import { simulation, montecarlo, chokepoints } from './charts.js';
import { planResult } from './plancharts.js';

const what = (r) => r.params.scenario || (r.params.scenario_id ? `stored scenario ${r.params.scenario_id}` : '')
  || r.params.plan || (r.params.plan_toml ? 'a submitted plan file' : '')
  || `${r.params.material || ''} ${r.params.bloc || ''}`.trim();
const FINAL = ['done', 'failed', 'cancelled'];

export async function runsView(root) {
  const d = await dataset();
  root.append(el(`<div class="panel"><h2>Rank chokepoints</h2><div class="controls">
    <label>Bloc <input name="bloc" value="QUAD" size="8"></label>
    <label>Material <select name="material">${d.materials.map((m) => `<option value="${m.id}"${m.id === 'cobalt' ? ' selected' : ''}>${esc(m.name)}</option>`).join('')}</select></label>
    <label>Outage, weeks <input name="weeks" type="number" value="26" min="1" style="width:5em"></label>
    <button id="choke">Run</button><span id="choke-msg"></span></div></div>`));
  const panel = root.appendChild(el('<div class="panel"><h2>Runs</h2><p><button id="compare" disabled>Compare the two selected</button> <span class="muted">Pick two runs.</span></p><table id="runs"><thead><tr><th></th><th>Run</th><th>Kind</th><th>Of</th><th>State</th><th>Created</th></tr></thead><tbody></tbody></table></div>'));
  const runs = await api('/api/runs?limit=100');
  panel.querySelector('tbody').innerHTML = runs.map((r) => `<tr><td><input type="checkbox" value="${r.id}"></td><td><a href="#run/${r.id}">#${r.id}</a></td><td>${r.kind}</td><td>${esc(what(r))}</td><td class="state-${r.state}">${r.state}${r.state === 'running' ? ` ${Math.round(r.progress * 100)}%` : ''}</td><td>${esc(r.created)}</td></tr>`).join('')
    || '<tr><td colspan="6" class="muted">No runs yet: run a scenario from the Scenario tab.</td></tr>';
  const btn = panel.querySelector('#compare');
  const picked = () => [...panel.querySelectorAll('input:checked')].map((x) => x.value);
  panel.addEventListener('change', () => { btn.disabled = picked().length !== 2; });
  btn.addEventListener('click', () => { const [a, b] = picked(); location.hash = `#compare/${a}/${b}`; });
  root.querySelector('#choke').addEventListener('click', async () => {
    const msg = root.querySelector('#choke-msg');
    if (!token()) { msg.innerHTML = ' <span class="error">Running needs an API token: paste one above.</span>'; return; }
    const v = (n) => root.querySelector(`[name=${n}]`).value;
    try {
      const r = await api('/api/runs', { method: 'POST', body: { kind: 'chokepoints', bloc: v('bloc'), material: v('material'), weeks: Number(v('weeks')) } });
      location.hash = `#run/${r.id}`;
    } catch (e) { msg.innerHTML = ` <span class="error">${esc(e.message)}</span>`; }
  });
}

/** Follows run `id` in `node`: progress live, then its charts. */
export async function showRun(node, id) {
  let run = await api(`/api/runs/${id}`);
  const head = node.appendChild(el(`<div class="panel run" data-run="${id}"><h2>Run #${id}: ${run.kind} of ${esc(what(run))}</h2>
    <div class="progress"><div style="width:0%"></div></div><p class="state"></p></div>`));
  const body = node.appendChild(el('<div></div>'));
  const bar = head.querySelector('.progress > div');
  const state = head.querySelector('.state');
  const seen = [];
  const update = (r) => {
    run = r;
    bar.style.width = `${Math.round((r.state === 'done' ? 1 : r.progress) * 100)}%`;
    state.className = `state state-${r.state}`;
    state.textContent = `${r.state}${r.state === 'running' ? ` · ${Math.round(r.progress * 100)}%` : ''}${r.message ? ` · ${r.message}` : ''}`;
    seen.push(r.state);
    head.dataset.states = seen.join(' ');
    head.dataset.state = r.state;
  };
  update(run);
  if (!FINAL.includes(run.state)) {
    const cancel = cancelButton(head, id, update);
    await follow(id, update, () => FINAL.includes(run.state));
    run = await api(`/api/runs/${id}`);
    update(run);
    cancel?.remove();
  }
  if (run.state !== 'done') return;
  // Every finished run has its printable page, stored with its result.
  head.querySelector('h2').insertAdjacentHTML('beforeend', ` <a class="button print" href="/api/runs/${id}/report.html" target="_blank" rel="noopener">Print briefing</a>`);
  if (run.params.scenario_id && token()) privatePrint(head.querySelector('a.print'));
  const result = await api(`/api/runs/${id}/result`);
  if (run.kind === 'simulate') await simulation(body, run, result, await api(`/api/runs/${id}/series`));
  else if (run.kind === 'montecarlo') await montecarlo(body, run, result);
  else if (run.kind === 'chokepoints') await chokepoints(body, run, result);
  else if (run.kind === 'plan') await planResult(body, run, result);
  head.dataset.rendered = '1';
}

/**
 * Follows the run's Server-Sent Events until `over()`. Read through fetch rather than
 * EventSource, which cannot send the token that a run of a private scenario needs.
 */
async function follow(id, update, over) {
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  try {
    const r = await fetch(`/api/runs/${id}/events`, { headers });
    if (!r.ok || !r.body) return;
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (/^event: ?update$/m.test(frame) && data) update(JSON.parse(data));
        if (over()) { reader.cancel(); return; }
      }
    }
  } catch { /* the state is read again below */ }
}

/** A private run's page needs the token: fetched with it and opened from memory. */
function privatePrint(a) {
  a.addEventListener('click', async (e) => {
    e.preventDefault();
    const w = window.open('', '_blank');
    const r = await fetch(a.href, { headers: { Authorization: `Bearer ${token()}` } });
    const blob = new Blob([await r.text()], { type: 'text/html' });
    w.location = URL.createObjectURL(blob);
  });
}

/** A "Cancel" button for a queued or running run (its author's token is needed to press it);
 * the state it answers with is shown at once. None without a token. */
function cancelButton(head, id, update) {
  if (!token()) return null;
  const p = head.appendChild(el('<p class="cancel"><button class="cancel-run">Cancel</button> <span class="msg"></span></p>'));
  const btn = p.querySelector('button');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const r = await api(`/api/runs/${id}/cancel`, { method: 'POST' });
      update(r);
      p.remove();
    } catch (e) {
      btn.disabled = false;
      p.querySelector('.msg').innerHTML = `<span class="error">${esc(e.message)}</span>`;
    }
  });
  return p;
}

export async function runView(root, id) {
  await showRun(root, id);
}

export async function compareView(root, a, b) {
  const row = root.appendChild(el('<div class="row compare"><div></div><div></div></div>'));
  await Promise.all([showRun(row.children[0], a), showRun(row.children[1], b)]);
}
