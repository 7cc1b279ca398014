import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { TokenStore } from '../../src/serve/tokens.js';
import { metric, until } from './helpers.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

async function startServe(data: string, tcpPort = 0): Promise<{ child: ChildProcess; http: number; tcp: number }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--data', data, '--listen', 'http=127.0.0.1:0', '--listen', `syslog-tcp=127.0.0.1:${tcpPort}`,
    '--listen', 'syslog-udp=off', '--listen', 'syslog-tls=off', '--listen', 'netflow=off'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const ports = await new Promise<{ http: number; tcp: number }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const h = /listening http 127\.0\.0\.1:(\d+)/.exec(err);
      const s = /listening syslog-tcp 127\.0\.0\.1:(\d+)/.exec(err);
      if (h && s) { clearTimeout(t); resolve({ http: Number(h[1]), tcp: Number(s[1]) }); }
    });
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`serve exited ${c}: ${err}`)); });
  });
  return { child, ...ports };
}

async function scrape(port: number, token: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  return r.text();
}

test('kill -9 under load loses nothing the service counted as accepted, and stores nothing twice', async () => {
  const t0 = Date.now();
  const data = mkdtempSync(join(tmpdir(), 'tw-crash-'));
  const token = TokenStore.forData(data).create('viewer', 'test').token;
  const children: ChildProcess[] = [];
  try {
  const first = await startServe(data);
  children.push(first.child);
  // a sender writing as fast as the service takes it, until its connection dies
  let sent = 0;
  const sock = connect(first.tcp, '127.0.0.1');
  sock.on('error', () => undefined);
  const stopSending = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  const TOTAL = 40_000; // enough to be mid-stream at the kill, small enough to keep the replay short
  const pump = () => {
    while (!sock.destroyed && sent < TOTAL) {
      let chunk = '';
      for (let i = 0; i < 200; i++) chunk += `<189>Nov 14 08:30:56 router${sent % 13} %SYS-5-CONFIG_I: Configured from console by admin seq ${sent++}\n`;
      if (!sock.write(chunk)) { sock.once('drain', pump); return; }
    }
  };
  sock.once('connect', pump);
  // wait until a good number is accepted, then note the counter and kill -9 at once
  let acceptedBefore = 0;
  let storedBefore = 0;
  await until(async () => {
    const t = await scrape(first.http, token);
    acceptedBefore = metric(t, 'tidewatch_events_accepted_total', { source: 'syslog-tcp' }) ?? 0;
    storedBefore = metric(t, 'tidewatch_store_rows', { table: 'events' }) ?? 0;
    return acceptedBefore >= 10_000;
  }, 60_000, 'load');
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  sock.destroy();
  await stopSending;
  assert.ok(sent >= acceptedBefore);

  const tKill = Date.now();
  // restart: the write-ahead log replays what was accepted but not yet stored
  const second = await startServe(data);
  children.push(second.child);
  let text = '';
  await until(async () => {
    text = await scrape(second.http, token);
    const stored = metric(text, 'tidewatch_store_rows', { table: 'events' }) ?? -1;
    return stored === metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-tcp' }) && metric(text, 'tidewatch_queue_depth', { queue: 'pipeline' }) === 0;
  }, 60_000, 'replay');
  const acceptedAfter = metric(text, 'tidewatch_events_accepted_total', { source: 'syslog-tcp' })!;
  assert.ok(acceptedAfter >= acceptedBefore, `accepted counter survived: ${acceptedAfter} >= ${acceptedBefore}`);
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));

  const store = await DuckDbStore.open(join(data, 'tidewatch.duckdb'));
  try {
    const row = (await store.conn.runAndReadAll(`SELECT count(*) n, count(DISTINCT coalesce(raw, CAST(event AS VARCHAR))) d FROM events`)).getRowObjects()[0];
    assert.equal(Number(row.n), acceptedAfter, 'every accepted event is stored');
    assert.equal(Number(row.d), Number(row.n), 'no event is stored twice');
  } finally {
    await store.close();
  }
  process.stderr.write(`# crash test: sent ${sent}, accepted before kill ${acceptedBefore} (stored ${storedBefore}), accepted after restart ${acceptedAfter}; load ${tKill - t0} ms, restart+replay ${Date.now() - tKill} ms\n`);
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
});
