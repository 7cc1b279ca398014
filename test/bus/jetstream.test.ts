import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, BUS } from '../../src/bus/jetstream.js';
import { startNats, type RunningServer } from '../servers.js';

let nats: RunningServer;
before(async () => { nats = await startNats(); });
after(async () => { await nats?.stop(); });

// NATS refuses payloads over max_payload (1 MiB by default): a collector's big batch must go as several messages,
// each deduplicated on replay, and nothing may be lost or doubled.
test('a batch larger than a message is split into parts; publishing it again adds nothing', async () => {
  const bus = await Bus.connect({ servers: [nats.url], partitions: 4 });
  try {
    const items = Array.from({ length: 6000 }, (_, i) => ({ k: 'e', e: { line: i, raw: `line ${i} `.padEnd(400, 'x') } }));
    assert.ok(Buffer.byteLength(JSON.stringify(items)) > 2 * 1024 * 1024);
    await bus.publishBatch(2, items, 'c1:0:100:2');
    const before = (await bus.jsm.streams.info(BUS.inStream)).state.messages;
    assert.ok(before >= 4, `split into ${before} messages`);
    await bus.publishBatch(2, items, 'c1:0:100:2'); // a replay after a crash: same ids, deduplicated
    assert.equal((await bus.jsm.streams.info(BUS.inStream)).state.messages, before);
    const consumer = await bus.partitionConsumer(2);
    const seen: number[] = [];
    while (seen.length < items.length) {
      const msgs = await consumer.fetch({ max_messages: 100, expires: 1000 });
      let n = 0;
      for await (const m of msgs) { n++; for (const it of JSON.parse(Buffer.from(m.data).toString()) as { e: { line: number } }[]) seen.push(it.e.line); m.ack(); }
      if (!n) break;
    }
    assert.deepEqual(seen, items.map((_, i) => i), 'every item once, in order');
  } finally {
    await bus.close();
  }
});
