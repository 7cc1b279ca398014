/**
 * The receiving end of a UDP listener, in its own thread: it only reads datagrams and hands them to the main thread
 * in batches, so the socket keeps being drained while the main thread is busy (decoding, detection, store appends).
 * The kernel's socket buffer holds a fraction of a second of traffic at high rates; this thread's queue holds more.
 * Started by src/sources/udp-reader.ts (`UdpReader`), which holds the protocol's other end:
 *   to main:  {t:'bound', host, port, recvBuffer, native} | {t:'data', buf, bytes, lengths, peers} | {t:'error', message}
 *             | {t:'closed', queueDrops}
 *   from main: the shared `ctl` words (CLOSE set to ask for the end; PENDING lowered by the bytes main has processed),
 *             {t:'close'}, which wakes the dgram path's event loop, and on `recycle` the `buf`s of processed batches
 * When `maxPending` bytes are handed over and not yet acknowledged, further datagrams are dropped here and counted
 * (`queueDrops`), so a main thread that cannot keep up costs bounded memory and every loss is counted.
 *
 * Two ways to read: the native path (native/udp-recv, recvmmsg: many datagrams per system call straight into one
 * buffer, this thread blocking in it up to a timeout) where it is built and the host is an IP literal, else Node's
 * dgram (one callback per datagram).
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { nativeUdpFor, type UdpNative } from './udp-native.js';
import { CTL_CLOSE, CTL_PENDING } from './udp-reader.js';

export interface UdpThreadInit {
  host: string;
  port: number;
  v6: boolean;
  recvBuffer: number;
  /** Bytes handed over and not acknowledged before datagrams are dropped; 0 = no limit. */
  maxPending: number;
  /** Give each datagram's sender as "address:port" (true) or the address alone (false). */
  peerPort: boolean;
  /** Int32Array words shared with the main thread: [CTL_CLOSE, CTL_PENDING]. */
  ctl: SharedArrayBuffer;
  /** Use the native path where it can (false: dgram always). */
  native: boolean;
  /** Where the main thread gives back hand-over buffers it has finished with, for reuse. */
  recycle: MessagePort;
}

const init = workerData as UdpThreadInit;
const port = parentPort!;
const ctl = new Int32Array(init.ctl);
let queueDrops = 0;

/** At most this long between a datagram's arrival and its hand-over (ms), on the native path. */
const BATCH_MS = 2;
/** Hand over at this many datagrams. */
const BATCH_DATAGRAMS = 2048;
const SLOT = 65536;
const VLEN = 64;
/** Hand over at this many bytes (at 1.6 M flow records/s, 2 ms of datagrams are about 240 KB). */
const BATCH_BYTES = 256 * 1024;
/** Hand-over buffers come in this size: a batch of BATCH_BYTES plus one more system call's worth of ordinary
 * datagrams; a batch larger than that (jumbo syslog datagrams) gets a buffer of its own. */
const CHUNK = 2 * BATCH_BYTES;
/**
 * At most this many given-back chunks are kept for reuse (64 MiB): enough to ride out the main thread falling behind
 * by a quarter of a second at 120 MB/s without touching new memory. Memory the process has not touched before costs a
 * page fault per 4 KiB on first write, and page faults are dear on this kind of virtual machine (70% of this thread's
 * CPU in a profile at 80,000 datagrams/s when every batch had a new buffer).
 */
const POOL_MAX = 128;
const pool: ArrayBuffer[] = [];

/**
 * Sends a batch to the main thread in a transferred buffer. Buffers are reused: the main thread gives each back
 * through `recycle` when its batch is processed (see POOL_MAX).
 */
function sendBatch(fill: (into: Buffer) => void, bytes: number, lengths: ArrayLike<number>, peers: string[]): void {
  for (let m = receiveMessageOnPort(init.recycle); m; m = receiveMessageOnPort(init.recycle)) {
    const ab = m.message as ArrayBuffer;
    if (pool.length < POOL_MAX && ab.byteLength === CHUNK) pool.push(ab); // a jumbo batch's own buffer is let go
  }
  const ab = (bytes <= CHUNK ? pool.pop() : undefined) ?? (Buffer.allocUnsafeSlow(bytes <= CHUNK ? CHUNK : bytes).buffer as ArrayBuffer);
  fill(Buffer.from(ab, 0, bytes));
  Atomics.add(ctl, CTL_PENDING, bytes);
  port.postMessage({ t: 'data', buf: ab, bytes, lengths, peers }, [ab]);
}

function runNative(n: UdpNative): void {
  let fd: number;
  try {
    const [f, host, boundPort, recvBuffer] = n.open(init.host, init.port, init.v6, init.recvBuffer);
    fd = f;
    port.postMessage({ t: 'bound', host, port: boundPort, recvBuffer, native: true });
  } catch (e) {
    port.postMessage({ t: 'error', message: (e as Error).message });
    port.close();
    return;
  }
  // a few hand-over buffers touched up front (8 MiB), so the first burst does not pay page faults for all of them
  for (let i = 0; i < 16; i++) pool.push(Buffer.alloc(CHUNK).buffer as ArrayBuffer);
  // hot path: the receive loop. `out` has room for a batch plus one full recvmmsg (64 x 64 KiB) at any time.
  const CAP = BATCH_BYTES + VLEN * SLOT;
  const out = Buffer.allocUnsafeSlow(CAP);
  const lengths = new Int32Array(2 * BATCH_DATAGRAMS);
  let peers: string[] = [];
  const spill = Buffer.allocUnsafeSlow(VLEN * SLOT);
  const spillLengths = new Int32Array(VLEN);
  const spillPeers: string[] = [];
  let off = 0;
  let count = 0;
  let first = 0;
  const handOver = () => {
    sendBatch((into) => out.copy(into, 0, 0, off), off, lengths.slice(0, count), peers);
    off = 0;
    count = 0;
    peers = [];
  };
  let lastError = '';
  while (Atomics.load(ctl, CTL_CLOSE) === 0) {
    let now = performance.now();
    try {
      // bytes this thread may still take: the batch's room, and what maxPending leaves (exceeded by at most one
      // system call's worth, 64 datagrams)
      const budget = init.maxPending > 0 ? Math.min(BATCH_BYTES - off, init.maxPending - Atomics.load(ctl, CTL_PENDING) - off) : BATCH_BYTES - off;
      if (budget <= 0 && off < BATCH_BYTES) {
        // the main thread is behind by maxPending bytes: keep the socket drained, drop and count
        queueDrops += n.recv(fd, spill, 0, spillLengths, 0, spillPeers, count ? 1000 : 20_000, false, 1);
      } else {
        // a batch under way: sleep out the rest of its time, then take everything that came meanwhile in as few
        // calls as it takes (waking at every datagram instead cost 7-8 µs of CPU per datagram); no batch: wait in
        // the kernel for the first datagram. Atomics.wait ends early when the main thread asks to close.
        if (count) {
          const left = first + BATCH_MS - now;
          if (left > 0.05) Atomics.wait(ctl, CTL_CLOSE, 0, left);
        }
        const k = n.recv(fd, out, off, lengths, count, peers, count ? 0 : 50_000, init.peerPort, budget);
        if (k) {
          if (!count) first = performance.now(); // after the wait for it, not before
          for (let i = count; i < count + k; i++) off += lengths[i];
          count += k;
        }
      }
      lastError = '';
    } catch (e) {
      const m = (e as Error).message;
      if (m !== lastError) port.postMessage({ t: 'error', message: m });
      lastError = m;
      if ((e as NodeJS.ErrnoException).code === 'EBADF') break;
      Atomics.wait(ctl, CTL_CLOSE, 0, 10); // an error that persists must not spin this thread
    }
    now = performance.now();
    if (count && (count >= BATCH_DATAGRAMS || off >= BATCH_BYTES || now - first >= BATCH_MS)) handOver();
  }
  if (count) handOver();
  n.close(fd);
  port.postMessage({ t: 'closed', queueDrops });
  port.close();
}

function runDgram(): void {
  const sock = createSocket({ type: init.v6 ? 'udp6' : 'udp4', recvBufferSize: init.recvBuffer });
  /** Datagram payloads and their senders since the last hand-over. */
  let data: Buffer[] = [];
  let peers: string[] = [];
  let bytes = 0;
  let scheduled = false;

  function handOver(): void {
    scheduled = false;
    if (!data.length) return;
    // one contiguous buffer (transferred, not copied) plus the lengths
    const parts = data;
    sendBatch((into) => {
      let off = 0;
      for (const d of parts) { d.copy(into, off); off += d.length; }
    }, bytes, parts.map((d) => d.length), peers);
    data = [];
    peers = [];
    bytes = 0;
  }

  // hot path: one call per datagram; it only keeps the datagram
  sock.on('message', (msg, rinfo) => {
    if (init.maxPending > 0 && Atomics.load(ctl, CTL_PENDING) + bytes > init.maxPending) {
      queueDrops++;
      return;
    }
    data.push(msg);
    bytes += msg.length;
    peers.push(init.peerPort ? `${rinfo.address}:${rinfo.port}` : rinfo.address);
    if (data.length >= BATCH_DATAGRAMS) handOver();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(handOver);
    }
  });
  sock.on('error', (e) => port.postMessage({ t: 'error', message: e.message }));
  sock.bind({ address: init.host, port: init.port }, () => {
    const a = sock.address();
    let recvBuffer = 0;
    try { recvBuffer = sock.getRecvBufferSize(); } catch { /* not known */ }
    port.postMessage({ t: 'bound', host: a.address, port: a.port, recvBuffer, native: false });
  });
  port.on('message', (m: { t: string }) => {
    if (m.t === 'close') {
      handOver();
      sock.close(() => {
        port.postMessage({ t: 'closed', queueDrops });
        port.close();
      });
    }
  });
}

const native = init.native ? nativeUdpFor(init.host) : undefined;
if (native) runNative(native);
else runDgram();
