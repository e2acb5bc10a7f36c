// End-to-end tests of the dashboard in a real browser: Debian's chromium driven by
// playwright-core. Usage: node e2e/run.mjs URL TOKEN ARTIFACT_DIR. Each scenario prints PASS or
// FAIL with its time; screenshots go to ARTIFACT_DIR; the exit code is 1 if any failed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, tok, out] = process.argv.slice(2);
if (!url || !tok || !out) {
  console.error('usage: node e2e/run.mjs URL TOKEN ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const TIMEOUT = 120_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.setDefaultTimeout(TIMEOUT);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
// A refused request (the editor's 422 while a draft is invalid) is expected; a script error is not.
page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text()); });
// Nothing may be fetched from outside the server.
const outside = [];
page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) outside.push(r.url()); });

/** An API call with the token, from the test itself. */
async function call(method, path, body) {
  const r = await fetch(`${url}${path}`, {
    method, headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const v = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${v.error}`);
  return v;
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}
const shot = (name) => page.screenshot({ path: join(out, `${name}.png`) });
// A fresh page load per view: a change of hash alone would keep the previous view's state.
const go = async (hash) => {
  await page.goto('about:blank');
  await page.goto(`${url}/${hash}`);
  await page.waitForSelector('#view[data-ready="1"]');
};
/** Pixels of a chart's canvas that are neither blank nor the page's background. */
const inked = (sel) => page.$eval(`${sel} canvas`, (c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && !(d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245)) n++;
  return n;
});
/** Submits the shipped scenario `name` from the editor as `kind`; returns the run id. */
async function runFromEditor(name, kind = 'simulate') {
  await go(`#editor?scenario=${name}`);
  await page.waitForSelector('#check[data-state="valid"]');
  await page.click(kind === 'simulate' ? '#run-sim' : '#run-mc');
  await page.waitForFunction(() => /^#run\/\d+$/.test(location.hash));
  return Number((await page.evaluate(() => location.hash)).split('/')[1]);
}

let drcRun = null;
const scenarios = [
  ['the map draws the countries', async () => {
    await go('#map?material=cobalt&stage=mining');
    await page.waitForSelector('#map[data-countries]');
    const n = Number(await page.getAttribute('#map', 'data-countries'));
    check(n >= 10, `only ${n} producing countries matched to shapes`);
    await page.waitForTimeout(800);
    const px = await inked('#map');
    check(px > 50_000, `the map canvas has only ${px} drawn pixels`);
    check((await page.textContent('.headline')).includes('Dem. Rep. of the Congo'), 'the headline names the top producer');
    await shot('map');
  }],
  ['a click on a country opens its profile', async () => {
    // Kinshasa's longitude and latitude, through the chart's own projection.
    const [x, y] = await page.evaluate(() => window.quadrant.charts.map.convertToPixel({ seriesIndex: 0 }, [23.6, -2.9]));
    const box = await page.$eval('#map', (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top]; });
    await page.mouse.click(box[0] + x, box[1] + y);
    await page.waitForSelector('#profile h2[data-country="COD"]');
    const text = await page.textContent('#profile');
    check(text.includes('Dem. Rep. of the Congo'), 'the profile is titled by name');
    check(/Cobalt\s*mining/.test(text), 'the profile lists cobalt mining');
    check(text.includes('China'), 'the profile names trade partners (China) by name');
    await shot('profile');
  }],
  ['the supply Sankey shows the flows through the adversary', async () => {
    await go('#supply?material=lithium');
    await page.waitForSelector('#sankey[data-links]');
    check(Number(await page.getAttribute('#sankey', 'data-links')) > 3, 'links drawn');
    const head = await page.textContent('.headline');
    check(/passed through China/.test(head), `headline: ${head}`);
    check((await inked('#sankey')) > 10_000, 'the Sankey is drawn');
    await shot('supply');
  }],
  ['the tables give each figure its source on hover', async () => {
    await go('#tables');
    await page.waitForSelector('#concentration tbody tr');
    const t = await page.getAttribute('#concentration tbody tr td.num[title]', 'title');
    check(/Data year \d{4}\./.test(t) && /https?:\/\//.test(t), `hover text: ${t}`);
    check((await page.$$('#dependence tbody tr')).length > 0, 'a dependence table');
  }],
  ['the brief prints: a page with a title and full citations', async () => {
    await go('#tables');
    await page.waitForSelector('#concentration tbody tr');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#print-brief')]);
    await popup.waitForLoadState();
    check(new URL(popup.url()).pathname === '/api/brief.html', `the print view: ${popup.url()}`);
    const t = await popup.title();
    check(/QUAD|Quad/.test(t), `title: ${t}`);
    const text = await popup.textContent('body');
    // A full citation: publisher, title and address, not only a source id.
    check(/International Energy Agency\. Critical Minerals Data Explorer/.test(text) && /https:\/\/www\.iea\.org\//.test(text), 'the IEA citation in full');
    await popup.screenshot({ path: join(out, 'brief-print.png') });
    await popup.close();
  }],
  ['the editor validates as you type, naming file:line:field', async () => {
    await page.goto(`${url}/#map`);
    await page.fill('#token', tok);
    await page.dispatchEvent('#token', 'change');
    await go('#editor?scenario=drc-cobalt-2025');
    await page.waitForSelector('#check[data-state="valid"]');
    const good = await page.inputValue('#toml');
    await page.fill('#toml', good.replace('exporter = "COD"', 'exporter = "XXQ"'));
    await page.dispatchEvent('#toml', 'input');
    await page.waitForSelector('#check[data-state="invalid"]');
    const issue = await page.textContent('#check .issues');
    check(/drc-cobalt-2025\.toml:\d+: \S*exporter: expected a country id/.test(issue), `issue: ${issue}`);
    await shot('editor-invalid');
  }],
  ['the editor form patches the TOML in place: its comments stay', async () => {
    await go('#editor?scenario=drc-cobalt-2025');
    await page.waitForSelector('#check[data-state="valid"]');
    const before = await page.inputValue('#toml');
    const notes = before.split('\n').filter((l) => l.trim().startsWith('#'));
    check(notes.length > 0, 'the shipped scenario has comments');
    await page.fill('#form input[data-key="name"]:not([data-table])', 'Edited "DRC" 2025');
    await page.fill('#form input[data-table="event"][data-index="0"][data-key="start_week"]', '6');
    await page.waitForFunction(() => document.querySelector('#check[data-state="valid"]')?.textContent.includes('Edited "DRC" 2025'));
    const after = await page.inputValue('#toml');
    check(after.includes('name = "Edited \\"DRC\\" 2025"'), `the name line: ${after.split('\n').find((l) => l.startsWith('name'))}`);
    check(/\[\[event\]\][^[]*start_week = 6/.test(after), 'the first event starts in week 6');
    const lost = notes.filter((l) => !after.includes(l));
    check(lost.length === 0, `comments lost: ${lost.join(' | ')}`);
    check(after.split('\n').length === before.split('\n').length, 'the same lines, two of them changed');
    await shot('editor-form-edit');
  }],
  ['a policy added from the form runs', async () => {
    await go('#editor?scenario=drc-cobalt-2025');
    await page.waitForSelector('#check[data-state="valid"]');
    const before = await page.inputValue('#toml');
    check(!before.includes('[[policy]]'), 'no policy to start with');
    await page.selectOption('[name=add-policy]', 'stockpile');
    await page.click('#add-policy');
    await page.waitForSelector('#form fieldset[data-table="policy"]');
    await page.fill('#form input[data-table="policy"][data-index="0"][data-key="weeks"]', '12');
    await page.waitForFunction(() => /\[\[policy\]\]\nkind = "stockpile"[^[]*weeks = 12/.test(document.querySelector('#toml').value));
    const after = await page.inputValue('#toml');
    check(after.startsWith(before.trimEnd()), 'the shipped text kept as it was, the policy appended');
    await page.waitForSelector('#check[data-state="valid"]');
    await shot('editor-policy');
    await page.click('#run-sim');
    await page.waitForFunction(() => /^#run\/\d+$/.test(location.hash));
    await page.waitForSelector('.run[data-state="done"]');
    const id = Number((await page.evaluate(() => location.hash)).split('/')[1]);
    const run = await call('GET', `/api/runs/${id}`);
    const sc = await call('GET', `/api/scenarios/${run.params.scenario_id}`);
    check(/\[\[policy\]\]\nkind = "stockpile"/.test(sc.toml), 'the stored scenario has the policy');
    // And removed again from the form: the text returns to the shipped one.
    await go('#editor?scenario=drc-cobalt-2025');
    await page.waitForSelector('#check[data-state="valid"]');
    await page.click('#add-substitution');
    await page.waitForSelector('#form fieldset[data-table="substitution"]');
    await page.click('#form button[data-remove="substitution"]');
    await page.waitForFunction((t) => document.querySelector('#toml').value.trimEnd() === t, before.trimEnd());
  }],
  ['the DRC cobalt scenario runs from the UI with live progress and its shortfall chart', async () => {
    // Both workers busy with long Monte Carlo runs, so that the DRC run waits in the queue and
    // the page follows it through the event stream: queued, then running, then done.
    const blockers = [];
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', '/api/runs', { kind: 'montecarlo', scenario: 'montecarlo-quad', runs: 20000, seed: i + 1 });
      blockers.push(r.id);
    }
    const id = await runFromEditor('drc-cobalt-2025');
    drcRun = id;
    await page.waitForSelector(`.run[data-run="${id}"][data-state="queued"]`);
    for (const b of blockers) await call('POST', `/api/runs/${b}/cancel`);
    await page.waitForSelector(`.run[data-run="${id}"][data-state="done"]`);
    const states = (await page.getAttribute('.run', 'data-states')).split(' ');
    check(states[0] === 'queued' && states.at(-1) === 'done' && states.length >= 2, `states seen live: ${states}`);
    await page.waitForSelector('.shortfall[data-ready="1"]');
    const axis = await page.evaluate(() => {
      const c = window.quadrant.echarts.getInstanceByDom(document.querySelector('.shortfall'));
      const o = c.getOption();
      return { x: o.xAxis[0].data, n: o.series.length, peak: Math.max(...o.series[0].data) };
    });
    check(axis.x.length === 104 && /^\d{4}-\d{2}-\d{2}$/.test(axis.x[0]), `dates on the x axis: ${axis.x[0]}`);
    check(axis.n === 5 && axis.peak > 0, 'bloc and four members, with a shortfall');
    check((await page.textContent('.kpis')).includes('Japan'), 'members by name');
    // The export suspension's window, shaded from the series' event windows.
    const area = await page.evaluate(() => {
      const o = window.quadrant.echarts.getInstanceByDom(document.querySelector('.shortfall')).getOption();
      return o.series[0].markArea?.data || [];
    });
    check(area.length >= 1 && /^2025-0[1-3]-\d\d$/.test(area[0][0].xAxis) && area[0][1].xAxis > area[0][0].xAxis, `shaded window: ${JSON.stringify(area)}`);
    check((await page.textContent('.event-windows')).includes('Congo'), 'the window named');
    await shot('run-drc-cobalt');
  }],
  ['two runs side by side', async () => {
    const second = await runFromEditor('drc-mine-outage');
    await page.waitForSelector(`.run[data-run="${second}"][data-state="done"]`);
    await go('#runs');
    check(drcRun, 'the DRC run of the previous scenario');
    await page.check(`#runs input[value="${drcRun}"]`);
    await page.check(`#runs input[value="${second}"]`);
    await page.click('#compare');
    await page.waitForFunction(() => document.querySelectorAll('.compare .run[data-rendered="1"]').length === 2);
    check((await page.$$('.compare .shortfall[data-ready="1"]')).length === 2, 'a shortfall chart on each side');
    await shot('compare');
  }],
  ['the ethical-cobalt plan runs from the UI: its portfolio on the map, the funding matrix', async () => {
    await go('#plan?plan=ethical-cobalt');
    check((await page.inputValue('[name=plan]')) === 'ethical-cobalt', 'the plan chosen from the URL');
    await page.click('#run-plan');
    await page.waitForFunction(() => /^#run\/\d+$/.test(location.hash));
    await page.waitForSelector('.run[data-state="done"]', { timeout: 120_000 });
    const states = (await page.getAttribute('.run', 'data-states')).split(' ');
    check(states.includes('running') && states.at(-1) === 'done', `states seen live: ${states}`);
    await page.waitForSelector('#plan-map[data-ready="1"]');
    const n = Number(await page.getAttribute('#plan-map', 'data-markers'));
    check(n >= 1, `${n} portfolio markers`);
    // The first marker is drawn where the map puts its host: the marker's colour at that pixel.
    const px = await page.evaluate(() => {
      const c = window.quadrant.charts.planMap;
      const [x, y] = c.convertToPixel({ geoIndex: 0 }, c.getOption().series[0].data[0].value.slice(0, 2));
      const canvas = document.querySelector('#plan-map canvas');
      const k = canvas.width / canvas.clientWidth;
      return [...canvas.getContext('2d').getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data];
    });
    check(px[0] > 200 && px[1] > 130 && px[1] < 190 && px[2] < 130, `marker colour at its host: ${px}`);
    const cells = await page.$$eval('#funding tbody td.num', (tds) => tds.map((td) => Number(td.textContent) || 0));
    check(cells.some((v) => v > 0), `a non-zero cell in the funding matrix: ${cells}`);
    const text = await page.textContent('#view');
    check(!/\b(us_dod|jogmec|cobalt_blue_kwinana)\b/.test(text), 'names, not ids');
    check(text.includes('Australia') && text.includes('Kwinana'), 'host and project by name');
    check(await page.$('.run a.print'), 'a Print briefing link on the finished plan');
    await shot('plan-ethical-cobalt');
  }],
  ['a plan file edited in the plan view: line:field issues, then the shipped text runs', async () => {
    await go('#plan?plan=ethical-cobalt');
    await page.waitForSelector('#plan-check[data-state="valid"]');
    const text = await page.inputValue('#plan-toml');
    check(text.includes('alpha = 0.9'), 'the shipped plan\'s TOML, pre-filled');
    const line = text.split('\n').findIndex((l) => l.startsWith('alpha = 0.9')) + 1;
    await page.fill('#plan-toml', text.replace('alpha = 0.9', 'alpha = 1.5'));
    await page.waitForSelector('#plan-check[data-state="invalid"]');
    const issue = await page.textContent('#plan-check .issues');
    check(issue.includes(`submitted.toml:${line}: objective.alpha: expected a number`) && !issue.includes('expected expected'), `issue: ${issue}`);
    // A submission is refused with the same words.
    await page.click('#run-plan-file');
    await page.waitForSelector('#plan-file-msg .issues');
    check((await page.textContent('#plan-file-msg')).includes(`submitted.toml:${line}: objective.alpha`), 'the refused run names line and field');
    await shot('plan-file-invalid');
    await page.fill('#plan-toml', text);
    await page.waitForSelector('#plan-check[data-state="valid"]');
    await page.click('#run-plan-file');
    await page.waitForFunction(() => /^#run\/\d+$/.test(location.hash));
    const id = Number((await page.evaluate(() => location.hash)).split('/')[1]);
    await page.waitForSelector(`.run[data-run="${id}"]`);
    const run = await call('GET', `/api/runs/${id}`);
    check(run.kind === 'plan' && run.params.plan_toml === text, 'a plan run of the submitted text');
    await call('POST', `/api/runs/${id}/cancel`).catch(() => {});
  }],
  ['Monte Carlo and chokepoint charts', async () => {
    await go('#editor?scenario=montecarlo-quad');
    await page.fill('[name=runs]', '40');
    const id = await runFromEditor('montecarlo-quad', 'montecarlo').catch(() => null);
    check(id, 'Monte Carlo submitted');
    await page.waitForSelector('.mc[data-ready="1"]');
    await shot('montecarlo');
    // Its printable page, rendered when the run ended and stored with the result.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('.run a.print')]);
    await popup.waitForLoadState();
    check(new URL(popup.url()).pathname === `/api/runs/${id}/report.html`, `the print view: ${popup.url()}`);
    const t = await popup.title();
    check(t.startsWith('Quadrant Monte Carlo: '), `title: ${t}`);
    check((await popup.$$('svg.chart')).length >= 3, 'the distributions charted');
    check((await popup.textContent('body')).includes('Key findings'), 'findings first');
    await popup.screenshot({ path: join(out, 'montecarlo-print.png'), fullPage: true });
    await popup.close();
    await go('#runs');
    await page.click('#choke');
    await page.waitForSelector('.choke[data-ready="1"]', { timeout: 300_000 });
    check((await page.textContent('.run h2')).includes('chokepoints'), 'a chokepoint run');
    await shot('chokepoints');
  }],
  ['a running plan is cancelled from its page', async () => {
    // The coordinated-funding plan solves for minutes: cancelled mid-solve, it ends at once.
    await go('#plan?plan=coordinated-funding');
    await page.click('#run-plan');
    await page.waitForFunction(() => /^#run\/\d+$/.test(location.hash));
    await page.waitForSelector('.run[data-state="running"] .cancel-run');
    const t = Date.now();
    await page.click('.cancel-run');
    await page.waitForSelector('.run[data-state="cancelled"]');
    const ms = Date.now() - t;
    check(!(await page.$('.cancel-run')), 'no Cancel button once cancelled');
    check((await page.textContent('.run .state')).includes('cancelled by its author'), 'the state says who cancelled');
    console.log(`  cancelled ${ms} ms after the click`);
    await shot('plan-cancelled');
  }],
];

let failed = 0;
const t0 = Date.now();
for (const [name, f] of scenarios) {
  const t = Date.now();
  try {
    await f();
    console.log(`PASS ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
    await shot(`failed-${scenarios.findIndex((s) => s[0] === name)}`).catch(() => {});
  }
}
if (pageErrors.length) { failed++; console.log(`FAIL the page logged errors: ${pageErrors.slice(0, 5).join(' | ')}`); }
if (outside.length) { failed++; console.log(`FAIL requests left the server: ${outside.slice(0, 5).join(' ')}`); }
await browser.close();
console.log(`${scenarios.length - failed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s); screenshots in ${out}`);
process.exit(failed ? 1 : 0);
