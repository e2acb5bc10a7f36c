// What every view shares: the API client (the token from localStorage on writes), the
// dataset's names and citations, number formats and the ECharts build (modular imports, so
// that the bundle holds only the charts used).
import * as echarts from 'echarts/core';
import { MapChart, SankeyChart, LineChart, BarChart, ScatterChart, HeatmapChart } from 'echarts/charts';
import {
  GeoComponent, TooltipComponent, VisualMapComponent, GridComponent, LegendComponent,
  TitleComponent, MarkAreaComponent, MarkLineComponent, DataZoomComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([MapChart, SankeyChart, LineChart, BarChart, ScatterChart, HeatmapChart, GeoComponent,
  TooltipComponent, VisualMapComponent, GridComponent, LegendComponent, TitleComponent,
  MarkAreaComponent, MarkLineComponent, DataZoomComponent, CanvasRenderer]);
export { echarts };

const TOKEN_KEY = 'quadrant.token';
export const token = () => localStorage.getItem(TOKEN_KEY) || '';
export function setToken(t) {
  if (t) localStorage.setItem(TOKEN_KEY, t.trim());
  else localStorage.removeItem(TOKEN_KEY);
}

/** An API error: the server's message, the field it names and a scenario's issues. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.field = body.field;
    this.issues = body.issues || [];
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // Writes need the token; reads of runs and scenarios send it too, since a stored scenario
  // and its runs are visible to their author alone until shared.
  if (token() && (method !== 'GET' || /^\/api\/(runs|scenarios)\b/.test(path))) headers.Authorization = `Bearer ${token()}`;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let v;
  try { v = text ? JSON.parse(text) : null; } catch { v = { error: text }; }
  if (!r.ok) throw new ApiError(r.status, v || {});
  return v;
}

let meta;
/** Countries, materials, sources and blocs, fetched once. */
export async function dataset() {
  if (!meta) {
    meta = Promise.all([
      api('/api/dataset/countries'), api('/api/dataset/materials'), api('/api/dataset/sources'),
    ]).then(([countries, materials, sources]) => {
      const byId = new Map(countries.map((c) => [c.id, c]));
      // Map shapes are keyed by ISO 3166-1 numeric code (not BACI's, which differs for a few).
      const byM49 = new Map(countries.filter((c) => c.iso_numeric != null)
        .map((c) => [String(c.iso_numeric).padStart(3, '0'), c.id]));
      return { countries, materials, sources, byId, byM49, sourceById: new Map(sources.map((s) => [s.id, s])) };
    });
  }
  return meta;
}

let planMeta;
/** Financiers, candidate projects and blocs by id, fetched once (names for a plan's ids). */
export async function planNames() {
  if (!planMeta) {
    planMeta = Promise.all([api('/api/dataset/financiers'), api('/api/dataset/candidates'), api('/api/dataset/blocs')])
      .then(([fin, cands, blocs]) => ({
        financier: new Map(fin.map((f) => [f.id, f])),
        project: new Map(cands.map((c) => [c.id, c])),
        bloc: new Map(blocs.map((b) => [b.id, b])),
      }));
  }
  return planMeta;
}

/** A country's name ("Rest of world" for aggregates), never its ISO code when the dataset knows it. */
export function nameOf(d, id) {
  return d.byId.get(id)?.name || id;
}

/** The full citation of a source string such as "IEA-2025+BACI-HS92-V202401b 2024". */
export function citation(d, src, year) {
  if (!src) return '';
  const parts = [...new Set(src.split(/[+ ]/).filter(Boolean))].map((id) => {
    const s = d.sourceById.get(id);
    if (!s) return /^\d{4}$/.test(id) ? null : id;
    return `${s.id}: ${s.publisher}. ${s.title}. ${s.edition}. ${s.url} (${s.licence})`;
  }).filter(Boolean);
  return (year ? `Data year ${year}. ` : '') + parts.join(' | ');
}

export const pct = (x, d = 1) => (x == null || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.1 ? d : 0)}%`);
export function tonnes(t) {
  if (t == null) return '–';
  const a = Math.abs(t);
  if (a >= 1e6) return `${(t / 1e6).toFixed(2)} Mt`;
  if (a >= 1e3) return `${(t / 1e3).toFixed(a >= 1e5 ? 0 : 1)} kt`;
  return `${t.toFixed(a >= 100 ? 0 : 1)} t`;
}
export const title = (s) => s.charAt(0).toUpperCase() + s.slice(1);
/** Millions of US dollars, as a reader writes them. */
export function usd(m) {
  if (m == null || Number.isNaN(m)) return '–';
  const a = Math.abs(m);
  if (a >= 1000) return `USD ${(m / 1000).toFixed(a >= 1e4 ? 0 : 1)} bn`;
  if (a < 0.05) return 'USD 0';
  return `USD ${m.toFixed(a >= 100 ? 0 : 1)} m`;
}
/** A long name cut for an axis label (the tooltip gives it whole). */
export const cut = (s, n = 28) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** An element from HTML text. */
export function el(html) {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
}
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

/** An ECharts instance on `node`, resized with the window, disposed with the view. */
const charts = new Set();
export function chart(node) {
  const c = echarts.init(node, null, { renderer: 'canvas' });
  charts.add(c);
  return c;
}
export function disposeCharts() {
  for (const c of charts) c.dispose();
  charts.clear();
}
window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

export function status(msg, cls = '') {
  const s = document.getElementById('status');
  s.textContent = msg;
  s.className = cls;
}

export const BLOC_COLOR = '#1d6fb8';
export const ADV_COLOR = '#c1121f';
export const PALETTE = ['#1d6fb8', '#f4a261', '#2a9d8f', '#8d5fd3', '#e76f51', '#6c757d', '#e9c46a', '#264653'];

/** A refused file's issues as `FILE:LINE: field: expected …` items (or the one message). */
export function issuesHtml(e) {
  const items = e.issues.length
    // A plan's issues say "expected …" themselves; a scenario's give only what is expected.
    ? e.issues.map((i) => `<li>${esc(i.file)}:${i.line ?? '?'}: <b>${esc(i.field)}</b>: ${/^expected\b/.test(i.expected) ? '' : 'expected '}${esc(i.expected)}${i.found ? `, found ${esc(i.found)}` : ''}</li>`).join('')
    : `<li>${esc(e.message)}${e.field ? ` (field ${esc(e.field)})` : ''}</li>`;
  return `<ul class="issues">${items}</ul>`;
}

/**
 * Checks a text as it is typed: `validate()` asks `request()` and shows `ok(answer)` or the
 * refusal's issues in `check` (an answer to an older text is dropped); `soon()` waits for a
 * pause in typing. `check.dataset.state` is what the browser tests wait on.
 */
export function liveCheck(check, request, ok) {
  let timer;
  let seq = 0;
  async function validate() {
    const mine = ++seq;
    check.dataset.state = 'checking';
    check.innerHTML = '<p class="muted">checking…</p>';
    try {
      const v = await request();
      if (mine !== seq) return;
      check.innerHTML = `<p class="ok">✓ valid: ${ok(v)}</p>`;
      check.dataset.state = 'valid';
    } catch (e) {
      if (mine !== seq) return;
      check.innerHTML = `<p class="error">✗ not valid</p>${issuesHtml(e)}`;
      check.dataset.state = 'invalid';
    }
  }
  // 'pending' at once: what is shown no longer answers the text (the tests wait on it).
  const soon = () => { check.dataset.state = 'pending'; clearTimeout(timer); timer = setTimeout(validate, 300); };
  return { validate, soon };
}
