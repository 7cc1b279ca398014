// bench/scaleout: the scale-out pipeline end to end on this machine with 1, 2 and 4 detector processes.
// Real nats-server (JetStream) and clickhouse-server, `tidewatch serve --role ...` processes; generated device
// syslog (../shared/tools/gen_syslog.py) sent over TCP to two collectors. Reports, per detector count:
//   - end to end events/s: first byte sent -> every partition consumer drained by the detectors
//   - ClickHouse ingest rows/s: first byte sent -> all events counted in ClickHouse
//   - peak RSS of each role
// Usage: node bench/scaleout/run.mjs [LINES]   (default 200000)
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { cpuSeconds, peakRssKb } from '../lib/proc.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { startCluster, sendTcp } = await import(join(root, 'dist/test/scaleout/cluster.js'));
const N = Number(process.argv[2] ?? 200000);
const shared = [resolve(root, '../shared'), '/work/shared'].find((d) => existsSync(join(d, 'tools/gen_syslog.py')));
if (!shared) throw new Error('gen_syslog.py not found (../shared/tools)');
const lines = execFileSync('python3', [join(shared, 'tools/gen_syslog.py'), String(N)], { maxBuffer: 1 << 30, encoding: 'utf8' }).trimEnd().split('\n');
const site = join(mkdtempSync(join(tmpdir(), 'tw-bench-so-')), 'tidewatch.yml');
writeFileSync(site, 'scaleout:\n  partitions: 16\n  lease_ms: 3000\n');

async function pending(natsUrl) {
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  let n = 0;
  for await (const ci of jsm.consumers.list('TIDEWATCH_IN')) if (ci.name.startsWith('detect_')) n += ci.num_pending + ci.num_ack_pending;
  const info = await jsm.streams.info('TIDEWATCH_IN');
  await nc.close();
  return { pending: n, consumers: info.state.consumer_count };
}

async function chCount(url) {
  const r = await fetch(`${url}/?query=${encodeURIComponent('SELECT count() FROM tidewatch.events')}`);
  return Number((await r.text()).trim());
}

const results = [];
for (const detectors of [1, 2, 4]) {
  const c = await startCluster({ collectors: 2, detectors, site });
  try {
    // wait until every partition has an owner (detect_* consumers exist for all 16)
    const t0w = Date.now();
    while ((await pending(c.nats.url)).consumers < 17 && Date.now() - t0w < 30000) await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const half = Math.ceil(lines.length / 2);
    await Promise.all([sendTcp(c.collectors[0].listening['syslog-tcp'].port, lines.slice(0, half)), sendTcp(c.collectors[1].listening['syslog-tcp'].port, lines.slice(half))]);
    const tSent = performance.now();
    let tDetect = 0, tStore = 0;
    while (!tDetect || !tStore) {
      await new Promise((r) => setTimeout(r, 100));
      if (!tStore && (await chCount(c.clickhouse.url)) >= lines.length) tStore = performance.now();
      if (!tDetect && tStore && (await pending(c.nats.url)).pending === 0) tDetect = performance.now();
      const dead = c.roles.filter((r) => r.proc.exitCode !== null || r.proc.signalCode !== null);
      if (dead.length || performance.now() - t0 > 600000) {
        for (const r of c.roles) console.error(`--- ${r.role} pid ${r.proc.pid} exit ${r.proc.exitCode ?? r.proc.signalCode ?? 'running'}\n${r.log().split('\n').slice(-15).join('\n')}`);
        throw new Error(dead.length ? `${dead.map((r) => r.role).join(', ')} exited during the run` : 'bench timed out');
      }
    }
    const rss = Object.fromEntries(c.roles.map((r, i) => [`${r.role}${i}`, Math.round(peakRssKb(r.proc.pid) / 1024)]));
    // CPU per event by role (summed over the role's processes): what each stage costs, so one can size machines
    const cpu = {};
    for (const r of c.roles) cpu[r.role] = (cpu[r.role] ?? 0) + cpuSeconds(r.proc.pid);
    const usPerEvent = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round((v * 1e6) / lines.length)]));
    usPerEvent['nats-server'] = Math.round((cpuSeconds(c.nats.proc.pid) * 1e6) / lines.length);
    usPerEvent['clickhouse-server'] = Math.round((cpuSeconds(c.clickhouse.proc.pid) * 1e6) / lines.length);
    results.push({ detectors, lines: lines.length, send_s: (tSent - t0) / 1000, e2e_events_per_s: Math.round(lines.length / ((tDetect - t0) / 1000)), clickhouse_rows_per_s: Math.round(lines.length / ((tStore - t0) / 1000)), cpu_us_per_event: usPerEvent, peak_rss_mb: rss });
    console.log(JSON.stringify(results[results.length - 1]));
  } finally {
    await c.stop();
  }
}
console.log('\ndetectors  end-to-end events/s  ClickHouse rows/s  (lines: %d, 2 collectors, 16 partitions, 2 cores shared by all processes)', N);
for (const r of results) console.log(`${String(r.detectors).padStart(9)}  ${String(r.e2e_events_per_s).padStart(19)}  ${String(r.clickhouse_rows_per_s).padStart(17)}  CPU µs/event: ${Object.entries(r.cpu_us_per_event).map(([k, v]) => `${k} ${v}`).join(', ')}`);
