/**
 * The receiving end of a UDP listener, in its own thread: it only reads datagrams and hands them to the main thread
 * in batches, so the socket keeps being drained while the main thread is busy (decoding, detection, store appends).
 * The kernel's socket buffer holds a fraction of a second of traffic at high rates; this thread's queue holds more.
 * Started by src/sources/udp-reader.ts (`UdpReader`), which holds the protocol's other end:
 *   to main:  {t:'bound', host, port, recvBuffer} | {t:'data', buf, lengths, peers} | {t:'error', message}
 *             | {t:'closed', queueDrops}
 *   from main: {t:'ack', bytes} (that many handed-over bytes are processed) | {t:'close'}
 * When `maxPending` bytes are handed over and not yet acknowledged, further datagrams are dropped here and counted
 * (`queueDrops`), so a main thread that cannot keep up costs bounded memory and every loss is counted.
 */
import { createSocket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

export interface UdpThreadInit {
  host: string;
  port: number;
  v6: boolean;
  recvBuffer: number;
  /** Bytes handed over and not acknowledged before datagrams are dropped; 0 = no limit (no acks expected). */
  maxPending: number;
  /** Give each datagram's sender as "address:port" (true) or the address alone (false). */
  peerPort: boolean;
}

const init = workerData as UdpThreadInit;
const port = parentPort!;
const sock = createSocket({ type: init.v6 ? 'udp6' : 'udp4', recvBufferSize: init.recvBuffer });
/** Datagram payloads and their senders since the last hand-over. */
let data: Buffer[] = [];
let peers: string[] = [];
let bytes = 0;
let scheduled = false;
let pending = 0;
let queueDrops = 0;

function handOver(): void {
  scheduled = false;
  if (!data.length) return;
  // one contiguous buffer (transferred, not copied) plus the lengths
  const lengths = data.map((d) => d.length);
  const all = Buffer.allocUnsafeSlow(bytes);
  let off = 0;
  for (const d of data) { d.copy(all, off); off += d.length; }
  pending += bytes;
  port.postMessage({ t: 'data', buf: all.buffer, lengths, peers }, [all.buffer as ArrayBuffer]);
  data = [];
  peers = [];
  bytes = 0;
}

// hot path: one call per datagram (86,000/s at 1.6 M flow records/s); it only keeps the datagram
sock.on('message', (msg, rinfo) => {
  if (init.maxPending > 0 && pending + bytes > init.maxPending) {
    queueDrops++;
    return;
  }
  data.push(msg);
  bytes += msg.length;
  peers.push(init.peerPort ? `${rinfo.address}:${rinfo.port}` : rinfo.address);
  if (data.length >= 2048) handOver();
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
  port.postMessage({ t: 'bound', host: a.address, port: a.port, recvBuffer });
});
port.on('message', (m: { t: string; bytes?: number }) => {
  if (m.t === 'ack') pending -= m.bytes ?? 0;
  else if (m.t === 'close') {
    handOver();
    sock.close(() => {
      port.postMessage({ t: 'closed', queueDrops });
      port.close();
    });
  }
});
