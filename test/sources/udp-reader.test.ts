import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { UdpReader } from '../../src/sources/udp-reader.js';
import { udpNative, whyNoNativeUdp } from '../../src/sources/udp-native.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(port: number, payloads: Buffer[], host = '127.0.0.1'): Promise<void> {
  const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  for (const p of payloads) await new Promise<void>((r, j) => s.send(p, port, host, (e) => (e ? j(e) : r())));
  s.close();
}

/** Collects every datagram a reader hands over, as strings, with the senders seen. */
function collector() {
  const got: string[] = [];
  const peers = new Set<string>();
  let batches = 0;
  const onBatch = (data: Buffer, lengths: ArrayLike<number>, from: string[]) => {
    batches++;
    let off = 0;
    for (let i = 0; i < lengths.length; i++) { got.push(data.subarray(off, off + lengths[i]).toString()); off += lengths[i]; peers.add(from[i]); }
    assert.equal(off, data.length, 'the lengths cover the batch exactly');
  };
  return { got, peers, onBatch, batches: () => batches };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await sleep(10);
}

test('on Linux the native recvmmsg path is built and used (npm ci builds it; TIDEWATCH_UDP_NATIVE=0 turns it off)', async (t) => {
  if (process.platform !== 'linux') return t.skip('recvmmsg is Linux only');
  if (process.env.TIDEWATCH_UDP_NATIVE === '0') return t.skip('turned off by TIDEWATCH_UDP_NATIVE=0');
  assert.ok(udpNative(), `native path missing: ${whyNoNativeUdp()}`);
  const r = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 16 }, () => undefined);
  assert.equal(r.receivePath(), 'recvmmsg (native)');
  await r.close();
  const d = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 16, native: false }, () => undefined);
  assert.equal(d.receivePath(), 'dgram (native path turned off)');
  await d.close();
});

for (const native of [true, false]) {
  const path = native ? 'native path' : 'dgram path';

  test(`${path}: the receive thread hands over every datagram with its sender, in order`, async () => {
    const c = collector();
    const r = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 20, native }, c.onBatch);
    assert.ok(r.address().port > 0);
    assert.ok(r.recvBufferSize() > 0);
    const sent = Array.from({ length: 300 }, (_, i) => Buffer.from(`datagram ${i} ${'x'.repeat(i % 50)}`));
    await send(r.address().port, sent);
    await until(() => c.got.length >= sent.length);
    await r.close();
    assert.deepEqual(c.got, sent.map(String));
    assert.equal(c.peers.size, 1);
    assert.match([...c.peers][0], /^127\.0\.0\.1:\d+$/);
    assert.equal(r.queueDrops(), 0);
  });

  test(`${path}: IPv6, a 60,000-byte datagram and an empty one arrive whole, senders as the address alone`, async () => {
    const c = collector();
    const r = await UdpReader.start({ host: '::1', port: 0, recvBuffer: 1 << 20, peerPort: false, native }, c.onBatch);
    assert.equal(r.v6, true);
    const big = Buffer.alloc(60_000);
    for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
    const sent = [Buffer.from('first'), big, Buffer.alloc(0), Buffer.from('last')];
    await send(r.address().port, sent, '::1');
    await until(() => c.got.length >= sent.length);
    await r.close();
    assert.deepEqual(c.got, sent.map(String));
    assert.deepEqual([...c.peers], ['::1']);
  });

  test(`${path}: a burst larger than one hand-over (reused buffers) keeps every byte of every datagram`, async () => {
    const c = collector();
    const r = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 8 << 20, native }, c.onBatch);
    // 4,000 datagrams of 1,400 bytes (5.6 MB): several batches, and buffers given back and filled again
    const sent = Array.from({ length: 4000 }, (_, i) => Buffer.from(`${String(i).padStart(6, '0')}:${String.fromCharCode(65 + (i % 26)).repeat(1393)}`));
    const s = createSocket('udp4');
    for (let i = 0; i < sent.length; i += 200) {
      await Promise.all(sent.slice(i, i + 200).map((p) => new Promise<void>((res, rej) => s.send(p, r.address().port, '127.0.0.1', (e) => (e ? rej(e) : res())))));
      await sleep(2);
    }
    s.close();
    await until(() => c.got.length >= sent.length, 5000);
    await r.close();
    assert.equal(c.got.length, sent.length, 'nothing lost on loopback at this pace');
    assert.deepEqual(c.got, sent.map(String), 'bytes and order intact across reused buffers');
    assert.ok(c.batches() > 1);
  });

  test(`${path}: a main thread that falls behind costs bounded memory: datagrams beyond maxPending are dropped and counted`, async () => {
    let delivered = 0;
    let first = true;
    const r = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 20, maxPending: 4000, peerPort: false, native }, (_data, lengths, peers) => {
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

  test(`${path}: binding an address that is in use fails with the listener named; an idle reader closes at once`, async () => {
    const a = await UdpReader.start({ host: '127.0.0.1', port: 0, recvBuffer: 1 << 16, native }, () => undefined);
    await assert.rejects(UdpReader.start({ host: '127.0.0.1', port: a.address().port, recvBuffer: 1 << 16, native }, () => undefined, 'flows listener'), /flows listener: .*EADDRINUSE/);
    const t0 = Date.now();
    await a.close();
    assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
  });
}
