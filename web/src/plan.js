// The planner: choose a shipped plan (GET /api/plans), run it as a background job, checked by
// the simulator on request, and follow it on the run page (#run/ID), where its result is drawn
// (plancharts.js). Or edit the plan file (pre-filled with the shipped plan's TOML, or loaded
// from disk), checked as you type (POST /api/plans/validate), and run that. Earlier plan runs
// are listed below.
import { api, dataset, planNames, el, esc, issuesHtml, liveCheck, token, nameOf } from './core.js';

const COMPARE = (p) => [
  p.without_ethics && 'the same plan without its ethics constraints (the price of ethics)',
  p.coordination && 'national plans against the pooled one (the value of coordination)',
  p.frontier_points > 0 && `a risk–cost frontier of ${p.frontier_points} points`,
].filter(Boolean);

export async function planView(root, params) {
  const [d, names, plans, runs] = await Promise.all([dataset(), planNames(), api('/api/plans'), api('/api/runs?limit=200')]);
  const start = params.get('plan') || 'ethical-cobalt';
  root.append(el(`<div class="panel"><h2>Plan: which projects the alliance's financiers should fund, where, by whom and when</h2>
    <div class="controls">
      <label>Shipped plan <select name="plan">${plans.map((p) => `<option value="${esc(p.name)}">${esc(p.title)}</option>`).join('')}</select></label>
      <label class="check"><span><input type="checkbox" name="verify"> check the portfolio with the simulator (verify)</span></label>
      <button id="run-plan">Run plan</button><span id="plan-msg"></span>
    </div><div id="plan-about"></div></div>`));
  const sel = root.querySelector('[name=plan]');
  sel.value = plans.some((p) => p.name === start) ? start : plans[0].name;
  const about = root.querySelector('#plan-about');
  const describe = () => {
    const p = plans.find((x) => x.name === sel.value);
    const bloc = names.bloc.get(p.bloc);
    const mats = p.materials.map((m) => d.materials.find((x) => x.id === m)?.name || m).join(', ');
    const cmp = COMPARE(p);
    about.innerHTML = `<p class="headline">${esc(p.summary)}</p>
      <p class="muted">Bloc ${esc(p.bloc)}${bloc ? ` (${bloc.members.map((m) => esc(nameOf(d, m))).join(', ')})` : ''} · ${esc(mats)} · ${p.horizon_years} years ·
      risk over ${p.futures} futures of the simulator's “${esc(p.scenario)}”.${cmp.length ? ` Also computes ${cmp.join('; ')}.` : ''}
      Verifying runs the simulator's Monte Carlo on the same futures with and without the portfolio.</p>`;
  };
  sel.addEventListener('change', describe);
  describe();

  /** Submits a plan run (`body`: plan or plan_toml) and follows it on the run page. */
  async function submit(body, msg) {
    if (!token()) { msg.innerHTML = ' <span class="error">Running needs an API token: paste one above (quadrant token create).</span>'; return; }
    msg.textContent = ' submitting…';
    try {
      const r = await api('/api/runs', { method: 'POST', body: { kind: 'plan', ...body, verify: root.querySelector('[name=verify]').checked } });
      location.hash = `#run/${r.id}`;
    } catch (e) {
      msg.innerHTML = e.issues.length ? `<span class="error">not run:</span>${issuesHtml(e)}` : ` <span class="error">${esc(e.message)}${e.field ? ` (field ${esc(e.field)})` : ''}</span>`;
    }
  }
  root.querySelector('#run-plan').addEventListener('click', () => submit({ plan: sel.value }, root.querySelector('#plan-msg')));
  await planFile(root, sel, submit);

  const title = (r) => plans.find((p) => p.name === r.params.plan)?.title || (r.params.plan_toml ? 'a submitted plan file' : r.params.plan);
  const mine = runs.filter((r) => r.kind === 'plan');
  root.append(el(`<div class="panel"><h2>Plan runs</h2><table id="plan-runs"><thead><tr><th>Run</th><th>Plan</th><th>Verified</th><th>State</th><th>Created</th></tr></thead><tbody>${
    mine.map((r) => `<tr><td><a href="#run/${r.id}">#${r.id}</a></td><td>${esc(title(r))}</td><td>${r.params.verify ? 'yes' : 'no'}</td><td class="state-${r.state}">${r.state}${r.state === 'running' ? ` ${Math.round(r.progress * 100)}%` : ''}</td><td>${esc(r.created)}</td></tr>`).join('')
    || '<tr><td colspan="5" class="muted">No plan runs yet.</td></tr>'}</tbody></table></div>`));
}

/** The plan file editor: the TOML of the shipped plan chosen (or of a local file), checked as
 * you type, and run as `plan_toml`. */
async function planFile(root, sel, submit) {
  const box = root.appendChild(el(`<div class="panel"><h2>Plan file</h2>
    <p class="muted">The chosen plan's TOML: edit it, or load your own file, and run it. Issues are named as a run would name them (submitted.toml:LINE).</p>
    <div class="controls"><label>Load a .toml file <input type="file" id="plan-file" accept=".toml,text/plain"></label>
      <button id="run-plan-file">Run this plan file</button></div><div id="plan-file-msg"></div>
    <div id="plan-check" aria-live="polite"></div>
    <textarea class="toml" id="plan-toml" spellcheck="false"></textarea></div>`));
  const ta = box.querySelector('#plan-toml');
  const check = box.querySelector('#plan-check');
  const { validate, soon } = liveCheck(check,
    () => api('/api/plans/validate', { method: 'POST', body: { plan_toml: ta.value } }),
    (v) => `“${esc(v.title)}”, bloc ${esc(v.bloc)}, ${v.materials.map(esc).join(', ')}, ${v.horizon_years} years, ${v.futures} futures`);
  async function load() {
    ta.value = (await api(`/api/plans/${encodeURIComponent(sel.value)}`)).toml;
    validate();
  }
  const msg = box.querySelector('#plan-file-msg');
  ta.addEventListener('input', () => { msg.replaceChildren(); soon(); });
  sel.addEventListener('change', load);
  box.querySelector('#plan-file').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    if (!f) return;
    ta.value = await f.text();
    validate();
  });
  box.querySelector('#run-plan-file').addEventListener('click', () => submit({ plan_toml: ta.value }, msg));
  await load();
}
