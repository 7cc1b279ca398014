/**
 * Starts real servers privately for tests and benchmarks: each on loopback, on a free port, with its state in a
 * temporary folder, stopped by the returned handle. No mocks: ClickHouse and NATS JetStream from Debian's packages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

export interface RunningServer {
  url: string;
  port: number;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, proc: ChildProcess, log: () => string, timeoutMs = 30000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}: ${log().slice(-2000)}`);
    try { if (await check()) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms: ${log().slice(-2000)}`);
}

function stopper(proc: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (proc.exitCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

export const CLICKHOUSE_CONFIG = '/etc/clickhouse-server/config.xml';
export function haveClickHouse(): boolean { return existsSync('/usr/bin/clickhouse-server') && existsSync(CLICKHOUSE_CONFIG); }
export function haveNats(): boolean { return existsSync('/usr/bin/nats-server') || existsSync('/usr/sbin/nats-server'); }

/** clickhouse-server with a private copy of the packaged config: own ports, data and log folders. */
export async function startClickHouse(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-clickhouse-'));
  const [http, tcp, inter] = [await freePort(), await freePort(), await freePort()];
  const conf = readFileSync(CLICKHOUSE_CONFIG, 'utf8')
    .replaceAll('/var/lib/clickhouse/', `${dir}/data/`)
    .replaceAll('/var/log/clickhouse-server/', `${dir}/log/`)
    .replace(/<http_port>\d+<\/http_port>/, `<http_port>${http}</http_port>`)
    .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${tcp}</tcp_port>`)
    .replace(/<interserver_http_port>\d+<\/interserver_http_port>/, `<interserver_http_port>${inter}</interserver_http_port>`)
    .replace(/<listen_host>::1<\/listen_host>/g, '')
    .replace(/<users_config>[^<]*<\/users_config>/, `<users_config>/etc/clickhouse-server/users.xml</users_config>`);
  writeFileSync(join(dir, 'config.xml'), conf);
  let out = '';
  const proc = spawn('clickhouse-server', [`--config-file=${join(dir, 'config.xml')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d) => { out = (out + d).slice(-8000); });
  proc.stderr?.on('data', (d) => { out = (out + d).slice(-8000); });
  const url = `http://127.0.0.1:${http}`;
  await waitFor(async () => (await fetch(`${url}/ping`)).ok, 'clickhouse-server', proc, () => out);
  return { url, port: http, dir, proc, stop: stopper(proc, dir) };
}

/** nats-server with JetStream, its store in a private folder. */
export async function startNats(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-nats-'));
  const port = await freePort();
  let out = '';
  const proc = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d) => { out = (out + d).slice(-8000); });
  proc.stderr?.on('data', (d) => { out = (out + d).slice(-8000); });
  await waitFor(async () => /Server is ready/.test(out), 'nats-server', proc, () => out);
  return { url: `nats://127.0.0.1:${port}`, port, dir, proc, stop: stopper(proc, dir) };
}
