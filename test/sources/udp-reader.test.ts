import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { UdpReader } from '../../src/sources/udp-reader.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(port: number, payloads: Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of payloads) await new Promise<void>((r, j) => s.send(p, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  s.close();
}

test('the receive thread hands over every datagram with its sender, in order', async () => {
  const got: string[] = [];
  const peers = new Set<string>();
  const r = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 20 }, (data, lengths, from) => {
    let off = 0;
    for (let i = 0; i < lengths.length; i++) { got.push(data.subarray(off, off + lengths[i]).toString()); off += lengths[i]; peers.add(from[i]); }
  });
  assert.ok(r.address().port > 0);
  assert.ok(r.recvBufferSize() > 0);
  const sent = Array.from({ length: 300 }, (_, i) => Buffer.from(`datagram ${i} ${'x'.repeat(i % 50)}`));
  await send(r.address().port, sent);
  for (let i = 0; i < 50 && got.length < sent.length; i++) await sleep(20);
  await r.close();
  assert.deepEqual(got, sent.map(String));
  assert.equal(peers.size, 1);
  assert.match([...peers][0], /^127\.0\.0\.1:\d+$/);
  assert.equal(r.queueDrops(), 0);
});

test('a main thread that falls behind costs bounded memory: datagrams beyond maxPending are dropped and counted', async () => {
  let delivered = 0;
  let first = true;
  const r = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 20, maxPending: 4000, peerPort: false }, (_data, lengths, peers) => {
    if (first) {
      // busy for a while on the first batch, as a slow decoder would be
      first = false;
      const until = Date.now() + 400;
      while (Date.now() < until) { /* busy */ }
    }
    delivered += lengths.length;
    assert.equal(peers[0], '127.0.0.1');
  });
  const sent = 400;
  await send(r.address().port, Array.from({ length: sent }, () => Buffer.alloc(100, 1)));
  await sleep(600);
  await r.close();
  assert.ok(r.queueDrops() > 0, 'some datagrams were dropped by the bound');
  assert.equal(delivered + r.queueDrops(), sent, 'every datagram is either delivered or counted');
});

test('binding an address that is in use fails with the listener named', async () => {
  const a = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 16 }, () => undefined);
  await assert.rejects(UdpReader.start({ host: '127.0.0.1', port: a.address().port, recvBuffer: 1 << 16 }, () => undefined, 'flows listener'), /flows listener: .*EADDRINUSE/);
  await a.close();
});
