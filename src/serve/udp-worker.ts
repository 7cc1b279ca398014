/**
 * The receiving end of a UDP listener, in its own thread: it only reads datagrams and hands them to the main thread
 * in batches, so the socket keeps being drained while the main thread is busy (parsing, detection, store appends).
 * The kernel's socket buffer holds a fraction of a second of traffic at high rates; this thread's queue holds more.
 * Nothing is accepted here: the main thread writes the datagrams ahead (src/serve/listeners.ts) and counts them.
 */
import { createSocket } from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

interface Init {
  host: string;
  port: number;
  v6: boolean;
  recvBuffer: number;
}

const init = workerData as Init;
const port = parentPort!;
const sock = createSocket({ type: init.v6 ? 'udp6' : 'udp4', recvBufferSize: init.recvBuffer });
/** Datagram payloads and their senders since the last hand-over. */
let data: Buffer[] = [];
let peers: string[] = [];
let scheduled = false;

function handOver(): void {
  scheduled = false;
  if (!data.length) return;
  // one contiguous buffer (transferred, not copied) plus the lengths
  const lengths = data.map((d) => d.length);
  const all = Buffer.concat(data);
  const ab = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  port.postMessage({ t: 'data', buf: ab, lengths, peers }, [ab as ArrayBuffer]);
  data = [];
  peers = [];
}

sock.on('message', (msg, rinfo) => {
  data.push(msg);
  peers.push(`${rinfo.address}:${rinfo.port}`);
  if (data.length >= 4096) handOver();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(handOver);
  }
});
sock.on('error', (e) => port.postMessage({ t: 'error', message: e.message }));
sock.bind({ address: init.host, port: init.port }, () => {
  const a = sock.address();
  port.postMessage({ t: 'bound', host: a.address, port: a.port });
});
port.on('message', (m: { t: string }) => {
  if (m.t === 'close') {
    handOver();
    sock.close(() => {
      port.postMessage({ t: 'closed' });
      port.close();
    });
  }
});
