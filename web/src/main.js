// The workbench's page: a hash router over the views, and the token box (kept in
// localStorage; only writes send it).
import { disposeCharts, status, token, setToken, esc, echarts } from './core.js';
import { mapView } from './map.js';
import { supplyView } from './supply.js';
import { tablesView } from './tables.js';
import { editorView } from './editor.js';
import { runsView, runView, compareView } from './runs.js';
import { planView } from './plan.js';

window.quadrant = { charts: {}, echarts };

async function route() {
  const [path, query] = (location.hash.slice(1) || 'map').split('?');
  const parts = path.split('/');
  const params = new URLSearchParams(query || '');
  const root = document.getElementById('view');
  disposeCharts();
  window.quadrant.charts = {};
  root.replaceChildren();
  root.dataset.view = parts[0];
  delete root.dataset.ready;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('on', a.getAttribute('href') === `#${parts[0] === 'run' || parts[0] === 'compare' ? 'runs' : parts[0]}`);
  }
  status('');
  try {
    if (parts[0] === 'supply') await supplyView(root, params);
    else if (parts[0] === 'tables') await tablesView(root, params);
    else if (parts[0] === 'editor') await editorView(root, params);
    else if (parts[0] === 'plan') await planView(root, params);
    else if (parts[0] === 'runs') await runsView(root, params);
    else if (parts[0] === 'run') await runView(root, Number(parts[1]));
    else if (parts[0] === 'compare') await compareView(root, Number(parts[1]), Number(parts[2]));
    else await mapView(root, params);
    root.dataset.ready = '1';
  } catch (e) {
    root.insertAdjacentHTML('beforeend', `<p class="error">${esc(e.message)}</p>`);
    status(e.message, 'error');
  }
}

const box = document.getElementById('token');
box.value = token();
box.addEventListener('change', () => setToken(box.value));
window.addEventListener('hashchange', route);
route();
