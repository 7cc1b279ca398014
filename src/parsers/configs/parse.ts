import type { ConfigNode, ConfigTree, Platform } from '../../model/config.js';
import { detectPlatformLines, isSetForm } from './detect.js';

/** A file that is not a device configuration (binary, empty, unrecognizable, too large). */
export class ConfigError extends Error {
  constructor(readonly file: string, message: string, readonly line?: number) {
    super(message);
  }
}

/** Largest file we treat as a configuration. The biggest real configs we know are a few MiB. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

export interface ParseOptions {
  /** Skip detection and parse as this platform (tests, `--platform`). */
  platform?: Platform;
}

/**
 * The children of a statement that has none: one shared, frozen empty array instead of one per line (most
 * statements are leaves; the allocations were a good part of the parser's GC time). The parser swaps in a real
 * array at the first child; anything else trying to add to it throws instead of corrupting other nodes.
 */
const NO_CHILDREN = Object.freeze([]) as unknown as ConfigNode[];

/** Normalizes one statement: trims and collapses blank runs (fast path when there is nothing to do). */
function norm(s: string): string {
  const t = s.trim();
  if (t.indexOf('  ') < 0 && t.indexOf('\t') < 0) return t;
  return t.replace(/\s+/g, ' ');
}

/** Rejects what is plainly not text: NUL bytes or a high share of control characters near the start. */
export function binaryReason(text: string): string | undefined {
  const n = Math.min(text.length, 8192);
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return `binary content (NUL byte at offset ${i})`;
    if ((c < 9 || (c > 13 && c < 32) || c === 0xfffd) && c !== 3 /* ^C banner delimiter */) ctrl++;
  }
  if (n > 0 && ctrl / n > 0.1) return `binary content (${Math.round((ctrl / n) * 100)}% control characters in the first ${n} characters)`;
  return undefined;
}

/**
 * Parses a configuration into a tree of statements that keeps line numbers. Throws ConfigError when the
 * text is not a configuration; never throws anything else on any input.
 */
export function parseConfig(text: string, file: string, opts: ParseOptions = {}): ConfigTree {
  if (text.length === 0 || text.trim().length === 0) throw new ConfigError(file, 'empty file');
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(file, `too large for a device configuration (${text.length} characters; limit ${MAX_CONFIG_BYTES})`);
  const bin = binaryReason(text);
  if (bin) throw new ConfigError(file, bin);
  const lines = text.split('\n');
  // Drop the \r of CRLF files once, so every later step sees clean lines.
  if (text.indexOf('\r') >= 0) for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  let platform: Platform;
  let form: ConfigTree['form'];
  if (opts.platform) {
    platform = opts.platform;
    form = platform === 'junos' ? (isSetForm(text) ? 'set' : 'curly') : 'indent';
  } else {
    const d = detectPlatformLines(lines);
    if (d.platform === 'unknown') throw new ConfigError(file, 'not a recognizable device configuration (no platform markers found)');
    platform = d.platform;
    form = d.form;
  }
  const tree: ConfigTree = { file, platform, form, hostname: '', hostnameLine: 0, nodes: [], lines, warnings: [] };
  if (platform === 'junos') {
    if (form === 'set') parseJunosSet(tree); else parseJunosCurly(tree);
  } else parseIndented(tree);
  if (tree.nodes.length === 0) throw new ConfigError(file, 'no configuration statements found');
  if (platform !== 'junos') checkTruncation(tree, text);
  findHostname(tree);
  return tree;
}

const HEADER_RE = /^(?:Building configuration|Current configuration\s*:|Last configuration change|Using \d+ out of \d+ bytes|No l4r_shim)/;
const BANNER_RE = /^banner (\S+)(?: (.*))?$/;

function parseIndented(tree: ConfigTree): void {
  const { lines, platform } = tree;
  const stackNodes: ConfigNode[] = [];
  const stackInd: number[] = [];
  const root = tree.nodes;
  const isXr = platform === 'iosxr';
  const isAsa = platform === 'asa';
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    let ind = 0;
    const len = raw.length;
    while (ind < len) {
      const c = raw.charCodeAt(ind);
      if (c === 32 || c === 9) ind++; else break;
    }
    if (ind === len) continue;
    const c0 = raw.charCodeAt(ind);
    if (c0 === 33 /* ! */) continue;
    if (isAsa && c0 === 58 /* : */) continue;
    if (isXr && c0 === 35 /* # */) continue;
    const text = norm(raw);
    if (text.length === 0) continue;
    if (ind === 0) {
      if (text === 'end') continue;
      // headers start with an upper-case letter; statements never do (cheap test before the regex)
      if (c0 >= 65 && c0 <= 90 && HEADER_RE.test(text)) continue;
    }
    if (text === 'exit' || text.startsWith('exit-') || text === 'end-policy' || text === 'end-set' || text === 'end-group' || text === 'end-if' || text === 'quit') {
      continue;
    }
    while (stackInd.length && stackInd[stackInd.length - 1] >= ind) { stackInd.pop(); stackNodes.pop(); }
    const parent = stackNodes.length ? stackNodes[stackNodes.length - 1] : undefined;
    const node: ConfigNode = { text, line: i + 1, children: NO_CHILDREN, parent };
    if (parent) {
      if (parent.children === NO_CHILDREN) parent.children = [node]; else parent.children.push(node);
    } else root.push(node);
    stackInd.push(ind);
    stackNodes.push(node);
    // Banners: the body is text, not statements. Skip to the closing delimiter.
    if (text.charCodeAt(0) === 98 /* b */ && ind === 0 && text.startsWith('banner ')) {
      const end = bannerEnd(lines, i, text, platform);
      if (end < 0) tree.warnings.push({ line: i + 1, message: 'banner without a closing delimiter: the rest of the file was read as banner text' });
      i = end < 0 ? lines.length : end;
    }
  }
}

/** Returns the index of the banner's last line (or -1 when it never closes). */
function bannerEnd(lines: string[], i: number, text: string, platform: Platform): number {
  const m = BANNER_RE.exec(text);
  if (!m || platform === 'asa') return i;
  const rest = (m[2] ?? '').trimStart();
  if (rest === '') {
    // EOS: `banner login` then text until a line `EOF`.
    if (platform === 'eos') {
      for (let j = i + 1; j < lines.length; j++) if (lines[j].trim() === 'EOF') return j;
      return -1;
    }
    return i;
  }
  let delim: string;
  if (rest.startsWith('^C')) delim = '^C';
  else delim = rest[0];
  const after = rest.slice(delim.length);
  if (after.includes(delim)) return i;
  for (let j = i + 1; j < lines.length; j++) if (lines[j].includes(delim)) return j;
  return -1;
}

/** Splits one Junos line into tokens `{`, `}`, `;` and statement text, honouring quotes. */
function junosSegments(s: string): string[] {
  // Fast path (most lines): no quotes or comments, one terminator at the end.
  if (s.indexOf('"') < 0 && s.indexOf('#') < 0) {
    const last = s.charCodeAt(s.length - 1);
    if (last === 59 || last === 123 || last === 125) {
      const body = s.slice(0, -1);
      if (body.indexOf(';') < 0 && body.indexOf('{') < 0 && body.indexOf('}') < 0) {
        const b = body.trim();
        return b ? [b, s[s.length - 1]] : [s[s.length - 1]];
      }
    }
  }
  const out: string[] = [];
  let from = 0;
  const flush = (to: number) => { const x = s.slice(from, to).trim(); if (x) out.push(x); };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) {
      // skip the quoted string (backslash escapes included)
      i++;
      while (i < s.length && s.charCodeAt(i) !== 34) { if (s.charCodeAt(i) === 92) i++; i++; }
      continue;
    }
    if (c === 35 /* # */) {
      const p = i === 0 ? 32 : s.charCodeAt(i - 1);
      // `## SECRET-DATA` annotations and trailing comments
      if (p === 32 || p === 59 || p === 125 || p === 123) { flush(i); return out; }
    }
    if (c === 123 || c === 125 || c === 59) {
      flush(i);
      out.push(s[i]);
      from = i + 1;
    }
  }
  flush(s.length);
  return out;
}

function stripInactive(s: string): string {
  if (s.startsWith('inactive: ')) return s.slice(10);
  if (s.startsWith('protect: ')) return s.slice(9);
  if (s.startsWith('replace: ')) return s.slice(9);
  return s;
}

function parseJunosCurly(tree: ConfigTree): void {
  const { lines } = tree;
  const path: string[] = [];
  const hadChild: boolean[] = [];
  const headerLine: number[] = [];
  let blocks: { text: string; line: number }[] = [];
  let prefix = '';
  let inComment = false;
  let pending = '';
  let pendingLine = 0;
  const emit = (text: string, line: number) => {
    const t = prefix + norm(text);
    tree.nodes.push({ text: t, line, children: NO_CHILDREN, blocks });
    if (hadChild.length) hadChild[hadChild.length - 1] = true;
  };
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i];
    if (inComment) {
      const e = s.indexOf('*/');
      if (e < 0) continue;
      s = s.slice(e + 2);
      inComment = false;
    }
    const b = s.indexOf('/*');
    if (b >= 0 && !s.slice(0, b).includes('"')) {
      const e = s.indexOf('*/', b + 2);
      if (e < 0) { inComment = true; s = s.slice(0, b); } else s = s.slice(0, b) + s.slice(e + 2);
    }
    const t = s.trim();
    if (!t || t.startsWith('#')) continue;
    for (const seg of junosSegments(t)) {
      if (seg === '{') {
        const h = stripInactive(norm(pending));
        path.push(h);
        hadChild.push(false);
        headerLine.push(pendingLine || i + 1);
        blocks = [...blocks, { text: h, line: pendingLine || i + 1 }];
        prefix = prefix + h + ' ';
        if (hadChild.length > 1) hadChild[hadChild.length - 2] = true;
        pending = '';
        pendingLine = 0;
      } else if (seg === '}') {
        if (pending) { emit(stripInactive(pending), pendingLine); pending = ''; pendingLine = 0; }
        if (!path.length) { tree.warnings.push({ line: i + 1, message: 'unbalanced "}"' }); continue; }
        const h = path.pop()!;
        const had = hadChild.pop();
        const hl = headerLine.pop()!;
        blocks = blocks.slice(0, -1);
        prefix = path.length ? path.join(' ') + ' ' : '';
        if (!had) emit(h, hl);
      } else if (seg === ';') {
        if (pending) emit(stripInactive(pending), pendingLine);
        pending = '';
        pendingLine = 0;
      } else {
        // A statement may continue on the next line (long `[ ... ]` lists); join until `;` or `{`.
        pending = pending ? pending + ' ' + seg : seg;
        if (!pendingLine) pendingLine = i + 1;
      }
    }
  }
  if (pending) emit(stripInactive(pending), pendingLine);
  if (path.length) {
    tree.truncated = `ends inside ${path.length} unclosed block${path.length === 1 ? '' : 's'} (${path.join(' > ')})`;
    tree.warnings.push({ line: lines.length, message: tree.truncated });
  }
}

function parseJunosSet(tree: ConfigTree): void {
  const { lines } = tree;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (!t || t.charCodeAt(0) === 35 /* # */) continue;
    if (t.startsWith('set ')) {
      const body = t.slice(4);
      const text = body.indexOf('"') < 0 && body.indexOf('#') < 0 && body.indexOf(';') < 0
        ? norm(body)
        : norm(junosSegments(body).filter((x) => x !== ';').join(' '));
      if (text) tree.nodes.push({ text, line: i + 1, children: NO_CHILDREN });
    } else if (t.startsWith('deactivate ') || t.startsWith('delete ') || t.startsWith('activate ')) {
      // Operational edits in a set listing: kept as statements so checks and diffs can see them.
      tree.nodes.push({ text: norm(t), line: i + 1, children: NO_CHILDREN });
    } else if (!/^(?:version |\{master|\{primary|\{backup|\{linecard)/.test(t)) {
      tree.warnings.push({ line: i + 1, message: 'not a set statement' });
    }
  }
}

/**
 * IOS-family exports say how long the configuration is (`Current configuration : N bytes`) and end with
 * `end`; a file well short of that, or with the header but no `end`, was cut off.
 */
function checkTruncation(tree: ConfigTree, text: string): void {
  const m = /^Current configuration\s*:\s*(\d+) bytes/m.exec(text.slice(0, 4096));
  let last = tree.lines.length - 1;
  while (last >= 0 && tree.lines[last].trim() === '') last--;
  const endsWithEnd = last >= 0 && tree.lines[last].trim() === 'end';
  if (m && !endsWithEnd) {
    const declared = Number(m[1]);
    const have = Buffer.byteLength(text.slice(m.index), 'utf8');
    if (have < declared * 0.8) tree.truncated = `has ${have} of the ${declared} bytes its header declares and no final "end"`;
    else tree.truncated = 'has a "Current configuration" header but no final "end"';
  }
  if (tree.truncated) tree.warnings.push({ line: tree.lines.length, message: tree.truncated });
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/, '$1').replace(/;$/, '');
}

function findHostname(tree: ConfigTree): void {
  if (tree.platform === 'junos') {
    for (const n of tree.nodes) {
      const m = /^(?:groups \S+ )?system host-name (\S+)/.exec(n.text);
      if (m) { tree.hostname = unquote(m[1]); tree.hostnameLine = n.line; return; }
    }
  } else {
    for (const n of tree.nodes) {
      if (n.text.startsWith('hostname ') || n.text.startsWith('switchname ')) {
        tree.hostname = unquote(n.text.slice(n.text.indexOf(' ') + 1).trim());
        tree.hostnameLine = n.line;
        return;
      }
    }
  }
  const base = tree.file.split(/[\\/]/).pop() ?? tree.file;
  tree.hostname = base.replace(/\.(?:cfg|conf|config|txt|log)$/i, '');
}

/** Every statement of the tree in file order (depth first). */
export function* walk(nodes: readonly ConfigNode[]): Generator<ConfigNode> {
  for (const n of nodes) {
    yield n;
    if (n.children.length) yield* walk(n.children);
  }
}
