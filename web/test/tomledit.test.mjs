// Unit tests of the editor's in-place TOML patching (node --test web/test/*.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { formatValue, scan, setValue, appendTable, removeTable, readField } from '../src/tomledit.js';

const shipped = (name) => readFileSync(new URL(`../../data/scenarios/${name}.toml`, import.meta.url), 'utf8');
const comments = (t) => t.split('\n').filter((l) => l.trim().startsWith('#'));

const DOC = `# A scenario
name = "x" # the name
weeks = 104

# The ban
[[event]]
kind = "export_restriction"
share = 0.0 # a ban
start_week = [2, 6]

# The mine
[[event]]
kind = "capacity_loss"
share = 0.5

[[policy]]
kind = "stockpile"
weeks = 8
`;

test('values are written as TOML', () => {
  assert.equal(formatValue('a "b" \\ c\n'), '"a \\"b\\" \\\\ c\\n"');
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(formatValue(8), '8');
  assert.equal(formatValue(true), 'true');
  assert.equal(formatValue(['JPN', 'USA']), '["JPN", "USA"]');
  assert.equal(formatValue([2, 6.5]), '[2, 6.5]');
  for (const v of ['é ü "q"', 'tab\there', 'ctrl\u0001', 'del\u007f']) {
    assert.equal(parse(`k = ${formatValue(v)}`).k, v);
  }
});

test('a top-level key is replaced on its own line, its comment kept', () => {
  const t = setValue(DOC, null, 'name', 'y "quoted"');
  assert.ok(t.includes('name = "y \\"quoted\\"" # the name'));
  assert.equal(parse(t).name, 'y "quoted"');
  assert.deepEqual(comments(t), comments(DOC));
  assert.equal(t.split('\n').length, DOC.split('\n').length);
});

test('an absent top-level key goes before the first table and its comments', () => {
  const t = setValue(DOC, null, 'bloc', 'QUAD');
  const lines = t.split('\n');
  assert.equal(lines[3], 'bloc = "QUAD"');
  assert.equal(lines[5], '# The ban');
  assert.equal(parse(t).bloc, 'QUAD');
  // Not in the [[event]] tables.
  assert.equal(parse(t).event[0].bloc, undefined);
});

test('a cleared key loses its line', () => {
  const t = setValue(DOC, null, 'weeks', undefined);
  assert.ok(!/^weeks = 104/m.test(t));
  assert.equal(parse(t).policy[0].weeks, 8);
  assert.equal(parse(t).weeks, undefined);
  assert.equal(setValue(DOC, null, 'absent', undefined), DOC);
});

test('a field of the N-th table is replaced inside that table only', () => {
  const t = setValue(DOC, { table: 'event', index: 1 }, 'share', 0.75);
  const d = parse(t);
  assert.equal(d.event[1].share, 0.75);
  assert.equal(d.event[0].share, 0);
  assert.ok(t.includes('share = 0.0 # a ban'));
  const u = setValue(DOC, { table: 'event', index: 0 }, 'start_week', [3, 9]);
  assert.deepEqual(parse(u).event[0].start_week, [3, 9]);
  const w = setValue(DOC, { table: 'policy', index: 0 }, 'weeks', 12);
  assert.equal(parse(w).policy[0].weeks, 12);
  assert.equal(parse(w).weeks, 104);
});

test('an absent field is inserted after the table\'s last key', () => {
  const t = setValue(DOC, { table: 'event', index: 0 }, 'duration_weeks', 26);
  const d = parse(t);
  assert.equal(d.event[0].duration_weeks, 26);
  assert.equal(d.event[1].duration_weeks, undefined);
  assert.deepEqual(comments(t), comments(DOC));
  assert.throws(() => setValue(DOC, { table: 'event', index: 5 }, 'x', 1), /no \[\[event\]\] number 6/);
});

test('a table is appended after the last of its kind', () => {
  const t = appendTable(DOC, 'event', { kind: 'demand_shift', factor: 1.2 });
  const d = parse(t);
  assert.equal(d.event.length, 3);
  assert.equal(d.event[2].kind, 'demand_shift');
  assert.ok(t.indexOf('demand_shift') < t.indexOf('[[policy]]'));
  const u = appendTable(DOC, 'substitution', { from: 'a', to: 'b', elasticity: 0.5, source: 'assumed: x' });
  assert.equal(parse(u).substitution[0].elasticity, 0.5);
  assert.ok(u.endsWith('source = "assumed: x"\n'));
  const v = appendTable('name = "n"', 'policy', { kind: 'pact' });
  assert.equal(v, 'name = "n"\n\n[[policy]]\nkind = "pact"\n');
});

test('a removed table takes its block and leaves the next one\'s comments', () => {
  const t = removeTable(DOC, 'event', 0);
  const d = parse(t);
  assert.equal(d.event.length, 1);
  assert.equal(d.event[0].kind, 'capacity_loss');
  assert.ok(t.includes('# The mine\n[[event]]'));
  assert.ok(!t.includes('a ban'));
  const u = removeTable(DOC, 'policy', 0);
  assert.equal(parse(u).policy, undefined);
  assert.ok(u.endsWith('share = 0.5\n'), JSON.stringify(u.slice(-30)));
});

test('multi-line values and strings are one key, and brackets inside them are not headers', () => {
  const text = 'description = """\n[[event]]\nnot a table\n"""\nmaterials = [\n  "cobalt", # one\n  "lithium",\n]\n\n[[event]]\nkind = "x"\n';
  const s = scan(text);
  assert.equal(s.headers.length, 1);
  assert.deepEqual(s.keys.map((k) => [k.key, k.line, k.end]), [['description', 0, 3], ['materials', 4, 7], ['kind', 10, 10]]);
  const t = setValue(text, null, 'materials', ['nickel']);
  assert.deepEqual(parse(t).materials, ['nickel']);
  assert.equal(parse(t).description, parse(text).description);
  assert.equal(parse(t).event[0].kind, 'x');
});

test('every shipped scenario survives a round of edits with its comments', () => {
  for (const name of ['quad-pact', 'drc-cobalt-2025', 'ree-april-2025', 'montecarlo-quad']) {
    const text = shipped(name);
    const before = parse(text);
    let t = setValue(text, null, 'name', 'edited');
    t = setValue(t, { table: 'event', index: 0 }, 'start_week', 5);
    t = appendTable(t, 'policy', { kind: 'stockpile', holders: 'bloc:QUAD', material: 'cobalt', weeks: 8 });
    const after = parse(t);
    assert.equal(after.name, 'edited', name);
    assert.equal(after.event[0].start_week, 5, name);
    assert.deepEqual(after.event.slice(1), before.event.slice(1), name);
    assert.equal(after.policy.length, (before.policy || []).length + 1, name);
    assert.deepEqual(comments(t), comments(text), name);
    const back = removeTable(t, 'policy', (before.policy || []).length);
    assert.deepEqual(parse(back).policy, before.policy, name);
  }
});

test('a text field stays a string, whatever it looks like', () => {
  assert.equal(readField('2025', 'text'), '2025');
  assert.equal(readField('true', 'text'), 'true');
  assert.equal(readField('[1, 2]', 'text'), '[1, 2]');
  assert.equal(readField('  ', 'text'), undefined);
  assert.equal(readField('2025', 'any'), 2025);
  assert.equal(readField('0.5', 'number'), 0.5);
  assert.equal(readField('false', 'any'), false);
  assert.deepEqual(readField('[2, 6]', 'any'), [2, 6]);
  assert.equal(readField('bloc:QUAD', 'any'), 'bloc:QUAD');
  assert.deepEqual(readField('cobalt, lithium,', 'list'), ['cobalt', 'lithium']);
  assert.equal(readField('', 'list'), undefined);
  assert.equal(parse(setValue('name = "a"\n', null, 'name', readField('2025', 'text'))).name, '2025');
});

test('a file with CRLF line endings keeps them', () => {
  const crlf = DOC.replace(/\n/g, '\r\n');
  let t = setValue(crlf, { table: 'event', index: 1 }, 'share', 0.25);
  t = appendTable(t, 'substitution', { from: 'a', to: 'b' });
  t = removeTable(t, 'event', 0);
  assert.ok(!/[^\r]\n/.test(t), JSON.stringify(t));
  assert.equal(parse(t).event[0].share, 0.25);
  assert.equal(parse(t).substitution[0].to, 'b');
});
