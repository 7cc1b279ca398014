import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { BUS } from '../../src/bus/jetstream.js';
import { startNats } from '../servers.js';
import { sendTcp, startServe } from './cluster.js';

// The bus hangs (nats-server stopped with SIGSTOP) while a collector takes syslog over TCP: publishing times out,
// the collector says it is failing and keeps retrying, and when the bus answers again every accepted line arrives,
// once (the retries carry the same message ids).
test('a collector keeps what it accepted while the bus hangs and publishes it, once, when the bus is back', async () => {
  const nats = await startNats();
  const dir = mkdtempSync(join(tmpdir(), 'tw-collector-retry-'));
  const col = await startServe(['--role', 'collector', '--nats', nats.url, '--listen', 'syslog-tcp=127.0.0.1:0', '--listen', 'http=127.0.0.1:0',
    '--listen', 'syslog-udp=off', '--listen', 'syslog-tls=off', '--listen', 'netflow=off'], join(dir, 'c'), ['syslog-tcp', 'http']);
  try {
    const health = async () => ((await (await fetch(`http://127.0.0.1:${col.listening.http.port}/health`)).json()) as { status: string }).status;
    assert.equal(await health(), 'ok');
    nats.proc.kill('SIGSTOP');
    const lines = Array.from({ length: 2000 }, (_, i) => `<189>Dec  7 12:00:${String(i % 60).padStart(2, '0')} edge${i % 7} ${i}: %SYS-5-CONFIG_I: Configured from console by admin line ${i}`);
    await sendTcp(col.listening['syslog-tcp'].port, lines);
    let failing = false;
    for (let i = 0; i < 60 && !failing; i++) { await new Promise((r) => setTimeout(r, 500)); failing = (await health()) === 'failing'; }
    assert.ok(failing, 'the collector reports that publishing fails');
    nats.proc.kill('SIGCONT');
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.add(BUS.inStream, { durable_name: 'count', ack_policy: 'explicit' as never, deliver_policy: 'all' as never });
      const consumer = await nc.jetstream().consumers.get(BUS.inStream, 'count');
      const seen = new Map<string, number>();
      const t0 = Date.now();
      while (seen.size < lines.length && Date.now() - t0 < 60_000) {
        const msgs = await consumer.fetch({ max_messages: 200, expires: 1000 });
        for await (const m of msgs) {
          for (const it of JSON.parse(Buffer.from(m.data).toString()) as { e: { raw?: string; event?: { message?: string } } }[]) {
            const k = String(it.e.event?.message ?? it.e.raw); // each line's message is unique (it ends in its number)
            seen.set(k, (seen.get(k) ?? 0) + 1);
          }
          m.ack();
        }
      }
      assert.equal(seen.size, lines.length, 'every accepted line reached the bus');
      assert.deepEqual([...seen.values()].filter((n) => n > 1), [], 'none twice');
      assert.equal(await health(), 'ok');
    } finally {
      await nc.close();
    }
  } finally {
    nats.proc.kill('SIGCONT');
    await col.kill();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
