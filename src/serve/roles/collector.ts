import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowRecord } from '../../model/flow.js';
import type { SourceRef } from '../../model/event.js';
import type { StoredEvent } from '../../store/store.js';
import { Bus } from '../../bus/jetstream.js';
import { partitionOf } from '../../bus/partition.js';
import { endpointText, type Endpoint, type ListenerName, resolveListeners, loadTls } from '../config.js';
import { DatagramListener, Ingest, StreamListener, type Listener } from '../listeners.js';
import { Metrics } from '../metrics.js';
import type { Stages } from '../pipeline.js';
import { TokenStore } from '../tokens.js';
import { WriteAheadLog, type WalBlock, type WalPosition } from '../wal.js';
import { startOpsHttp } from './ops-http.js';
import type { ScaleoutSettings } from './options.js';
import type { SiteConfig } from '../../model/site.js';

/** One item on the bus: a parsed (or unparsed) event, or a decoded flow record. */
export type BusItem = { k: 'e'; e: StoredEvent } | { k: 'f'; f: FlowRecord };

/**
 * Parses one write-ahead-log block into bus items: syslog lines through the line parser (unparsed lines are kept
 * with their error, never dropped), NetFlow/IPFIX datagrams through the flow decoder.
 */
export function blockToItems(b: WalBlock, stages: Stages, metrics: Metrics): BusItem[] {
  const out: BusItem[] = [];
  const file = `${b.source}/${b.peer}`;
  const receivedIso = new Date(b.receivedMs).toISOString();
  const source: SourceRef & { listener: string } = { file, listener: b.source };
  if (b.source.startsWith('syslog')) {
    for (const line of b.records) {
      if (!stages.parseLine) { out.push({ k: 'e', e: { time: receivedIso, source, raw: line } }); continue; }
      const r = stages.parseLine(line, { refMs: b.receivedMs, peer: b.peer, source: b.source });
      if (r.error !== undefined) {
        metrics.parseErrors.inc({ source: b.source });
        out.push({ k: 'e', e: { time: receivedIso, source, raw: line, error: r.error } });
        continue;
      }
      const ev = r.event;
      out.push({ k: 'e', e: { time: typeof ev.time === 'string' ? ev.time : receivedIso, host: typeof ev.host === 'string' ? ev.host : undefined, source, event: ev } });
    }
  } else if (b.source === 'netflow') {
    for (const rec of b.records) {
      if (!stages.flowDecoder) { out.push({ k: 'e', e: { time: receivedIso, source, raw: rec } }); continue; }
      for (const f of stages.flowDecoder.decode(Buffer.from(rec, 'base64'), b.peer.replace(/:\d+$/, ''), b.receivedMs)) out.push({ k: 'f', f });
    }
    // datagrams the decoder refused are counted by reason, as in the single process
    if (stages.flowDecoder) for (const [reason, n] of Object.entries(stages.flowDecoder.drops())) if (n > 0) metrics.dropped.inc({ source: b.source, reason }, n);
  } else {
    out.push({ k: 'e', e: { time: receivedIso, source, raw: b.records.join('\n') } });
  }
  return out;
}

/** The partition key: the device an item is about (event host, else the sending peer; flows by exporter). */
export function itemKey(it: BusItem): string {
  return it.k === 'f' ? it.f.exporter : (it.e.host ?? it.e.source.file.replace(/^[^/]*\//, '').replace(/:\d+$/, ''));
}

/**
 * Stands where the single process has its Pipeline: takes write-ahead-log blocks, parses them, and publishes them
 * to the bus by partition. A block counts as forwarded once JetStream acknowledged it; the collector's checkpoint
 * (a file in its data directory) then moves past it and the log is truncated. After a crash, blocks beyond the
 * checkpoint are published again under the same message ids, which JetStream deduplicates.
 */
export class BusForwarder {
  private queue: WalBlock[] = [];
  private queued = 0;
  private running = false;
  private waiters: (() => void)[] = [];
  private paused = false;
  failure?: Error;
  readonly highWater = 100_000;
  forwarded = 0;

  constructor(
    private readonly bus: Bus, private readonly stages: Stages, private readonly metrics: Metrics, readonly id: string,
    private readonly onForwarded: (pos: WalPosition, blocks: readonly WalBlock[]) => void, private readonly onPressure: (paused: boolean) => void,
  ) {}

  get depth(): number { return this.queued; }

  push(blocks: readonly WalBlock[]): void {
    for (const b of blocks) { this.queue.push(b); this.queued += b.records.length; }
    this.metrics.queueDepth.set({ queue: 'forward' }, this.queued);
    if (!this.paused && this.queued >= this.highWater) { this.paused = true; this.onPressure(true); }
    if (!this.running && this.queue.length) { this.running = true; setImmediate(() => void this.loop()); }
  }

  private async loop(): Promise<void> {
    let backoff = 250;
    try {
      while (this.queue.length) {
        const batch = this.queue.slice(0, 256);
        const byPart = new Map<number, BusItem[]>();
        for (const b of batch) {
          for (const it of blockToItems(b, this.stages, this.metrics)) {
            const p = partitionOf(itemKey(it), this.bus.opts.partitions);
            let list = byPart.get(p);
            if (!list) byPart.set(p, (list = []));
            list.push(it);
          }
        }
        const end = batch[batch.length - 1].end;
        for (;;) {
          try {
            // message id: collector + log position + partition, so a replay after a crash is deduplicated
            await Promise.all([...byPart].map(([p, items]) => this.bus.publishBatch(p, items, `${this.id}:${end.seg}:${end.off}:${p}`)));
            break;
          } catch (e) {
            // The bus is down or slow (no PubAck in time): keep the batch, say so, and publish it again under the same
            // message ids (JetStream drops what did arrive). What the collector accepted stays in its write-ahead log.
            if (!this.failure) process.stderr.write(`tidewatch collector: publishing failed, retrying: ${(e as Error).message}\n`);
            this.failure = e as Error;
            // stopping with the bus down: leave the rest in the write-ahead log for the next start
            if (this.stopping) throw e;
            await new Promise((r) => setTimeout(r, backoff));
            backoff = Math.min(backoff * 2, 5000);
          }
        }
        if (this.failure) process.stderr.write('tidewatch collector: publishing works again\n');
        this.failure = undefined;
        backoff = 250;
        this.queue.splice(0, batch.length);
        for (const b of batch) this.queued -= b.records.length;
        this.forwarded += batch.reduce((n, b) => n + b.records.length, 0);
        this.onForwarded(end, batch);
        this.metrics.queueDepth.set({ queue: 'forward' }, this.queued);
        if (this.paused && this.queued <= this.highWater / 4) { this.paused = false; this.onPressure(false); }
      }
    } catch (e) {
      this.failure = e as Error;
      process.stderr.write(`tidewatch collector: forwarding stopped: ${(e as Error).message}\n`);
    } finally {
      this.running = false;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  private stopping = false;

  /** No more retries: a stop must not wait for a bus that is down (the write-ahead log keeps what is left). */
  giveUp(): void {
    this.stopping = true;
  }

  drained(): Promise<void> {
    if (!this.running && !this.queue.length) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}

export interface RoleOptions {
  site: SiteConfig;
  data: string;
  listen: readonly string[];
  scaleout: ScaleoutSettings;
  stages: Stages;
  log: (line: string) => void;
  id?: string;
}

/** `tidewatch serve --role collector`: listeners and parsing; publishes normalized events to JetStream. */
export class CollectorRole {
  readonly bound: Partial<Record<ListenerName, Endpoint>> = {};
  private readonly listeners: Listener[] = [];
  private readonly streams: StreamListener[] = [];
  private http?: Awaited<ReturnType<typeof startOpsHttp>>;
  private constructor(readonly bus: Bus, readonly wal: WriteAheadLog, readonly forwarder: BusForwarder, readonly ingest: Ingest, readonly metrics: Metrics, private readonly o: RoleOptions) {}

  static async start(o: RoleOptions): Promise<CollectorRole> {
    mkdirSync(o.data, { recursive: true });
    const id = o.id ?? collectorId(o.data);
    const bus = await Bus.connect({ servers: o.scaleout.nats, partitions: o.scaleout.partitions, leaseMs: o.scaleout.leaseMs, name: `tidewatch-collector-${id}` });
    const metrics = new Metrics({});
    const cpFile = join(o.data, 'collector-checkpoint.json');
    const checkpoint = existsSync(cpFile) ? (JSON.parse(readFileSync(cpFile, 'utf8')) as { pos: WalPosition; accepted: Record<string, number> }) : undefined;
    const wal = new WriteAheadLog(join(o.data, 'wal'));
    const recovered = wal.recover(checkpoint?.pos);
    const accepted: Record<string, number> = { ...(checkpoint?.accepted ?? {}) };
    let lastTruncate = 0;
    const holder: { self?: CollectorRole } = {};
    const forwarder = new BusForwarder(bus, o.stages, metrics, id, (pos, blocks) => {
      // records accepted per source up to `pos`: the base of tidewatch_events_accepted_total after a restart
      for (const b of blocks) accepted[b.source] = (accepted[b.source] ?? 0) + b.records.length;
      writeFileSync(cpFile + '.tmp', JSON.stringify({ pos, accepted }));
      renameSync(cpFile + '.tmp', cpFile);
      if (Date.now() - lastTruncate > 5000) { lastTruncate = Date.now(); wal.truncateBefore(pos); }
    }, (paused) => { for (const l of holder.self?.streams ?? []) l.setPaused(paused); });
    const ingest = new Ingest(wal, forwarder, metrics);
    for (const [source, n] of Object.entries(accepted)) metrics.accepted.inc({ source }, n);
    for (const b of recovered) metrics.accepted.inc({ source: b.source }, b.records.length);
    const self = (holder.self = new CollectorRole(bus, wal, forwarder, ingest, metrics, o));
    forwarder.push(recovered);
    await self.startListeners();
    return self;
  }

  private async startListeners(): Promise<void> {
    const listeners = resolveListeners(this.o.site, this.o.listen);
    const tls = loadTls(this.o.site);
    const log = this.o.log;
    for (const name of ['syslog-udp', 'syslog-tcp', 'syslog-tls', 'netflow'] as const) {
      const at = listeners[name];
      if (at === 'off') continue;
      let l: Listener;
      if (name === 'syslog-tcp') l = await StreamListener.start(name, at, this.ingest, undefined, log);
      else if (name === 'syslog-tls') {
        if (!tls) { log('tidewatch: syslog-tls is off: no serve.tls (cert, key) in the site file'); continue; }
        l = await StreamListener.start(name, at, this.ingest, tls, log);
      } else l = await DatagramListener.start(name, at, this.ingest, name === 'netflow' ? 'netflow' : 'syslog');
      this.listeners.push(l);
      if (l instanceof StreamListener) this.streams.push(l);
      this.announce(name, l.address());
    }
    const http = listeners.http;
    if (http !== 'off') {
      this.http = await startOpsHttp(http, TokenStore.forData(this.o.data), this.metrics, () => ({ status: this.forwarder.failure ? 'failing' : 'ok', role: 'collector' }));
      this.announce('http', { host: http.host, port: this.http.port });
    }
  }

  private announce(name: ListenerName, e: Endpoint): void {
    this.bound[name] = e;
    this.o.log(`listening ${name} ${endpointText(e)}`);
  }

  async settled(): Promise<void> {
    this.ingest.flush();
    await this.forwarder.drained();
  }

  async stop(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.close().catch(() => undefined)));
    // drain to the bus if it answers within 10 s; otherwise stop retrying, the write-ahead log keeps the rest
    const t = setTimeout(() => this.forwarder.giveUp(), 10_000);
    await this.settled();
    clearTimeout(t);
    await this.http?.app.close();
    this.wal.close();
    await this.bus.close();
  }
}

/** A stable collector id kept in the data directory (message ids must survive restarts for deduplication). */
function collectorId(data: string): string {
  const f = join(data, 'collector-id');
  if (existsSync(f)) return readFileSync(f, 'utf8').trim();
  const id = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(f, id + '\n');
  return id;
}
