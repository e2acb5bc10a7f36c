// Builds the dashboard into crates/server/assets/, the folder the server embeds: app.js
// (esbuild, minified, ECharts tree-shaken), app.css, index.html and world.json (Natural Earth
// country shapes from world-atlas, converted to GeoJSON by topojson-client). The output depends
// only on the sources and the lockfile: CI rebuilds it and fails when it differs.
import * as esbuild from 'esbuild';
import { feature } from 'topojson-client';
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'crates', 'server', 'assets');
mkdirSync(out, { recursive: true });

// Every file is written whole: a temporary name, then a rename.
function write(name, data) {
  const tmp = join(out, `.${name}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, join(out, name));
}

const started = Date.now();
const js = await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
});
write('app.js', js.outputFiles[0].contents);

const css = await esbuild.build({
  entryPoints: [join(here, 'src', 'app.css')],
  bundle: true,
  minify: true,
  write: false,
  logLevel: 'warning',
});
write('app.css', css.outputFiles[0].contents);
write('index.html', readFileSync(join(here, 'src', 'index.html')));

// Country shapes keyed by ISO 3166-1 numeric code (the dataset's m49), coordinates rounded to
// 0.01° (about 1 km, far below what the 1:110m shapes resolve).
const topo = JSON.parse(readFileSync(join(here, 'node_modules', 'world-atlas', 'countries-110m.json'), 'utf8'));
const geo = feature(topo, topo.objects.countries);
const round = (c) => (typeof c[0] === 'number' ? c.map((x) => Math.round(x * 100) / 100) : c.map(round));
// A ring that crosses the antimeridian (Russia's Chukotka, Fiji) would be drawn as a band
// across the whole map: its points on the far side are pinned to the side most of it lies on.
const ring = (r) => {
  const xs = r.map((p) => p[0]);
  if (Math.max(...xs) - Math.min(...xs) <= 180) return r;
  const east = xs.filter((x) => x > 0).length >= xs.length / 2;
  return r.map(([x, y]) => [east ? (x < 0 ? 180 : x) : (x > 0 ? -180 : x), y]);
};
const mend = (g) => (g.type === 'Polygon'
  ? { type: g.type, coordinates: g.coordinates.map(ring) }
  : { type: g.type, coordinates: g.coordinates.map((poly) => poly.map(ring)) });
// Where a country's marker goes (the plan's portfolio): the area-weighted centroid of its
// largest polygon's outer ring, in plain longitude and latitude (the map is equirectangular).
const ringArea = (r) => r.reduce((a, [x, y], i) => { const [u, v] = r[(i + 1) % r.length]; return a + x * v - u * y; }, 0) / 2;
function centroid(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const outer = polys.map((p) => p[0]).reduce((a, b) => (Math.abs(ringArea(b)) > Math.abs(ringArea(a)) ? b : a));
  const a = ringArea(outer);
  let cx = 0;
  let cy = 0;
  outer.forEach(([x, y], i) => {
    const [u, v] = outer[(i + 1) % outer.length];
    const k = x * v - u * y;
    cx += (x + u) * k;
    cy += (y + v) * k;
  });
  return [Math.round((cx / (6 * a)) * 100) / 100, Math.round((cy / (6 * a)) * 100) / 100];
}
geo.features = geo.features
  // Antarctica (010) produces nothing on record and would take a fifth of the map.
  .filter((f) => f.geometry && f.id !== '010')
  .map((f) => {
    const geometry = mend({ type: f.geometry.type, coordinates: round(f.geometry.coordinates) });
    return {
      type: 'Feature',
      id: f.id ?? `x-${f.properties.name}`,
      properties: { name: f.id ?? `x-${f.properties.name}`, label: f.properties.name, centre: centroid(geometry) },
      geometry,
    };
  });
write('world.json', JSON.stringify(geo));
console.log(`built ${out} in ${Date.now() - started} ms`);
