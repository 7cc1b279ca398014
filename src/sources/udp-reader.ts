import { getPriority, setPriority } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import { whyNoNativeUdpFor } from './udp-native.js';
import type { UdpThreadInit } from './udp-thread.js';

/** Shared control word (src/sources/udp-thread.ts): non-zero when the main thread asks the receive thread to stop. */
export const CTL_CLOSE = 0;
/** Shared control word: bytes handed over and not yet processed by the main thread. */
export const CTL_PENDING = 1;

export interface UdpReaderOptions {
  host: string;
  port: number;
  /** Receive buffer to ask the kernel for (capped by net.core.rmem_max). */
  recvBuffer: number;
  /**
   * Bytes handed over and not yet through `onBatch` before the receive thread drops datagrams and counts them
   * (`queueDrops`); 0: no limit.
   */
  maxPending?: number;
  /** Senders as "address:port" (default) or the address alone. */
  peerPort?: boolean;
  /** A socket error after the bind (the reader goes on where it can); before it, `start` rejects instead. */
  onError?: (e: Error) => void;
  /** Use the native recvmmsg path where it is built (default true; TIDEWATCH_UDP_NATIVE=0 also turns it off). */
  native?: boolean;
}

/**
 * A UDP socket read in its own thread (src/sources/udp-thread.ts): datagrams reach `onBatch` in batches, as one
 * buffer with each datagram's length and sender, however busy this thread is. Used by `tidewatch flows collect` and by
 * the service's UDP listeners.
 */
export class UdpReader {
  private boundAt = { host: '', port: 0 };
  private recvBuf = 0;
  private drops = 0;
  private closing?: Promise<void>;
  private nativePath = false;

  private constructor(private readonly worker: Worker, readonly v6: boolean, private readonly ctl: Int32Array, private readonly o: UdpReaderOptions) {}

  /**
   * Binds and starts reading. `onBatch` gets `data` holding the datagrams back to back; `lengths[i]` and `peers[i]`
   * describe the i-th. A batch counts as processed when `onBatch` returns, and its memory is reused after that:
   * copy whatever must outlive the call.
   */
  static async start(o: UdpReaderOptions, onBatch: (data: Buffer, lengths: ArrayLike<number>, peers: string[]) => void, name = `udp://${o.host}:${o.port}`): Promise<UdpReader> {
    const v6 = o.host.includes(':');
    const sab = new SharedArrayBuffer(8);
    const recycle = new MessageChannel();
    const init: UdpThreadInit = { host: o.host, port: o.port, v6, recvBuffer: o.recvBuffer, maxPending: o.maxPending ?? 0, peerPort: o.peerPort ?? true, ctl: sab, native: o.native ?? true, recycle: recycle.port2 };
    const worker = new Worker(new URL('./udp-thread.js', import.meta.url), { workerData: init, transferList: [recycle.port2] });
    recycle.port1.unref();
    const ctl = new Int32Array(sab);
    const self = new UdpReader(worker, v6, ctl, o);
    await new Promise<void>((resolve, reject0) => {
      // a socket that cannot bind (address in use, not local) ends its thread too
      const reject = (e: Error) => { void worker.terminate(); reject0(e); };
      worker.on('message', (m: { t: string; host?: string; port?: number; recvBuffer?: number; native?: boolean; message?: string; buf?: ArrayBuffer; bytes?: number; lengths?: ArrayLike<number>; peers?: string[]; queueDrops?: number }) => {
        if (m.t === 'data') {
          try {
            onBatch(Buffer.from(m.buf!, 0, m.bytes!), m.lengths!, m.peers!);
          } finally {
            // the batch is processed when onBatch returns: the receive thread may hand over that much more, and
            // gets the buffer back for reuse (so `data` is only valid during onBatch)
            Atomics.sub(ctl, CTL_PENDING, m.bytes!);
            recycle.port1.postMessage(m.buf, [m.buf!]);
          }
        }
        else if (m.t === 'bound') {
          self.boundAt = { host: m.host!, port: m.port! };
          self.recvBuf = m.recvBuffer ?? 0;
          self.nativePath = m.native === true;
          resolve();
        } else if (m.t === 'closed') self.drops = m.queueDrops ?? 0;
        else if (m.t === 'error') {
          const e = new Error(`${name}: ${m.message}`);
          if (self.boundAt.port) o.onError?.(e);
          else reject(e);
        }
      });
      worker.once('error', reject);
      worker.on('error', () => undefined); // after start: reading stops; kernel drops still show the loss
      worker.once('exit', (code) => reject(new Error(`${name}: receive thread exited (${code})`)));
    });
    return self;
  }

  /** The bound address (port 0 resolved). */
  address(): { host: string; port: number } {
    return this.boundAt;
  }

  /** How the socket is read: "recvmmsg (native)", or "dgram" with the reason the native path is not used. */
  receivePath(): string {
    if (this.nativePath) return 'recvmmsg (native)';
    return `dgram (${this.o.native === false ? 'native path turned off' : whyNoNativeUdpFor(this.o.host) || 'native path not available'})`;
  }

  /** The receive buffer the kernel granted, in bytes. */
  recvBufferSize(): number {
    return this.recvBuf;
  }

  /** Datagrams the receive thread dropped because `maxPending` bytes were waiting (known after `close`). */
  queueDrops(): number {
    return this.drops;
  }

  /** Stops reading; the last batch is delivered before this resolves. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((r) => {
      // the thread answers 'closed' after its last batch; batches still queued for this thread come first, and a
      // busy decoder may take a while to get through them, so the thread is only given up on (terminated) when
      // nothing at all has come from it for 3 s
      let last = Date.now();
      this.worker.on('message', (m: { t: string }) => { last = Date.now(); if (m.t === 'closed') r(); });
      this.worker.once('exit', () => r());
      Atomics.store(this.ctl, CTL_CLOSE, 1);
      Atomics.notify(this.ctl, CTL_CLOSE);
      this.worker.postMessage({ t: 'close' });
      const check = () => {
        if (Date.now() - last < 3000) { setTimeout(check, 1000).unref(); return; }
        void this.worker.terminate();
        r();
      };
      setTimeout(check, 3000).unref();
    });
    return this.closing;
  }
}

/**
 * Lets a receive thread started before this call go first: lowers the scheduling priority (raises the nice value to
 * `nice`) of the calling thread only. Linux keeps nice values per thread, and setpriority() on the caller's own id
 * changes just that thread; threads started earlier (the receive thread, V8's helpers) keep theirs, threads started
 * later inherit it. Needs no privilege. The decoding thread then runs on the CPU the receive thread leaves, and a
 * burst above its own rate waits in the receive thread's bounded queue instead of in the kernel buffer, which
 * overflows. Returns whether it applied (not on other systems).
 */
export function yieldToReceiveThread(nice = 10): boolean {
  if (process.platform !== 'linux') return false;
  try {
    if (getPriority(0) < nice) setPriority(0, nice);
    return true;
  } catch {
    return false;
  }
}
