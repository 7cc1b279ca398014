/**
 * Runs a real scale-out deployment on loopback for tests and benchmarks: nats-server with JetStream, a
 * clickhouse-server, and `tidewatch serve --role ...` processes (the built CLI), each its own OS process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import { REPO_ROOT } from '../corpus.js';
import { startClickHouse, startNats, type RunningServer } from '../servers.js';

export const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

export interface RoleProcess {
  role: string;
  proc: ChildProcess;
  data: string;
  listening: Record<string, { host: string; port: number }>;
  log: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `tidewatch serve` with the given arguments and waits for its `listening` lines. */
export async function startServe(args: string[], data: string, expect: string[], timeoutMs = 60000): Promise<RoleProcess> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--data', data, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
  let err = '';
  const listening: RoleProcess['listening'] = {};
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20000);
    for (const m of d.toString().matchAll(/^listening (\S+) (\S+):(\d+)$/gm)) listening[m[1]] = { host: m[2], port: Number(m[3]) };
  });
  const t0 = Date.now();
  while (!expect.every((n) => listening[n])) {
    if (proc.exitCode !== null) throw new Error(`serve ${args.join(' ')} exited ${proc.exitCode}: ${err.slice(-3000)}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`serve ${args.join(' ')} did not report ${expect.join(', ')}: ${err.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const role = /--role\s+(\S+)/.exec(args.join(' '))?.[1] ?? 'all';
  return {
    role, proc, data, listening, log: () => err,
    kill: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 20000);
      await done;
      clearTimeout(t);
    },
  };
}

export function createToken(data: string, role = 'admin'): string {
  const r = spawnSync(process.execPath, [CLI, 'token', 'create', '--role', role, '--data', data], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Sends lines over one TCP connection with newline framing and waits until the socket is flushed and closed. */
export function sendTcp(port: number, lines: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => {
      let i = 0;
      const pump = () => {
        while (i < lines.length) {
          const chunk = lines.slice(i, i + 1000).join('\n') + '\n';
          i += 1000;
          if (!s.write(chunk)) { s.once('drain', pump); return; }
        }
        s.end();
      };
      pump();
    });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

export async function api<T>(port: number, token: string, path: string): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Polls `read` until it returns the same value `stableFor` ms in a row (and `ready` holds), or times out. */
export async function settle<T>(read: () => Promise<T>, ready: (v: T) => boolean, stableFor = 3000, timeoutMs = 120000): Promise<T> {
  const t0 = Date.now();
  let last = JSON.stringify(await read());
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const v = await read();
    const s = JSON.stringify(v);
    if (s !== last) { last = s; since = Date.now(); }
    else if (ready(v) && Date.now() - since >= stableFor) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`did not settle: last ${s.slice(0, 300)}`);
  }
}

export interface Cluster {
  nats: RunningServer;
  clickhouse: RunningServer;
  roles: RoleProcess[];
  token: string;
  dir: string;
  apiPort: number;
  collectors: RoleProcess[];
  detectors: RoleProcess[];
  stop(): Promise<void>;
}

/** NATS + ClickHouse + store + api + N collectors + M detectors, all on loopback. */
export async function startCluster(o: { collectors: number; detectors: number; partitions?: number; leaseMs?: number; site?: string; netflow?: boolean }): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cluster-'));
  const nats = await startNats();
  const clickhouse = await startClickHouse();
  const roles: RoleProcess[] = [];
  const common = ['--nats', nats.url, ...(o.site ? ['--site', o.site] : [])];
  const off = ['--listen', 'syslog-udp=off', '--listen', 'syslog-tls=off', '--listen', o.netflow ? 'netflow=127.0.0.1:0' : 'netflow=off'];
  try {
    const apiData = join(dir, 'api');
    const token = createToken(apiData);
    const store = await startServe(['--role', 'store', ...common, '--clickhouse', clickhouse.url, '--listen', 'http=127.0.0.1:0'], join(dir, 'store'), ['http']);
    roles.push(store);
    const apiRole = await startServe(['--role', 'api', '--clickhouse', clickhouse.url, '--listen', 'http=127.0.0.1:0', ...(o.site ? ['--site', o.site] : [])], apiData, ['http']);
    roles.push(apiRole);
    const detectors: RoleProcess[] = [];
    for (let i = 0; i < o.detectors; i++) {
      const d = await startServe(['--role', 'detector', ...common, '--clickhouse', clickhouse.url, '--listen', 'http=127.0.0.1:0'], join(dir, `detector${i}`), ['http']);
      detectors.push(d);
      roles.push(d);
    }
    const collectors: RoleProcess[] = [];
    for (let i = 0; i < o.collectors; i++) {
      const c = await startServe(['--role', 'collector', ...common, '--listen', 'syslog-tcp=127.0.0.1:0', '--listen', 'http=127.0.0.1:0', ...off], join(dir, `collector${i}`), o.netflow ? ['syslog-tcp', 'netflow'] : ['syslog-tcp']);
      collectors.push(c);
      roles.push(c);
    }
    return {
      nats, clickhouse, roles, token, dir, apiPort: apiRole.listening.http.port, collectors, detectors,
      stop: async () => {
        await Promise.all(roles.map((r) => r.kill().catch(() => undefined)));
        await nats.stop();
        await clickhouse.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await Promise.all(roles.map((r) => r.kill('SIGKILL').catch(() => undefined)));
    await nats.stop();
    await clickhouse.stop();
    throw e;
  }
}

/**
 * True when every message on the bus has been handled: each partition has its detector consumer and none of the
 * consumers (detectors, store events, store alerts) has anything pending or unacknowledged.
 */
export async function busDrained(natsUrl: string, partitions: number): Promise<boolean> {
  const { connect } = await import('nats');
  const { BUS } = await import('../../src/bus/jetstream.js');
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    let detect = 0;
    for (const stream of [BUS.inStream, BUS.alertStream]) {
      for await (const ci of jsm.consumers.list(stream)) {
        if (ci.name.startsWith('detect')) detect++;
        if (ci.num_pending + ci.num_ack_pending > 0) return false;
      }
    }
    return detect >= partitions;
  } finally {
    await nc.close();
  }
}
