// bench/audit: `tidewatch audit` over a fleet of 10,000 device configurations on one core.
// Issue 2: configs/s and MB/s, peak RSS, memory flat with fleet size; target >= 2,000 configs/s for 1,000-line configs.
//
// The fleet is made from the real corpus (../shared/corpus/configs, found as test/corpus.ts finds it): each config
// takes one corpus file, gives it its own hostname, shifts its IPv4 addresses, drops a few leaf statements, adds a
// few statements an intruder or a careless admin would (IOS-style and Junos set-form platforms), and repeats the
// body with renumbered addresses until it reaches its size (300 to 5,000 lines, log-uniform), cut at a top-level
// statement boundary so it still parses. Written once to a cached temp folder (reused while the generator version
// and sizes match), in 10 subfolders of 1,000 configs, plus a set of 1,000 configs of about 1,000 lines.
//
// Measured in this process through auditFiles() (the code `tidewatch audit` runs: list, read, parse, checks,
// findings) with each device rendered by the JSON Lines report writer (as `--format jsonl`, output discarded):
//   - 1,000-line set: configs/s and MB/s (target >= 2,000 configs/s); also the real CLI once on it, output to /dev/null
//   - whole fleet: configs/s, MB/s, lines/s; RSS and heap after 1,000 and after 10,000 configs; peak RSS
//   - reference: reading the same files (readFile + count newlines) and `LC_ALL=C grep -c` over them
//
// Usage: npm run bench -- audit   (or: node --expose-gc bench/audit/run.mjs [--configs 10000] [--cache DIR] [--regen])
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { auditFiles, builtinChecks, SummaryBuilder } from '../../dist/src/pipeline/audit.js';
import { parseConfig } from '../../dist/src/parsers/configs/parse.js';
import { JsonlReportWriter } from '../../dist/src/sinks/audit-report.js';
import { siteFromObject } from '../../dist/src/site/load.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const argStr = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const N = Number(argStr('configs') ?? 10_000);
const PER_DIR = 1000;
const N1K = Math.min(1000, N);
const TARGET = 2000;
const GEN_VERSION = 4;
const CACHE = argStr('cache') ?? join(tmpdir(), `tw-bench-audit-v${GEN_VERSION}-${N}`);

const SHARED = [resolve(ROOT, '../shared'), process.env.TIDEWATCH_SHARED, '/work/shared'].filter(Boolean).find((d) => existsSync(join(d, 'corpus')));
if (!SHARED) { console.error('bench/audit: the shared corpus was not found (../shared, $TIDEWATCH_SHARED, /work/shared)'); process.exit(2); }
const CORPUS = join(SHARED, 'corpus', 'configs');

const gc = () => { if (globalThis.gc) { globalThis.gc(); globalThis.gc(); } };
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const fmt = (n) => n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0);
const rssNow = () => process.memoryUsage().rss;
/** CPU seconds of this process (user + system): on a shared machine a steadier measure of one core's work than wall time. */
const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ------------------------------------------------------------------------------------------- generation
let seed = 0x2f6b1d;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
const rint = (a, b) => a + Math.floor(rnd() * (b - a + 1));

const INSERTS = {
  ios: ['ip http server', 'snmp-server community pub1ic RW', 'username svc-backup privilege 15 secret 0 Winter2024!', 'no service password-encryption', 'ip ssh version 1', 'logging host 203.0.113.77'],
  iosxe: ['ip http server', 'snmp-server community pub1ic RW', 'username svc-backup privilege 15 secret 0 Winter2024!', 'logging host 203.0.113.77'],
  nxos: ['feature telnet', 'snmp-server community pub1ic group network-admin', 'username svc-backup password 0 Winter2024! role network-admin'],
  eos: ['management telnet', 'snmp-server community pub1ic rw', 'username svc-backup privilege 15 secret 0 Winter2024!'],
  asa: ['telnet 0.0.0.0 0.0.0.0 outside', 'snmp-server community pub1ic', 'username svc-backup password Winter2024! privilege 15'],
  iosxr: ['telnet vrf default ipv4 server max-servers 10', 'snmp-server community pub1ic RW'],
  junosset: ['set system services telnet', 'set snmp community pub1ic authorization read-write', 'set system syslog host 203.0.113.77 any any'],
};

function shiftIps(line, k) {
  if (!k || line.indexOf('.') < 0) return line;
  return line.replace(/\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g, (m, a, b, c, d) => {
    const A = Number(a);
    if (A === 0 || A >= 224 || A === 255 || Number(b) > 255) return m; // masks, wildcards, multicast
    return `${A}.${(Number(b) + k) % 256}.${c}.${d}`;
  });
}

const HEADER_RE = /^(?:Building configuration|Current configuration|!RANCID|!Time:|!Command:|!Last configuration change|!NVRAM config last updated)/;
const HOST_RE = /^(\s*)(hostname|host-name|set system host-name|switchname)(\s+)("?)[^\s;"]+("?)(;?)\s*$/;

/** Loads the corpus: every file that parses, with its platform, form and lines. */
function loadBases() {
  const bases = [];
  for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.cfg')).sort()) {
    const text = readFileSync(join(CORPUS, f), 'utf8').replace(/\r\n/g, '\n');
    let tree;
    try { tree = parseConfig(text, f); } catch { continue; }
    if (tree.truncated) continue;
    const lines = text.split('\n');
    while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
    if (lines.length < 20) continue;
    bases.push({ file: f, platform: tree.platform, form: tree.form, lines, hasEnd: tree.form === 'indent' && lines.some((l) => l === 'end') });
  }
  return bases;
}

/** Index just past each line where a cut leaves a well-formed config (top-level boundary). */
function cutPoints(base) {
  const pts = [];
  const L = base.lines;
  if (base.form === 'curly') {
    let depth = 0;
    for (let i = 0; i < L.length; i++) {
      const l = L[i].replace(/"[^"]*"/g, '').replace(/#.*$/, '');
      for (const ch of l) { if (ch === '{') depth++; else if (ch === '}') depth--; }
      if (depth === 0) pts.push(i + 1);
    }
  } else {
    for (let i = 0; i < L.length; i++) {
      const next = L[i + 1];
      if (next === undefined || (next.length && next[0] !== ' ' && next[0] !== '\t')) pts.push(i + 1);
    }
  }
  return pts;
}

/** One generated config of about `target` lines from `base` (number `n` in the fleet). */
function makeConfig(base, n, target) {
  const out = [];
  const inserts = base.form === 'set' ? INSERTS.junosset : INSERTS[base.platform];
  const pts = base.pts;
  let copy = 0;
  const k0 = (n * 7) % 200;
  while (out.length < target) {
    const k = (k0 + copy * 13) % 256;
    // cut the copy at the first boundary that reaches the target (or take it whole)
    const need = target - out.length;
    let end = base.lines.length;
    if (base.lines.length > need) end = pts.find((p) => p >= need) ?? base.lines.length;
    for (let i = 0; i < end; i++) {
      let l = base.lines[i];
      if (base.form === 'indent' && (l === 'end' || (copy > 0 && HEADER_RE.test(l)))) continue; // one header, one final end
      if (HOST_RE.test(l)) {
        if (copy > 0) continue;
        l = l.replace(HOST_RE, (_m, sp, kw, ws, q1, q2, semi) => `${sp}${kw}${ws}${q1}bench-${String(n).padStart(5, '0')}${q2}${semi}`);
      }
      // drop ~0.5% of leaf statements (never braces, never top-level lines)
      if (rnd() < 0.005 && /^\s+\S/.test(l) && !/[{}]/.test(l) && (base.form !== 'curly' || l.trimEnd().endsWith(';'))) continue;
      out.push(shiftIps(l, k));
      // now and then an intruder's (or careless) statement at top level, between sections
      if (inserts && rnd() < 0.002 && (base.form === 'set' || (base.lines[i + 1] !== undefined && /^\S/.test(base.lines[i + 1]) && base.form === 'indent'))) {
        out.push(inserts[rint(0, inserts.length - 1)]);
      }
    }
    copy++;
    if (copy > 2000) break;
  }
  if (base.hasEnd) out.push('end');
  return out.join('\n') + '\n';
}

function generate() {
  const t0 = performance.now();
  const bases = loadBases();
  for (const b of bases) b.pts = cutPoints(b);
  rmSync(CACHE, { recursive: true, force: true });
  let bytes = 0, lines = 0;
  for (let i = 0; i < N; i++) {
    const dir = join(CACHE, 'fleet', String(Math.floor(i / PER_DIR)).padStart(2, '0'));
    if (i % PER_DIR === 0) mkdirSync(dir, { recursive: true });
    const target = Math.round(300 * Math.exp(rnd() * Math.log(5000 / 300)));
    const base = bases[rint(0, bases.length - 1)];
    const text = makeConfig(base, i, target);
    bytes += text.length; lines += target;
    writeFileSync(join(dir, `bench-${String(i).padStart(5, '0')}.cfg`), text);
  }
  const d1 = join(CACHE, 'k1000');
  mkdirSync(d1, { recursive: true });
  for (let i = 0; i < N1K; i++) {
    const base = bases[rint(0, bases.length - 1)];
    writeFileSync(join(d1, `k-${String(i).padStart(4, '0')}.cfg`), makeConfig(base, 50_000 + i, 1000));
  }
  writeFileSync(join(CACHE, 'COMPLETE'), JSON.stringify({ version: GEN_VERSION, n: N, bases: bases.length, bytes, lines }));
  console.log(`generated ${N} configs (${mib(bytes)}) from ${bases.length} corpus files, and ${N1K} of ~1,000 lines, into ${CACHE} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv.includes('--regen') || !existsSync(join(CACHE, 'COMPLETE'))) generate();
else console.log(`reusing the generated fleet in ${CACHE}`);

// ------------------------------------------------------------------------------------------- measurement
const site = siteFromObject({}, '<default>');
const checks = builtinChecks();

/** Audits `paths` as `tidewatch audit --format jsonl` does; calls `at(count)` after each item. */
async function auditRun(paths, at) {
  const sb = new SummaryBuilder(site, checks);
  const w = new JsonlReportWriter();
  let out = 0, n = 0, bytes = 0, lines = 0;
  const c0 = cpuS();
  const t0 = performance.now();
  for await (const item of auditFiles(paths, { site, checks })) {
    sb.add(item);
    n++;
    if (item.device) {
      out += w.device(item.device).length;
    }
    if (at) at(n);
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuS() - c0;
  out += w.end([], sb.summary).length;
  return { s, cpu, n, out, summary: sb.summary, bytes, lines };
}

function folderSize(dir) {
  let bytes = 0, files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { const r = folderSize(p); bytes += r.bytes; files += r.files; } else { bytes += statSync(p).size; files++; }
  }
  return { bytes, files };
}

/** Reference 1: read every file and count its lines (what any reader pays: I/O, UTF-8 decoding, one pass). */
async function readRef(dir) {
  const t0 = performance.now();
  let lines = 0;
  const walk = async (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) await walk(p);
      else {
        const text = (await readFile(p)).toString('utf8');
        let i = -1;
        while ((i = text.indexOf('\n', i + 1)) >= 0) lines++;
      }
    }
  };
  await walk(dir);
  return { s: (performance.now() - t0) / 1000, lines };
}

/** Reference 2: GNU grep counting `interface` lines in every file. */
function grepRef(dir) {
  const t0 = performance.now();
  const r = spawnSync('grep', ['-r', '-c', '^interface', dir], { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
  return { s: (performance.now() - t0) / 1000, ok: r.status === 0 || r.status === 1 };
}

const fleetDir = join(CACHE, 'fleet');
const k1Dir = join(CACHE, 'k1000');
const fleetSize = folderSize(fleetDir);
const k1Size = folderSize(k1Dir);

// warm the page cache and measure the references
const refK1 = await readRef(k1Dir);
const refFleet = await readRef(fleetDir);
const grepFleet = grepRef(fleetDir);
const grepK1 = grepRef(k1Dir);

// 1,000-line configs: a warm-up pass
// (JIT, lazily compiled checks), then three measured passes: the median by CPU time is reported
await auditRun([k1Dir]);
const k1Runs = [];
for (let i = 0; i < 3; i++) k1Runs.push(await auditRun([k1Dir]));
k1Runs.sort((a, b) => a.cpu - b.cpu);
const k1 = k1Runs[1];
const k1Rate = k1.n / k1.s;

// the real CLI once on the same set (process start and rule loading included), output to /dev/null; and its start alone
const th = performance.now();
spawnSync(process.execPath, [CLI, 'audit', '--help'], { stdio: 'ignore' });
const startS = (performance.now() - th) / 1000;
const tc = performance.now();
const cli = spawnSync(process.execPath, [CLI, 'audit', '--format', 'jsonl', '--fail-on', 'none', k1Dir], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
const cliS = (performance.now() - tc) / 1000;

// whole fleet, one file at a time; memory after 1,000 and after all configs
gc();
const rssStart = rssNow();
const marks = {};
const fleet = await auditRun([fleetDir], (n) => {
  if (n === PER_DIR || n === N) { gc(); const m = process.memoryUsage(); marks[n] = { rss: m.rss, heap: m.heapUsed }; }
});
const fleetRate = fleet.n / fleet.s;
const peak = process.resourceUsage().maxRSS * 1024;

const sum = fleet.summary;
const fleetLines = refFleet.lines;
console.log(`\naudit of generated configs (from ${CORPUS}), ${checks.length} checks, Node ${process.version}, one core; load average ${loadavg()}`);
console.log(`  1,000-line set       ${k1.n} configs, ${mib(k1Size.bytes)}, ${fmt(refK1.lines)} lines`);
console.log(`    audit              ${fmt(k1Rate)} configs/s, ${(k1Size.bytes / 2 ** 20 / k1.s).toFixed(1)} MB/s, ${fmt(refK1.lines / k1.s)} lines/s   target >= ${fmt(TARGET)} configs/s: ${k1Rate >= TARGET ? 'met' : 'NOT met'}`);
console.log(`    per CPU-second     ${fmt(k1.n / k1.cpu)} configs, ${(k1Size.bytes / 2 ** 20 / k1.cpu).toFixed(1)} MB (${k1.cpu.toFixed(2)} CPU s over ${k1.s.toFixed(2)} s wall: the share of a core this process got); passes ${k1Runs.map((r) => fmt(r.n / r.cpu)).join(', ')} configs/CPU-s`);
console.log(`    the CLI            ${fmt(k1.n / cliS)} configs/s (${cliS.toFixed(2)} s for \`tidewatch audit --format jsonl\`, of which ~${startS.toFixed(2)} s process start, as \`audit --help\` takes; exit ${cli.status})`);
console.log(`    reference: read    ${fmt(k1.n / refK1.s)} configs/s, ${(k1Size.bytes / 2 ** 20 / refK1.s).toFixed(0)} MB/s (readFile + count lines)`);
console.log(`    reference: grep    ${fmt(k1.n / grepK1.s)} configs/s, ${(k1Size.bytes / 2 ** 20 / grepK1.s).toFixed(0)} MB/s (LC_ALL=C grep -r -c '^interface')`);
console.log(`  fleet                ${fleet.n} configs (300-5,000 lines), ${mib(fleetSize.bytes)}, ${fmt(fleetLines)} lines`);
console.log(`    audit              ${fmt(fleetRate)} configs/s, ${(fleetSize.bytes / 2 ** 20 / fleet.s).toFixed(1)} MB/s, ${fmt(fleetLines / fleet.s)} lines/s (${fleet.s.toFixed(1)} s)`);
console.log(`    per CPU-second     ${fmt(fleet.n / fleet.cpu)} configs, ${(fleetSize.bytes / 2 ** 20 / fleet.cpu).toFixed(1)} MB (${fleet.cpu.toFixed(1)} CPU s)`);
console.log(`    reference: read    ${fmt(fleet.n / refFleet.s)} configs/s, ${(fleetSize.bytes / 2 ** 20 / refFleet.s).toFixed(0)} MB/s`);
console.log(`    reference: grep    ${fmt(fleet.n / grepFleet.s)} configs/s, ${(fleetSize.bytes / 2 ** 20 / grepFleet.s).toFixed(0)} MB/s${grepFleet.ok ? '' : ' (grep failed)'}`);
console.log(`    result             ${sum.devices} devices, ${sum.errors} errors, ${sum.findings} findings; platforms ${JSON.stringify(sum.by_platform)}`);
const m1 = marks[PER_DIR], mN = marks[N];
if (m1 && mN) {
  console.log(`    memory             after ${PER_DIR} configs: RSS ${mib(m1.rss)}, heap ${mib(m1.heap)}; after ${N}: RSS ${mib(mN.rss)}, heap ${mib(mN.heap)} (RSS before the fleet ${mib(rssStart)})`);
}
console.log(`    peak RSS           ${mib(peak)} (whole process: the warm-up, the 1,000-line set and the fleet)`);
if (cli.status !== 0) console.log(`  CLI stderr: ${cli.stderr.slice(0, 500)}`);
