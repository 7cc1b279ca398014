import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { UdpReader } from '../sources/udp-reader.js';
import type { Endpoint } from './config.js';
import type { TlsFiles } from './config.js';
import { SyslogFramer } from './framing.js';
import type { Metrics } from './metrics.js';
import type { WalBlock, WriteAheadLog } from './wal.js';

/** What the listeners feed: the single process's Pipeline, or a scale-out collector's bus forwarder. */
export interface PipelineSink {
  readonly depth: number;
  readonly highWater: number;
  push(blocks: readonly WalBlock[]): void;
}

/**
 * Where listeners hand what they receive: into the write-ahead log (synchronously for TCP/TLS, coalesced per
 * event-loop turn for UDP), then counted as accepted and queued for the pipeline.
 */
export class Ingest {
  private scheduled = false;
  /** UDP records are refused (counted `queue_full`) above this queue depth; TCP/TLS are paused instead. */
  readonly udpLimit: number;

  constructor(private readonly wal: WriteAheadLog, private readonly pipeline: PipelineSink, private readonly metrics: Metrics, opts: { udpLimit?: number } = {}) {
    this.udpLimit = opts.udpLimit ?? pipeline.highWater * 5;
  }

  /** Stream sources: written ahead before the caller reads more from its socket. */
  acceptNow(source: string, peer: string, records: string[]): void {
    if (!records.length) return;
    this.wal.append(source, peer, Date.now(), records);
    this.flush();
  }

  /** Datagram sources: coalesced into one write per event-loop turn. Returns false when refused (queue full). */
  acceptSoon(source: string, peer: string, records: string[]): boolean {
    if (this.pipeline.depth >= this.udpLimit) {
      this.metrics.dropped.inc({ source, reason: 'queue_full' }, records.length);
      return false;
    }
    this.wal.append(source, peer, Date.now(), records);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  flush(): void {
    this.scheduled = false;
    const blocks = this.wal.flush();
    if (!blocks.length) return;
    const counts = new Map<string, number>();
    for (const b of blocks) counts.set(b.source, (counts.get(b.source) ?? 0) + b.records.length);
    for (const [source, n] of counts) this.metrics.accepted.inc({ source }, n);
    this.pipeline.push(blocks);
  }

  drop(source: string, reason: string, n = 1): void {
    if (n > 0) this.metrics.dropped.inc({ source, reason }, n);
  }
}

export interface Listener {
  name: string;
  address(): Endpoint;
  close(): Promise<void>;
}

const peerOf = (addr: string | undefined, port: number | undefined) => `${addr ?? 'unknown'}:${port ?? 0}`;

/**
 * Syslog over TCP or TLS (RFC 6587 framing; RFC 5425 for TLS). Reading pauses on every connection while the
 * pipeline is behind, so senders are slowed by TCP flow control rather than dropped.
 */
export class StreamListener implements Listener {
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private constructor(readonly name: string, private readonly server: Server) {}

  static async start(name: string, at: Endpoint, ingest: Ingest, tls?: TlsFiles, log?: (l: string) => void): Promise<StreamListener> {
    const holder: { self?: StreamListener } = {};
    const onConn = (sock: Socket) => {
      const s = holder.self!;
      const peer = peerOf(sock.remoteAddress, sock.remotePort);
      if (tls && tls.clientCert === 'optional') {
        const t = sock as TLSSocket;
        if (t.getPeerCertificate && Object.keys(t.getPeerCertificate() ?? {}).length && !t.authorized) {
          ingest.drop(name, 'client_cert_rejected');
          log?.(`tidewatch: ${name}: refused ${peer}: client certificate not trusted (${String(t.authorizationError)})`);
          sock.destroy();
          return;
        }
      }
      s.sockets.add(sock);
      sock.setNoDelay(true);
      if (s.paused) sock.pause();
      const framer = new SyslogFramer();
      sock.on('data', (chunk: Buffer) => {
        const r = framer.push(chunk);
        if (r.oversized) ingest.drop(name, 'oversized', r.oversized);
        ingest.acceptNow(name, peer, r.lines);
      });
      const done = () => {
        if (!s.sockets.delete(sock)) return;
        ingest.acceptNow(name, peer, framer.end());
      };
      sock.on('end', done);
      sock.on('close', done);
      sock.on('error', () => undefined);
    };
    const server = tls
      ? createTlsServer({
        key: tls.key, cert: tls.cert, ca: tls.ca,
        requestCert: tls.clientCert !== 'none', rejectUnauthorized: tls.clientCert === 'required',
      }, onConn)
      : createServer(onConn);
    if (tls) server.on('tlsClientError', () => ingest.drop(name, 'tls_handshake'));
    const self = (holder.self = new StreamListener(name, server));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: at.host, port: at.port, backlog: 1024 }, () => { server.off('error', reject); resolve(); });
    });
    return self;
  }

  setPaused(p: boolean): void {
    if (this.paused === p) return;
    this.paused = p;
    for (const s of this.sockets) {
      if (p) s.pause();
      else s.resume();
    }
  }

  address(): Endpoint {
    const a = this.server.address();
    if (!a || typeof a === 'string') throw new Error(`${this.name} is not listening`);
    return { host: a.address, port: a.port };
  }

  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      this.server.close(() => r());
      for (const s of this.sockets) s.end();
      setTimeout(() => { for (const s of this.sockets) s.destroy(); }, 2000).unref();
    });
  }
}

/** Reads the kernel's per-socket drop counter for a UDP port from /proc/net/udp(6) (Linux); undefined elsewhere. */
export function kernelUdpDrops(port: number, v6: boolean): number | undefined {
  try {
    const text = readFileSync(v6 ? '/proc/net/udp6' : '/proc/net/udp', 'utf8');
    const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
    let total: number | undefined;
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13 || !f[1].endsWith(hex)) continue;
      total = (total ?? 0) + Number(f[f.length - 1]);
    }
    return total;
  } catch {
    return undefined;
  }
}

/**
 * Syslog over UDP (one message per datagram; a datagram holding several LF-separated lines gives several) or
 * NetFlow/IPFIX over UDP (each datagram kept whole, base64 in the log). UDP loss is counted: datagrams the kernel
 * dropped because the socket buffer was full (`udp_overflow`, from /proc/net/udp) and datagrams refused because the
 * pipeline queue was full (`queue_full`).
 */
export class DatagramListener implements Listener {
  private lastDrops = 0;
  private timer?: NodeJS.Timeout;
  private constructor(readonly name: string, private readonly reader: UdpReader, private readonly ingest: Ingest) {}

  /** What one datagram gives: NetFlow kept whole (base64), syslog split into lines (counted drops otherwise). */
  private static handle(name: string, kind: 'syslog' | 'netflow', ingest: Ingest, msg: Buffer, peer: string): void {
    if (kind === 'netflow') {
      ingest.acceptSoon(name, peer, [msg.toString('base64')]);
      return;
    }
    if (msg.length > 65_507) {
      ingest.drop(name, 'oversized');
      return;
    }
    let text = msg.toString('utf8');
    let lines: string[];
    if (text.indexOf('\n') >= 0 && text.indexOf('\n') < text.length - 1) lines = text.split('\n').map((l) => l.replace(/[\r\0]+$/, '')).filter(Boolean);
    else {
      text = text.replace(/[\r\n\0]+$/, '');
      lines = text ? [text] : [];
    }
    if (!lines.length) {
      ingest.drop(name, 'empty');
      return;
    }
    ingest.acceptSoon(name, peer, lines);
  }

  /**
   * Binds the socket in a worker thread (src/sources/udp-reader.ts), which reads datagrams whatever the main thread
   * is doing and hands them over in batches; they are written ahead and counted here as they arrive.
   */
  static async start(name: string, at: Endpoint, ingest: Ingest, kind: 'syslog' | 'netflow', recvBuffer = 16 * 1024 * 1024, log?: (line: string) => void): Promise<DatagramListener> {
    // socket errors after the bind are reported (the listener goes on reading), at most one a minute per listener
    let lastError = 0;
    const onError = (e: Error) => {
      if (!log || Date.now() - lastError < 60_000) return;
      lastError = Date.now();
      log(`tidewatch: ${e.message}`);
    };
    const reader = await UdpReader.start({ host: at.host, port: at.port, recvBuffer, onError }, (data, lengths, peers) => {
      let off = 0;
      for (let i = 0; i < lengths.length; i++) {
        DatagramListener.handle(name, kind, ingest, data.subarray(off, off + lengths[i]), peers[i]);
        off += lengths[i];
      }
    }, name);
    const self = new DatagramListener(name, reader, ingest);
    log?.(`tidewatch: ${name} socket read by ${reader.receivePath()}`);
    self.lastDrops = kernelUdpDrops(self.address().port, reader.v6) ?? 0;
    self.timer = setInterval(() => self.sampleDrops(), 1000);
    self.timer.unref();
    return self;
  }

  /** Adds datagrams the kernel dropped since the last look to tidewatch_events_dropped_total{reason="udp_overflow"}. */
  sampleDrops(): void {
    const d = kernelUdpDrops(this.address().port, this.reader.v6);
    if (d === undefined) return;
    if (d > this.lastDrops) this.ingest.drop(this.name, 'udp_overflow', d - this.lastDrops);
    this.lastDrops = d;
  }

  address(): Endpoint {
    return this.reader.address();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.sampleDrops();
    // the last batch arrives before the reader's thread ends
    return this.reader.close();
  }
}
