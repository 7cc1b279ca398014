// bench/serve/ingest.mjs: the ingest path's CPU per line, for A/B runs of two builds (not part of `npm run bench`).
// Starts the built service (`node dist/src/cli/main.js serve`, shipped Sigma rules on), sends LINES generated syslog
// lines (../shared/tools/gen_syslog.py) unpaced over one TCP connection, and waits until tidewatch_store_rows
// {table="events"} counts them all. Prints one JSON line: lines/s, CPU µs per line over all threads of the service
// and of its main thread alone (from /proc), peak RSS, and the database file's size.
// Usage: node bench/serve/ingest.mjs [LINES=400000] [--root DIR (a checkout with dist/ built; default this one)]
//        [--cpu-prof DIR (V8 CPU profiles of the service's threads, written at exit)]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, peakRssKb } from '../lib/proc.mjs';

const args = process.argv.slice(2);
const ri = args.indexOf('--root');
const root = ri >= 0 ? resolve(args.splice(ri, 2)[1]) : resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pi = args.indexOf('--cpu-prof');
const profDir = pi >= 0 ? resolve(args.splice(pi, 2)[1]) : undefined;
const LINES = Number(args[0] ?? 400_000);
const main = join(root, 'dist/src/cli/main.js');
if (!existsSync(main)) throw new Error(`build first: ${main} is missing`);
const shared = ['/work/shared', resolve(root, '../shared'), resolve(root, '../../shared')].find((d) => existsSync(join(d, 'tools/gen_syslog.py')));
if (!shared) throw new Error('gen_syslog.py not found (../shared/tools)');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let svc;
// a service that stopped taking lines would leave the sender waiting for 'drain' for ever
setTimeout(() => { console.error('ingest: gave up after 300 s'); svc?.kill('SIGKILL'); process.exit(1); }, 300_000).unref();
const work = mkdtempSync(join(tmpdir(), 'tw-ingest-'));
const pool = execFileSync('python3', [join(shared, 'tools/gen_syslog.py'), String(Math.min(LINES, 200_000))], { maxBuffer: 1 << 30, encoding: 'utf8' }).trimEnd().split('\n');
const site = join(work, 'tidewatch.yml');
writeFileSync(site, 'delivery:\n  jsonl:\n    - {name: bench, path: ' + JSON.stringify(join(work, 'alerts.jsonl')) + '}\n');
const data = join(work, 'data');
const token = execFileSync(process.execPath, [main, 'token', 'create', '--role', 'viewer', '--data', data], { encoding: 'utf8' }).trim();
svc = spawn(process.execPath, [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), main, 'serve', '--site', site, '--data', data, '--listen', 'syslog-tcp=127.0.0.1:0',
  '--listen', 'syslog-udp=off', '--listen', 'netflow=off', '--listen', 'http=127.0.0.1:0', '--listen', 'syslog-tls=off'],
{ stdio: ['ignore', 'ignore', 'pipe'] });
if (process.env.TW_ECHO) svc.stderr.on('data', (t) => process.stderr.write(t));
const ports = {};
let err = '';
svc.stderr.setEncoding('utf8');
svc.stderr.on('data', (t) => { err += t; for (const m of t.matchAll(/^listening (\S+) [\d.]+:(\d+)$/gm)) ports[m[1]] = Number(m[2]); });
for (let i = 0; !ports.http || !ports['syslog-tcp']; i++) {
  if (i > 600 || svc.exitCode !== null) throw new Error('service did not start:\n' + err);
  await sleep(100);
}
const stored = async () => {
  const t = await (await fetch(`http://127.0.0.1:${ports.http}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  return Number(/^tidewatch_store_rows\{table="events"\} (\S+)$/m.exec(t)?.[1] ?? 0);
};
/** CPU seconds of the service's main thread (its task id is the pid). */
const mainCpu = () => cpuSeconds(`${svc.pid}/task/${svc.pid}`);
/** CPU seconds per thread, by task id, with the thread's name. */
const threads = () => Object.fromEntries(readdirSync(`/proc/${svc.pid}/task`).map((t) => {
  let name = '?';
  try { name = readFileSync(`/proc/${svc.pid}/task/${t}/comm`, 'utf8').trim(); } catch { /* gone */ }
  return [t, { name, cpu: cpuSeconds(`${svc.pid}/task/${t}`) }];
}));
await sleep(1000);
const cpu0 = cpuSeconds(svc.pid), main0 = mainCpu(), th0 = threads();
const t0 = performance.now();
const s = await new Promise((res, rej) => { const c = connect({ host: '127.0.0.1', port: ports['syslog-tcp'] }, () => res(c)); c.on('error', rej); });
for (let i = 0; i < LINES; i += 2000) {
  const part = [];
  for (let j = i; j < Math.min(LINES, i + 2000); j++) part.push(pool[j % pool.length]);
  if (!s.write(part.join('\n') + '\n')) await new Promise((r) => s.once('drain', r));
}
await new Promise((r) => s.end(r));
const tSent = performance.now();
let n = 0;
while ((n = await stored()) < LINES) {
  if (performance.now() - tSent > 120_000) throw new Error(`only ${n} of ${LINES} stored after 120 s`);
  await sleep(100);
}
const t1 = performance.now();
const cpu = cpuSeconds(svc.pid) - cpu0, mcpu = mainCpu() - main0;
// per thread: the busiest ones by name (µs per line); threads started during the run count from 0
const th1 = threads();
const perThread = Object.entries(th1).map(([t, v]) => ({ t, name: v.name, us: ((v.cpu - (th0[t]?.cpu ?? 0)) * 1e6) / LINES }))
  .filter((x) => x.us >= 0.3).sort((a, b) => b.us - a.us).map((x) => `${x.t === String(svc.pid) ? 'main' : x.name}:${x.us.toFixed(1)}`);
const rss = Math.round(peakRssKb(svc.pid) / 1024);
svc.kill('SIGTERM');
await new Promise((r) => svc.on('exit', r));
const dbBytes = readdirSync(data).filter((f) => f.endsWith('.duckdb') || f.endsWith('.db')).reduce((b, f) => b + statSync(join(data, f)).size, 0);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
console.log(JSON.stringify({
  root, lines: LINES, lines_per_s: Math.round(LINES / ((t1 - t0) / 1000)), cpu_us_per_line: +((cpu * 1e6) / LINES).toFixed(1),
  main_us_per_line: +((mcpu * 1e6) / LINES).toFixed(1), peak_rss_mb: rss, threads: perThread.join(' '), db_mb: +(dbBytes / 1048576).toFixed(1), load,
}));
rmSync(work, { recursive: true, force: true });
