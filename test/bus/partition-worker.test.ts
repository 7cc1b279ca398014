import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../../src/bus/jetstream.js';
import { partitionOf } from '../../src/bus/partition.js';
import { PartitionWorker, type PartitionDetector } from '../../src/bus/partition-worker.js';
import type { Alert } from '../../src/model/alert.js';
import { startNats, type RunningServer } from '../servers.js';

// A real nats-server with JetStream (Debian's package), private to this file.
let nats: RunningServer;
before(async () => { nats = await startNats(); });
after(async () => { await nats?.stop(); });

/** Threshold detector with state: alerts when a device has sent its 5th, 10th, ... event (a window that spans batches). */
class CountDetector implements PartitionDetector {
  counts: Record<string, number> = {};
  process(items: unknown[]): Alert[] {
    const out: Alert[] = [];
    for (const it of items as { device: string; n: number }[]) {
      const c = (this.counts[it.device] = (this.counts[it.device] ?? 0) + 1);
      if (c % 5 === 0) out.push({ id: `${it.device}-${c}`, time: new Date(0).toISOString(), detector: 'sigma', rule: { id: 'count', title: 'count', level: 'low', tags: [] }, severity: 'low', attack: [], device: it.device });
    }
    return out;
  }
  snapshot() { return this.counts; }
  restore(s: unknown) { this.counts = { ...(s as Record<string, number>) }; }
}

async function waitUntil(cond: () => Promise<boolean> | boolean, ms = 20000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a crashed detector\'s partitions move to the other; every alert arrives once and windows spanning the crash still fire', async () => {
  const partitions = 8;
  const opts = { servers: [nats.url], partitions, leaseMs: 1500 };
  const producer = await Bus.connect(opts);
  const a = await Bus.connect(opts);
  const b = await Bus.connect(opts);
  const wa = new PartitionWorker(a, 'det-a', () => new CountDetector());
  const wb = new PartitionWorker(b, 'det-b', () => new CountDetector());
  await wa.start();
  await wb.start();
  await waitUntil(() => wa.stats.partitions.length + wb.stats.partitions.length === partitions && wb.stats.partitions.length > 0);

  const devices = Array.from({ length: 20 }, (_, i) => `dev${i}`);
  const perDevice = 25; // 5 alerts per device expected
  const publish = async (from: number, to: number) => {
    for (let n = from; n < to; n++) {
      const byPart = new Map<number, unknown[]>();
      for (const d of devices) {
        const p = partitionOf(d, partitions);
        if (!byPart.has(p)) byPart.set(p, []);
        byPart.get(p)!.push({ device: d, n });
      }
      for (const [p, items] of byPart) await producer.publishBatch(p, items, `batch-${n}-${p}`);
    }
  };
  await publish(0, 12);
  await waitUntil(() => wa.stats.items + wb.stats.items >= 12 * devices.length);
  const heldByA = wa.stats.partitions.slice();
  assert.ok(heldByA.length > 0);
  await wa.abandon(); // crash: no lease release, no more heartbeats
  await publish(12, perDevice);
  await waitUntil(() => wb.stats.partitions.length === partitions, 15000);

  const store = await producer.alertConsumer('test-store');
  const seen = new Map<string, number>();
  await waitUntil(async () => {
    const msgs = await store.fetch({ max_messages: 500, expires: 1000 });
    for await (const m of msgs) {
      const al = JSON.parse(Buffer.from(m.data).toString()) as Alert;
      seen.set(al.id, (seen.get(al.id) ?? 0) + 1);
      m.ack();
    }
    return seen.size >= devices.length * (perDevice / 5);
  });
  assert.equal(seen.size, devices.length * (perDevice / 5), 'every threshold alert fired, including windows spanning the crash');
  assert.ok([...seen.values()].every((c) => c === 1), 'no alert delivered twice');
  for (const d of devices) assert.ok(seen.has(`${d}-25`));
  await wb.stop();
  await Promise.all([producer.close(), a.close(), b.close()]);
});
