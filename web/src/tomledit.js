// Edits TOML text in place, so that the scenario editor's form keeps the file's comments and
// layout: a key's value is replaced on its own line, a table is appended after its kind's last
// block or removed with its block. Pure functions on text; reading TOML is smol-toml's job.

const BARE = /^[A-Za-z0-9_-]+$/;
const KEY = /^(\s*)((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)(\s*=\s*)/;
const HEADER = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;

/** A TOML value as written: strings quoted and escaped, numbers, booleans, arrays. */
export function formatValue(v) {
  if (typeof v === 'string') {
    // JSON's escapes (\" \\ \n \t \uXXXX) are TOML's basic-string escapes.
    return JSON.stringify(v).replace(/\u007f/g, '\\u007F');
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v && typeof v === 'object') {
    return `{ ${Object.entries(v).map(([k, x]) => `${formatKey(k)} = ${formatValue(x)}`).join(', ')} }`;
  }
  throw new Error(`no TOML form for ${String(v)}`);
}

const formatKey = (k) => (BARE.test(k) ? k : JSON.stringify(k));
const unquote = (k) => k.split(/\s*\.\s*/).map((p) => (p.startsWith('"') ? JSON.parse(p) : p.startsWith("'") ? p.slice(1, -1) : p)).join('.');

/**
 * Walks `line` from `from` with the state carried over from the lines above: open multi-line
 * string (`str`) and bracket depth (`depth`). Returns the new state and where a comment
 * starts on this line (-1 if none).
 */
function walk(line, from, state) {
  let { str, depth } = state;
  let i = from;
  while (i < line.length) {
    if (str) {
      if (str === '"""' && line[i] === '\\') { i += 2; continue; }
      if (line.startsWith(str, i)) { i += 3; str = null; continue; }
      i++;
      continue;
    }
    const c = line[i];
    if (c === '#') return { str, depth, comment: i };
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) { str = line.slice(i, i + 3); i += 3; continue; }
    if (c === '"' || c === "'") {
      i++;
      while (i < line.length && line[i] !== c) i += c === '"' && line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    i++;
  }
  return { str, depth, comment: -1 };
}

/**
 * The text's structure, line by line: `headers` ({name, array, line}) and `keys` ({key, line,
 * end, section, prefix, comment}), `section` the index of the header above (-1: the top).
 */
export function scan(text) {
  const lines = text.split(/\r?\n/);
  const headers = [];
  const keys = [];
  let state = { str: null, depth: 0 };
  let open = null;
  lines.forEach((line, n) => {
    if (open) {
      state = walk(line, 0, state);
      open.end = n;
      open.comment = state.comment >= 0 ? line.slice(state.comment) : '';
      if (!state.str && state.depth <= 0) open = null;
      return;
    }
    const h = HEADER.exec(line);
    if (h && !KEY.test(line)) {
      headers.push({ name: unquote(h[2]), array: h[1] === '[[', line: n });
      return;
    }
    const k = KEY.exec(line);
    if (!k) return;
    state = walk(line, k[0].length, { str: null, depth: 0 });
    const c = state.comment >= 0 ? line.slice(state.comment) : '';
    const item = { key: unquote(k[2]), line: n, end: n, section: headers.length - 1, prefix: k[0], comment: c };
    keys.push(item);
    if (state.str || state.depth > 0) open = item;
  });
  // Lines are joined back with the file's own line ending.
  return { lines, headers, keys, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** The header index of the `index`-th `[[table]]` (0-based), or -1 for the top section. */
function sectionOf(s, where) {
  if (!where) return -1;
  const all = s.headers.map((h, i) => [h, i]).filter(([h]) => h.array && h.name === where.table);
  if (!all[where.index]) throw new Error(`no [[${where.table}]] number ${where.index + 1}`);
  return all[where.index][1];
}

/** The trailing comment of a replaced value, kept with one space before it. */
const tail = (c) => (c ? ` ${c.trim()}` : '');

/**
 * Sets `key` to `value` in the top section (`where` null) or in the `where.index`-th
 * `[[where.table]]`: replaces its value, inserts the line after the section's last key when
 * absent, removes it when `value` is undefined.
 */
export function setValue(text, where, key, value) {
  const s = scan(text);
  const section = sectionOf(s, where);
  const found = s.keys.find((k) => k.section === section && k.key === key);
  const lines = [...s.lines];
  if (found) {
    if (value === undefined) lines.splice(found.line, found.end - found.line + 1);
    else lines.splice(found.line, found.end - found.line + 1, `${found.prefix}${formatValue(value)}${tail(found.comment)}`);
    return lines.join(s.eol);
  }
  if (value === undefined) return text;
  const line = `${formatKey(key)} = ${formatValue(value)}`;
  const mine = s.keys.filter((k) => k.section === section);
  let at;
  if (mine.length) at = mine[mine.length - 1].end + 1;
  else if (section >= 0) at = s.headers[section].line + 1;
  else at = topInsertAt(s);
  lines.splice(at, 0, line);
  return lines.join(s.eol);
}

/** Where a new top-level key goes when the top has none: before the first header's comments. */
function topInsertAt(s) {
  if (!s.headers.length) return trimEnd(s.lines, s.lines.length);
  return trimEnd(s.lines, s.headers[0].line);
}
/** Moves `at` up past blank and comment lines just above it. */
function trimEnd(lines, at) {
  let n = at;
  while (n > 0 && /^\s*(#.*)?$/.test(lines[n - 1])) n--;
  return n;
}

/** The last line of a section's own content: its header or its last key's last line. */
function lastLine(s, section) {
  const mine = s.keys.filter((k) => k.section === section);
  return mine.length ? mine[mine.length - 1].end : s.headers[section].line;
}

/** Appends a `[[table]]` block with `fields`, after the last block of that table if any. */
export function appendTable(text, table, fields) {
  const s = scan(text);
  const block = [`[[${table}]]`, ...Object.entries(fields).map(([k, v]) => `${formatKey(k)} = ${formatValue(v)}`)];
  const same = s.headers.map((h, i) => [h, i]).filter(([h]) => h.array && h.name === table);
  const lines = [...s.lines];
  if (same.length) {
    const at = lastLine(s, same[same.length - 1][1]) + 1;
    lines.splice(at, 0, '', ...block);
    return lines.join(s.eol);
  }
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return [...lines, '', ...block, ''].join(s.eol);
}

/**
 * Removes the `index`-th `[[table]]` block: its header to its last key, and the blank lines
 * after it; comments after its last key belong to what follows and stay.
 */
export function removeTable(text, table, index) {
  const s = scan(text);
  const section = sectionOf(s, { table, index });
  const from = s.headers[section].line;
  let to = lastLine(s, section) + 1;
  while (to < s.lines.length && s.lines[to].trim() === '') to++;
  const lines = [...s.lines];
  lines.splice(from, to - from);
  // A block at the end leaves the blank line that separated it from the one before.
  if (to >= s.lines.length) {
    while (lines.length > 1 && lines[lines.length - 1].trim() === '' && lines[lines.length - 2].trim() === '') lines.pop();
  }
  return lines.join(s.eol);
}

/**
 * A form field's text as a TOML value, `undefined` when empty (the key is removed): `text`
 * stays a string whatever it looks like, `list` is comma-separated strings, anything else is
 * a boolean, a number or a JSON array when it reads as one, else the string typed.
 */
export function readField(text, kind) {
  const t = text.trim();
  if (t === '') return undefined;
  if (kind === 'text') return text;
  if (kind === 'list') {
    const v = t.split(',').map((x) => x.trim()).filter(Boolean);
    return v.length ? v : undefined;
  }
  if (t === 'true' || t === 'false') return t === 'true';
  if (!Number.isNaN(Number(t))) return Number(t);
  if (t.startsWith('[')) { try { return JSON.parse(t); } catch { /* a string as typed */ } }
  return text;
}
