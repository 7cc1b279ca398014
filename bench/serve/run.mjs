// bench/serve: the built service (`node dist/src/cli/main.js serve`, all detectors and a JSON Lines delivery sink on)
// driven from this second process over loopback. Reports:
//   - syslog over TCP at rising paced rates: the highest rate sustained with no loss (every line sent is in the store,
//     counted by tidewatch_store_rows{table="events"}, and the store kept up within 5% of the offered rate)
//   - syslog over TCP unpaced (as fast as the service lets us send), beside rsyslogd receiving the same stream over TCP
//     and writing it to a file (%rawmsg%), and the ratio
//   - the UDP loss curve (offered rate -> share accepted, kernel drops)
//   - NetFlow v9 at rising rates (records/s stored, loss)
//   - end-to-end alert latency p50/p99: lines that fire a Sigma rule, sent under background load, timed from the
//     write on the socket until the alert appears in the JSON Lines delivery file
//   - peak RSS (VmHWM) of the service process
// Generated device syslog from ../shared/tools/gen_syslog.py. Sigma rules: rules/sigma when this build ships any,
// else the SigmaHQ rules of the corpus (/work/shared/corpus/sigma), plus one bench rule that fires on a marker.
// Usage: node bench/serve/run.mjs [--quick]    (whole run about 2-3 minutes; --quick about 1)
//        node bench/serve/run.mjs --latency-only [--runs N] [--bg LINES_PER_S]   (only the alert-latency step, N times;
//        with TIDEWATCH_TRACE=FILE the service writes its pipeline/store timing trace there, docs/SERVE.md)
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, peakRssKb } from '../lib/proc.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const QUICK = process.argv.includes('--quick');
const LATENCY_ONLY = process.argv.includes('--latency-only');
const main = join(root, 'dist/src/cli/main.js');
if (!existsSync(main)) throw new Error('build first: npx tsc -p tsconfig.json');
const { encodeNetflowV9 } = await import(join(root, 'dist/src/util/netflow-encode.js'));
const shared = [resolve(root, '../shared'), resolve(root, '../../shared'), '/work/shared'].find((d) => existsSync(join(d, 'tools/gen_syslog.py')));
if (!shared) throw new Error('gen_syslog.py not found (../shared/tools)');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = performance.now();
const log = (...a) => console.error(`[bench/serve +${((performance.now() - T0) / 1000).toFixed(0)}s]`, ...a);
const work = mkdtempSync(join(tmpdir(), 'tw-bench-serve-'));
const data = join(work, 'data');
mkdirSync(data);

// ---- input -------------------------------------------------------------------------------------------------
const POOL = QUICK ? 100_000 : 300_000;
const pool = execFileSync('python3', [join(shared, 'tools/gen_syslog.py'), String(POOL)], { maxBuffer: 1 << 30, encoding: 'utf8' }).trimEnd().split('\n');
const poolBytes = pool.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
log(`${pool.length} generated lines, ${(poolBytes / pool.length).toFixed(0)} bytes each on average`);

// ---- site file: rules, delivery -----------------------------------------------------------------------------
const rulesDir = join(work, 'rules');
mkdirSync(rulesDir);
writeFileSync(join(rulesDir, 'bench-marker.yml'), `title: Bench marker (alert latency probe)
id: 5e0c7a4e-9d1b-4f7e-8a7d-2b9f0c1d3e4f
status: experimental
logsource: {product: linux, service: sshd}
detection:
  sel: {message|contains: TWBENCH-ALERT}
  condition: sel
level: high
tags: [attack.initial-access, attack.t1078]
`);
const hasShipped = existsSync(join(root, 'rules/sigma')) && readdirSync(join(root, 'rules/sigma')).length > 0;
const corpusSigma = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(shared, 'corpus/sigma', d)).filter((d) => existsSync(d));
const huntRules = [rulesDir, ...(hasShipped ? [] : corpusSigma)];
const alertsFile = join(work, 'alerts.jsonl');
const siteFile = join(work, 'tidewatch.yml');
writeFileSync(siteFile, `hunt:\n  rules:\n${huntRules.map((r) => `    - ${JSON.stringify(r)}`).join('\n')}\ndelivery:\n  jsonl:\n    - {name: bench, path: ${JSON.stringify(alertsFile)}}\n`);

// ---- the service ----------------------------------------------------------------------------------------------
const token = execFileSync(process.execPath, [main, 'token', 'create', '--role', 'viewer', '--data', data], { encoding: 'utf8' }).trim();
const svc = spawn(process.execPath, [main, 'serve', '--site', siteFile, '--data', data,
  '--listen', 'syslog-tcp=127.0.0.1:0', '--listen', 'syslog-udp=127.0.0.1:0', '--listen', 'netflow=127.0.0.1:0',
  '--listen', 'http=127.0.0.1:0', '--listen', 'syslog-tls=off'], { stdio: ['ignore', 'ignore', 'pipe'] });
const ports = {};
let svcErr = '';
svc.stderr.setEncoding('utf8');
svc.stderr.on('data', (t) => {
  svcErr += t;
  for (const m of t.matchAll(/^listening (\S+) [\d.]+:(\d+)$/gm)) ports[m[1]] = Number(m[2]);
});
const svcExit = new Promise((r) => svc.on('exit', r));
// however the bench ends (a failed step included), the service is not left running and its data folder (a few hundred
// MB) is removed; BENCH_KEEP=1 keeps the folder for a look
process.on('exit', () => {
  if (svc.exitCode === null && svc.signalCode === null) svc.kill('SIGKILL');
  if (process.env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
});
for (let i = 0; !ports.http; i++) {
  if (i > 600) throw new Error('service did not start:\n' + svcErr);
  if (svc.exitCode !== null) throw new Error('service exited:\n' + svcErr);
  await sleep(100);
}
const sigmaLine = /Sigma: .*/.exec(svcErr)?.[0] ?? 'Sigma: (no rules loaded)';
log(`service pid ${svc.pid}, ${sigmaLine}`);

const rssMb = (pid) => Math.round(peakRssKb(pid) / 1024);

async function metrics() {
  const r = await fetch(`http://127.0.0.1:${ports.http}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  const get = (name, labels = {}) => {
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
    }
    return sum;
  };
  return get;
}

/**
 * Polls until tidewatch_store_rows{table} reaches `want`, or the pipeline queue is empty and the count has not
 * grown for `idleMs` (what is missing then is lost; 15 s covers the store's checkpoint pauses). Returns when and how many.
 */
async function waitStored(table, want, idleMs = 15_000, maxMs = 120_000, pollMs = 200) {
  const t0 = performance.now();
  let last = -1, lastChange = t0;
  for (;;) {
    const m = await metrics();
    const n = m('tidewatch_store_rows', { table });
    const now = performance.now();
    if (n >= want) return { n, at: now };
    if (n !== last || m('tidewatch_queue_depth', { queue: 'pipeline' }) > 0) { last = n; lastChange = now; }
    if (now - lastChange > idleMs || now - t0 > maxMs) return { n, at: now };
    // each scrape counts the store's rows: not too often, it competes with the pipeline; but near the end every
    // 100 ms, so the finishing time is not rounded up by a whole poll (at 1 s, a 4 s run read up to 25% slow)
    await sleep(last >= want * 0.9 ? Math.min(pollMs, 100) : pollMs);
  }
}

/** Waits until the pipeline queue is empty (the service has caught up) before the next phase. */
async function settle(maxMs = 120_000) {
  const t0 = performance.now();
  let last = '', stableSince = performance.now();
  while (performance.now() - t0 < maxMs) {
    const m = await metrics();
    const key = `${m('tidewatch_store_rows', { table: 'events' })}/${m('tidewatch_store_rows', { table: 'flows' })}`;
    const now = performance.now();
    if (key !== last || m('tidewatch_queue_depth', { queue: 'pipeline' }) > 0) { last = key; stableSince = now; }
    if (now - stableSince >= 1000) return;
    await sleep(200);
  }
}

// ---- senders ----------------------------------------------------------------------------------------------------
let cursor = 0;
function nextLines(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) { out[i] = pool[cursor]; cursor = (cursor + 1) % pool.length; }
  return out;
}

function openTcp(port) {
  return new Promise((res, rej) => { const s = connect({ host: '127.0.0.1', port }, () => res(s)); s.on('error', rej); s.setNoDelay(true); });
}

/** Sends `rate` lines/s for `seconds` on one connection in 10 ms ticks; waits for 'drain' when the receiver slows us. */
async function tcpPaced(port, rate, seconds, onTick) {
  const s = await openTcp(port);
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let sent = 0;
  // a sender slowed by backpressure stops at 1.5 times the step's time (what it sent is what counts)
  while (sent < total && performance.now() - t0 < seconds * 1500) {
    const due = Math.min(total, Math.round(((performance.now() - t0) / 1000) * rate));
    if (due > sent) {
      const n = due - sent;
      const ok = s.write(nextLines(n).join('\n') + '\n');
      sent += n;
      onTick?.(s);
      if (!ok) await new Promise((r) => s.once('drain', r));
    } else await sleep(5);
  }
  const tSent = performance.now();
  await new Promise((r) => s.end(r));
  return { sent, t0, tSent };
}

async function tcpBlast(port, lines) {
  const s = await openTcp(port);
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += 2000) {
    if (!s.write(lines.slice(i, i + 2000).join('\n') + '\n')) await new Promise((r) => s.once('drain', r));
  }
  await new Promise((r) => s.end(r));
  return { t0, tSent: performance.now() };
}

const results = { date: new Date().toISOString(), rules: sigmaLine, quick: QUICK };

// ---- 1. TCP at rising rates -----------------------------------------------------------------------------------
const tcpRates = LATENCY_ONLY ? [] : QUICK ? [10_000, 25_000, 50_000, 100_000] : [5_000, 10_000, 25_000, 50_000, 100_000, 150_000, 200_000, 300_000];
const STEP_S = QUICK ? 2 : 3;
const DRAIN_S = 1.5;
results.tcp = [];
let stored = (await metrics())('tidewatch_store_rows', { table: 'events' });
for (const rate of tcpRates) {
  const r = await tcpPaced(ports['syslog-tcp'], rate, STEP_S);
  const want = stored + r.sent;
  const w = await waitStored('events', want);
  const lost = want - w.n;
  const stepS = (w.at - r.t0) / 1000;
  const achieved = Math.round(r.sent / stepS);
  const sendRate = Math.round(r.sent / ((r.tSent - r.t0) / 1000));
  // sustained: nothing lost, the sender was not slowed by backpressure (it kept 95% of the offered rate), and the
  // service caught up within DRAIN_S of the last line sent (the store commits in batches: a short tail is normal)
  const drainS = (w.at - r.tSent) / 1000;
  const ok = lost === 0 && sendRate >= rate * 0.95 && drainS <= DRAIN_S;
  results.tcp.push({ offered_per_s: rate, sent: r.sent, send_rate_per_s: sendRate, stored_rate_per_s: achieved, drain_s: +drainS.toFixed(2), lost, sustained: ok, rss_mb: rssMb(svc.pid) });
  log('tcp', JSON.stringify(results.tcp.at(-1)));
  stored = w.n;
  if (!ok) break;
}
results.tcp_sustained_per_s = Math.max(0, ...results.tcp.filter((x) => x.sustained).map((x) => x.offered_per_s));

/**
 * Alert latency: `samples` lines that fire the bench rule, one every 50 ms on a connection of their own, while `bg`
 * lines/s of generated syslog go over another; each timed from its write until its alert is in the JSON Lines file.
 */
async function alertLatency(bg, samples) {
  const sentAt = new Map();
  const seenAt = new Map();
  const sentWall = new Map();
  let fileOffset = existsSync(alertsFile) ? statSync(alertsFile).size : 0;
  let rest = '';
  let watching = true;
  const watcher = (async () => {
    const buf = Buffer.alloc(1 << 20);
    while (watching) {
      if (existsSync(alertsFile)) {
        const fd = openSync(alertsFile, 'r');
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, fileOffset);
          if (n <= 0) break;
          fileOffset += n;
          const text = rest + buf.subarray(0, n).toString('utf8');
          const parts = text.split('\n');
          rest = parts.pop();
          const now = performance.now();
          for (const p of parts) { const m = /TWBENCH-ALERT-(\d+)/.exec(p); if (m && !seenAt.has(m[1])) seenAt.set(m[1], now); }
        }
        closeSync(fd);
      }
      await sleep(2);
    }
  })();
  const probe = await openTcp(ports['syslog-tcp']);
  // this process's own event-loop delay while it sends: a late timer here is a late probe or a late look at the file
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const bgRun = tcpPaced(ports['syslog-tcp'], bg, samples / 20 + 1);
  await sleep(500);
  const base = Date.now();
  // ids are unique across repeated runs (an alert id already stored is not delivered again)
  const first = 1000 * latencyRun++;
  for (let i = 0; i < samples; i++) {
    const id = String(first + i);
    const line = `<38>1 ${new Date(base + i).toISOString()} bench-host sshd ${1000 + i} - - Failed password for root from 203.0.113.9 port 4000 ssh2 TWBENCH-ALERT-${id}\n`;
    sentAt.set(id, performance.now());
    sentWall.set(id, Date.now());
    probe.write(line);
    await sleep(50);
  }
  await bgRun;
  const tEnd = performance.now() + 15_000;
  while (seenAt.size < samples && performance.now() < tEnd) await sleep(20);
  watching = false;
  await watcher;
  probe.end();
  const all = [...sentAt].filter(([id]) => seenAt.has(id)).map(([id, t]) => ({ id, sent: sentWall.get(id), ms: +(seenAt.get(id) - t).toFixed(1) }));
  const lat = all.map((x) => x.ms).sort((a, b) => a - b);
  const q = (p) => lat.length ? +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1) : null;
  lag.disable();
  return {
    samples, seen: lat.length, background_tcp_per_s: bg, p50: q(0.5), p99: q(0.99), max: lat.length ? +lat.at(-1).toFixed(1) : null,
    bench_loop_delay_ms: { p99: +(lag.percentile(99) / 1e6).toFixed(1), max: +(lag.max / 1e6).toFixed(1) }, slow: all.filter((x) => x.ms > 500),
  };
}
let latencyRun = 0;

if (LATENCY_ONLY) {
  // --latency-only [--runs N] [--bg LINES_PER_S]: only the alert-latency step, N times back to back (issue 7)
  const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
  const runs = arg('--runs', 5), bg = arg('--bg', 50_000);
  results.latency_runs = [];
  for (let r = 0; r < runs; r++) {
    await settle();
    const x = await alertLatency(bg, 150);
    results.latency_runs.push(x);
    log('alert latency', JSON.stringify(x));
  }
  results.peak_rss_mb = rssMb(svc.pid);
  svc.kill('SIGTERM');
  await Promise.race([svcExit, sleep(20_000)]);
  if (svc.exitCode === null) svc.kill('SIGKILL');
  console.log(JSON.stringify(results, null, 2));
  for (const x of results.latency_runs) console.log(`alert latency under ${x.background_tcp_per_s} lines/s: p50 ${x.p50} ms, p99 ${x.p99} ms, max ${x.max} ms (${x.seen}/${x.samples} seen)`);
  process.exit(0);
}

await settle();
// ---- 2. alert latency under background load --------------------------------------------------------------------------
{
  const SAMPLES = QUICK ? 50 : 150;
  // background load the service keeps up with: half the highest sustained (or unpaced) rate, at most 50,000/s
  const BG = Math.round(Math.min(50_000, (results.tcp_sustained_per_s || Math.max(...results.tcp.map((x) => x.stored_rate_per_s))) / 2));
  results.alert_latency_ms = await alertLatency(BG, SAMPLES);
  log('alert latency', JSON.stringify(results.alert_latency_ms));
}

// ---- 3. the same stream unpaced: tidewatch vs rsyslogd ------------------------------------------------------------
const BLAST = QUICK ? 100_000 : 300_000;
const blastLines = pool.slice(0, BLAST);
const blastBytes = blastLines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
{
  await settle();
  const before = (await metrics())('tidewatch_store_rows', { table: 'events' });
  const cpu0 = cpuSeconds(svc.pid);
  const b = await tcpBlast(ports['syslog-tcp'], blastLines);
  const w = await waitStored('events', before + BLAST, 15_000, 120_000, 1000);
  const cpu = cpuSeconds(svc.pid) - cpu0;
  results.tcp_unpaced = {
    lines: BLAST, stored: w.n - before, stored_per_s: Math.round((w.n - before) / ((w.at - b.t0) / 1000)), accepted_per_s: Math.round(BLAST / ((b.tSent - b.t0) / 1000)),
    cpu_s: +cpu.toFixed(2), cpu_us_per_line: +((cpu * 1e6) / BLAST).toFixed(1),
  };
  log('tcp unpaced', JSON.stringify(results.tcp_unpaced));
}
results.rsyslog = await rsyslogRun(blastLines, blastBytes).catch((e) => ({ error: e.message }));
log('rsyslog', JSON.stringify(results.rsyslog));
if (results.rsyslog.lines_per_s) {
  results.ratio_vs_rsyslog = +(results.tcp_unpaced.stored_per_s / results.rsyslog.lines_per_s).toFixed(2);
  // the same comparison by CPU per line: steadier than wall-clock rates on a shared machine
  results.cpu_ratio_vs_rsyslog = +(results.rsyslog.cpu_us_per_line / results.tcp_unpaced.cpu_us_per_line).toFixed(2);
}

async function rsyslogRun(lines, bytes) {
  const dir = join(work, 'rsyslog');
  mkdirSync(dir);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const out = join(dir, 'out.log');
  writeFileSync(join(dir, 'rsyslog.conf'), `global(workDirectory="${dir}")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="${out}" template="raw")
`);
  const p = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  // a missing rsyslogd is reported as this step's error (the other steps' figures still print), not a crash
  let spawnError;
  p.on('error', (e) => { spawnError = e.code === 'ENOENT' ? new Error('rsyslogd not found (apt-get install rsyslog)') : e; });
  try {
    let s;
    for (let i = 0; !s; i++) {
      if (spawnError) throw spawnError;
      try { s = await openTcp(port); } catch (e) { if (i > 100) throw spawnError ?? e; await sleep(50); }
    }
    s.destroy();
    const cpu0 = cpuSeconds(p.pid);
    const b = await tcpBlast(port, lines);
    let size = 0;
    const tEnd = performance.now() + 60_000;
    while (size < bytes && performance.now() < tEnd) {
      await sleep(10);
      try { size = statSync(out).size; } catch { size = 0; }
    }
    const at = performance.now();
    const got = readFileSync(out, 'utf8').split('\n').length - 1;
    const cpu = cpuSeconds(p.pid) - cpu0;
    return { lines: lines.length, written: got, lines_per_s: Math.round(got / ((at - b.t0) / 1000)), cpu_s: +cpu.toFixed(2), cpu_us_per_line: +((cpu * 1e6) / Math.max(1, got)).toFixed(1), peak_rss_mb: rssMb(p.pid) };
  } finally {
    p.kill('SIGTERM');
  }
}

await settle();
// ---- 4. UDP loss curve ----------------------------------------------------------------------------------------------
const udpRates = QUICK ? [20_000, 80_000] : [10_000, 25_000, 50_000, 100_000, 200_000];
results.udp = [];
{
  const sock = createSocket('udp4');
  const port = ports['syslog-udp'];
  for (const rate of udpRates) {
    await settle();
    const m0 = await metrics();
    const acc0 = m0('tidewatch_events_accepted_total', { source: 'syslog-udp' });
    const drop0 = m0('tidewatch_events_dropped_total', { source: 'syslog-udp' });
    const seconds = 2;
    const total = rate * seconds;
    const t0 = performance.now();
    let sent = 0;
    // the sender itself may not reach the rate: it stops at 1.5 times the step's time (the share is of what it sent)
    while (sent < total && performance.now() - t0 < seconds * 1500) {
      const due = Math.min(total, Math.round(((performance.now() - t0) / 1000) * rate));
      if (due > sent) {
        // at most 1,000 datagrams per turn, the last one awaited: `sent` counts what left, not what was queued
        const n = Math.min(due - sent, 1000);
        const batch = nextLines(n);
        for (let i = 0; i < n - 1; i++) sock.send(batch[i], port, '127.0.0.1');
        await new Promise((r) => sock.send(batch[n - 1], port, '127.0.0.1', r));
        sent += n;
      } else await sleep(2);
    }
    const sendS = (performance.now() - t0) / 1000;
    await sleep(1200); // the listener samples kernel drops every second
    const m1 = await metrics();
    const acc = m1('tidewatch_events_accepted_total', { source: 'syslog-udp' }) - acc0;
    const dropped = m1('tidewatch_events_dropped_total', { source: 'syslog-udp' }) - drop0;
    results.udp.push({ offered_per_s: rate, sent, send_rate_per_s: Math.round(sent / sendS), accepted: acc, accepted_share: +(acc / sent).toFixed(4), counted_drops: dropped });
    log('udp', JSON.stringify(results.udp.at(-1)));
  }
  sock.close();
}

await settle();
// ---- 5. NetFlow v9 at rising rates ------------------------------------------------------------------------------------
results.netflow = [];
{
  const now = Date.now();
  const recs = [];
  for (let i = 0; i < 24_000; i++) {
    recs.push({
      time_start: new Date(now - 60_000).toISOString(), time_end: new Date(now - 1000).toISOString(),
      src_ip: `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 200)}`, dst_ip: `192.0.2.${1 + (i % 250)}`,
      src_port: 1024 + (i % 60000), dst_port: [443, 53, 22, 179][i % 4], protocol: i % 4 === 1 ? 17 : 6,
      packets: 1 + (i % 50), bytes: 64 * (1 + (i % 50)), tcp_flags: 0x18,
    });
  }
  const packets = encodeNetflowV9(recs, { recordsPerPacket: 24, templates: 'every' });
  const perPacket = recs.length / packets.length;
  const sock = createSocket('udp4');
  const flowRates = QUICK ? [50_000] : [25_000, 100_000, 250_000];
  for (const rate of flowRates) {
    await settle();
    const m0 = await metrics();
    const flows0 = m0('tidewatch_store_rows', { table: 'flows' });
    const nfDrop0 = m0('tidewatch_events_dropped_total', { source: 'netflow' });
    const nfAcc0 = m0('tidewatch_events_accepted_total', { source: 'netflow' });
    const pktRate = rate / perPacket;
    const seconds = 2;
    const total = Math.round(pktRate * seconds);
    const t0 = performance.now();
    let sent = 0, k = 0;
    while (sent < total && performance.now() - t0 < seconds * 1500) {
      const due = Math.min(total, Math.round(((performance.now() - t0) / 1000) * pktRate));
      if (due > sent) {
        const n = Math.min(due - sent, 500);
        for (let i = 0; i < n - 1; i++) sock.send(packets[k++ % packets.length], ports.netflow, '127.0.0.1');
        await new Promise((r) => sock.send(packets[k++ % packets.length], ports.netflow, '127.0.0.1', r));
        sent += n;
      } else await sleep(2);
    }
    const sendS = (performance.now() - t0) / 1000;
    const w = await waitStored('flows', flows0 + sent * perPacket, 15_000, 60_000);
    const storedRecs = w.n - flows0;
    const m1 = await metrics();
    results.netflow.push({
      offered_records_per_s: rate, records_sent: sent * perPacket, send_rate_per_s: Math.round((sent * perPacket) / sendS), records_stored: storedRecs,
      datagrams_sent: sent, datagrams_accepted: m1('tidewatch_events_accepted_total', { source: 'netflow' }) - nfAcc0, datagrams_dropped: m1('tidewatch_events_dropped_total', { source: 'netflow' }) - nfDrop0, stored_share: +(storedRecs / (sent * perPacket)).toFixed(4), stored_per_s: Math.round(storedRecs / ((w.at - t0) / 1000)),
    });
    log('netflow', JSON.stringify(results.netflow.at(-1)));
  }
  sock.close();
}

results.peak_rss_mb = rssMb(svc.pid);
const mEnd = await metrics();
results.service_alert_latency_histogram = { count: mEnd('tidewatch_alert_latency_seconds_count'), sum_s: +mEnd('tidewatch_alert_latency_seconds_sum').toFixed(3) };
svc.kill('SIGTERM');
await Promise.race([svcExit, sleep(20_000)]);
if (svc.exitCode === null) svc.kill('SIGKILL');

// ---- report ------------------------------------------------------------------------------------------------------------
console.log(JSON.stringify(results, null, 2));
console.log('\nserve (2 cores shared with the sender and rsyslogd; %s)', results.rules);
console.log('TCP  offered/s  sent/s  stored/s  drain s  lost  sustained');
for (const r of results.tcp) console.log(`${String(r.offered_per_s).padStart(13)}  ${String(r.send_rate_per_s).padStart(6)}  ${String(r.stored_rate_per_s).padStart(8)}  ${String(r.drain_s).padStart(7)}  ${String(r.lost).padStart(4)}  ${r.sustained ? 'yes' : 'no'}`);
console.log(`highest sustained TCP rate with no loss: ${results.tcp_sustained_per_s} lines/s`);
console.log(`unpaced TCP: tidewatch ${results.tcp_unpaced.stored_per_s} lines/s stored vs rsyslogd ${results.rsyslog.lines_per_s ?? 'n/a'} lines/s written (ratio ${results.ratio_vs_rsyslog ?? 'n/a'}; target >= 0.5)`);
console.log(`CPU per line: tidewatch ${results.tcp_unpaced.cpu_us_per_line} us, rsyslogd ${results.rsyslog.cpu_us_per_line ?? 'n/a'} us (ratio ${results.cpu_ratio_vs_rsyslog ?? 'n/a'})`);
console.log('UDP  offered/s  sent/s  accepted share  counted drops');
for (const r of results.udp) console.log(`${String(r.offered_per_s).padStart(13)}  ${String(r.send_rate_per_s).padStart(6)}  ${String(r.accepted_share).padStart(14)}  ${String(r.counted_drops).padStart(13)}`);
console.log('NetFlow v9 offered records/s  sent/s  stored share  stored/s');
for (const r of results.netflow) console.log(`${String(r.offered_records_per_s).padStart(28)}  ${String(r.send_rate_per_s).padStart(6)}  ${String(r.stored_share).padStart(12)}  ${String(r.stored_per_s).padStart(8)}`);
console.log(`alert latency (socket write -> JSON Lines delivery file) under ${results.alert_latency_ms.background_tcp_per_s} lines/s: p50 ${results.alert_latency_ms.p50} ms, p99 ${results.alert_latency_ms.p99} ms (target p99 < 1000 ms)`);
console.log(`peak RSS of the service: ${results.peak_rss_mb} MB; whole run ${((performance.now() - T0) / 1000).toFixed(0)} s`);
