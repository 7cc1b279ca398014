import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusPath, REPO_ROOT } from '../corpus.js';
import { encodeFlows } from '../../src/util/netflow-encode.js';
import type { FlowRecord } from '../../src/model/flow.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
const FIELDS = ['exporter', 'time_start', 'time_end', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol', 'bytes', 'packets', 'input_if', 'output_if', 'tcp_flags', 'version'];

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmpdir() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-flows-cli-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('flows read --format jsonl prints the contract fields, one record per line', () => {
  const r = run(['flows', 'read', '--format', 'jsonl', '--stats', corpusPath('flows', 'akvorado__samplingrate-template.pcap'), corpusPath('flows', 'akvorado__samplingrate-data.pcap')]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 6);
  for (const l of lines) {
    for (const f of FIELDS) assert.ok(f in l, `field ${f}`);
    assert.equal(l.version, 9);
    assert.equal(l.sampling_rate, 2048);
    assert.match(String(l.time_start), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.match(r.stderr, /stats: .*records 6/);
  assert.match(r.stderr, /stats: dropped: none/);
});

test('flows read --alerts: alert lines with kind alert, exit 1; nothing found exits 0', async () => {
  await withDir(async (dir) => {
    const site = join(dir, 'site.yml');
    writeFileSync(site, 'internal_prefixes: [10.0.0.0/8]\nmanagement_hosts: [10.10.0.0/24]\ndevices:\n  - { name: vm15, address: 10.0.2.15 }\n');
    const iocs = join(dir, 'iocs.txt');
    writeFileSync(iocs, '# test list\n10.0.2.2\n');
    const file = corpusPath('flows', 'logstash-netflow__netflow5.pcap');
    const r = run(['flows', 'read', '--format', 'jsonl', '--alerts', '--site', site, '--iocs', iocs, file]);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const alerts = lines.filter((l) => l.kind === 'alert');
    // the flow analytics' own alert, and the indicator match (intel matcher: one alert per address pair and hour,
    // so the two directions of one conversation with 10.0.2.2 are one finding)
    const ids = alerts.map((a) => (a.rule as { id: string }).id);
    assert.deepEqual(ids.filter((id) => id.startsWith('flows.')), ['flows.management_access']);
    const intel = alerts.filter((a) => a.detector === 'intel');
    assert.equal(intel.length, 1);
    assert.match((intel[0].rule as { id: string }).id, /^indicator--/);
    assert.equal((intel[0].indicator as { value: string }).value, '10.0.2.2');
    assert.equal(lines.length - alerts.length, 2, 'the two flow records');
    const none = run(['flows', 'read', '--format', 'json', '--alerts', corpusPath('flows', 'akvorado__nfv5.pcap')]);
    assert.equal(none.status, 0, none.stderr);
    const doc = JSON.parse(none.stdout) as { flows: unknown[]; alerts: unknown[] };
    assert.equal(doc.flows.length, 29);
    assert.deepEqual(doc.alerts, []);
  });
});

test('flows read --db stores flows; flows top answers from the store', async () => {
  await withDir(async (dir) => {
    const db = join(dir, 'flows.duckdb');
    const r = run(['flows', 'read', '--format', 'jsonl', '--db', db, corpusPath('flows', 'akvorado__nfv5.pcap')]);
    assert.equal(r.status, 0, r.stderr);
    const flows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as FlowRecord);
    const bySrc = new Map<string, number>();
    for (const f of flows) bySrc.set(f.src_ip, (bySrc.get(f.src_ip) ?? 0) + f.bytes);
    const want = [...bySrc.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
    const top = run(['flows', 'top', '--by', 'src', '--since', 'all', '--limit', '3', '--format', 'jsonl', '--db', db]);
    assert.equal(top.status, 0, top.stderr);
    const rows = top.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; bytes: number });
    assert.deepEqual(rows.map((x) => [x.key, x.bytes]), want);
    const port = run(['flows', 'top', '--by', 'port', '--since', '2023-04-04T00:00:00Z', '--format', 'json', '--db', db]);
    assert.equal(port.status, 0, port.stderr);
    assert.ok((JSON.parse(port.stdout) as { items: unknown[] }).items.length > 0);
    const recent = run(['flows', 'top', '--by', 'pair', '--since', '1h', '--format', 'jsonl', '--db', db]);
    assert.equal(recent.stdout.trim(), '', 'captured in 2023: nothing in the last hour');
  });
});

test('usage and input errors exit 2 with a message naming the problem', () => {
  const bad = run(['flows', 'top', '--by', 'colour', '--db', join(tmpdir(), 'x.duckdb')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--by must be one of src, dst, pair, port/);
  const missing = run(['flows', 'read', '/nonexistent/cap.pcap']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /\/nonexistent\/cap\.pcap: cannot open/);
  const listen = run(['flows', 'collect', '--listen', 'tcp://127.0.0.1:1']);
  assert.equal(listen.status, 2);
  assert.match(listen.stderr, /--listen must look like udp:\/\/HOST:PORT/);
});

test('flows collect: decodes what arrives over UDP, alerts, stores, stops cleanly on SIGTERM', async () => {
  await withDir(async (dir) => {
    const db = join(dir, 'c.duckdb');
    const site = join(dir, 'site.yml');
    writeFileSync(site, 'internal_prefixes: [10.0.0.0/8]\nmanagement_hosts: [10.10.0.0/24]\n');
    const child = spawn(process.execPath, [CLI, 'flows', 'collect', '--listen', 'udp://127.0.0.1:0', '--alerts', '--site', site, '--db', db, '--stats'], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /listening udp:\/\/127\.0\.0\.1:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`collector exited: ${err}`)));
    });
    const t = Date.now();
    const recs: FlowRecord[] = [];
    for (let i = 0; i < 100; i++) {
      recs.push({
        exporter: '', time_start: new Date(t - 5000).toISOString(), time_end: new Date(t).toISOString(),
        src_ip: `10.50.0.${i}`, dst_ip: '127.0.0.1', src_port: 50000 + i, dst_port: 22, protocol: 6, bytes: 100 + i, packets: 1,
        input_if: 1, output_if: 2, tcp_flags: 0x18, version: 10,
      });
    }
    const sock = createSocket('udp4');
    for (const p of encodeFlows(10, recs, { templates: 'first' })) await new Promise<void>((res) => sock.send(p, port, '127.0.0.1', () => res()));
    sock.close();
    // the exporter (127.0.0.1) counts as a device: SSH to it from non-management hosts alerts
    const deadline = Date.now() + 15000;
    while (out.split('\n').filter((l) => l.includes('"kind":"alert"')).length < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((res) => child.once('exit', res));
    assert.equal(code, 0, err);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const flows = lines.filter((l) => l.kind === undefined);
    assert.equal(flows.length, 100);
    assert.equal(flows[0].exporter, '127.0.0.1');
    assert.equal(lines.filter((l) => l.kind === 'alert').length, 100);
    assert.match(err, /stats: packets \d+ \(v5 0, v9 0, ipfix \d+\), records 100/);
    // the kernel's side: the granted receive buffer and its drop counter for this socket (none at this rate)
    assert.match(err, /stats: receive buffer [1-9]\d* bytes \(asked 8388608[^)]*\), kernel drops (0|unknown)/);
    const top = run(['flows', 'top', '--by', 'dst', '--since', '1h', '--format', 'jsonl', '--db', db]);
    assert.equal(top.status, 0, top.stderr);
    const rows = top.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; flows: number; bytes: number });
    assert.deepEqual(rows, [{ key: '127.0.0.1', bytes: recs.reduce((s, r) => s + r.bytes, 0), packets: 100, flows: 100 }]);
  });
});

/** The nice value of each thread of a process (Linux /proc), main thread first. */
function threadNices(pid: number): number[] {
  const tids = readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
  return tids.map((t) => Number(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
}

test('flows collect: the decoding thread yields to the receive thread (nice 10) unless --no-receive-first', { skip: process.platform !== 'linux' && 'per-thread nice values are read from Linux /proc' }, async () => {
  const base = getPriority(); // what the collector inherits (a CI may run the tests under nice)
  for (const [args, want] of [[[], Math.max(base, 10)], [['--no-receive-first'], base]] as const) {
    const child = spawn(process.execPath, [CLI, 'flows', 'collect', '--listen', 'udp://127.0.0.1:0', '--quiet', ...args], { cwd: tmpdir() });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); if (err.includes('listening udp://')) resolve(); });
      child.once('exit', () => reject(new Error(`collector exited: ${err}`)));
    });
    const nices = threadNices(child.pid!);
    child.kill('SIGTERM');
    assert.equal(await new Promise<number | null>((res) => child.once('exit', res)), 0, err);
    assert.equal(nices[0], want, `main thread of ${args.join(' ') || 'the default'}`);
    assert.ok(nices.slice(1).includes(base), 'the receive thread (and V8 helpers) keep the inherited priority');
  }
});
