import type { Alert } from '../model/alert.js';
import type { Event, SourceRef } from '../model/event.js';
import type { FlowRecord } from '../model/flow.js';
import type { IncidentManager } from '../correlation/manager.js';
import type { CommitBatch, Store, StoredEvent } from '../store/store.js';
import { emptyEventColumns, pushEvent } from '../store/columns.js';
import type { Metrics } from './metrics.js';
import type { WalBlock, WalPosition } from './wal.js';
import { trace, tracing } from '../util/trace.js';

/** Turns one syslog line into an event, or says why it could not. */
export type LineParser = (line: string, ctx: { refMs: number; peer: string; source: string }) => { event: Event; error?: undefined } | { error: string; event?: undefined };

/** A detector over parsed events (Sigma hunting, intel matching, access monitoring). */
export interface EventDetector {
  name: string;
  /** Alerts raised by this event (stateful detectors may raise them later, from another event or flush()). */
  process(event: Event, source: SourceRef): Alert[];
  flush?(): Alert[];
  /** Stateful detectors: their state as JSON, so a scale-out partition can move to another process. */
  snapshot?(): unknown;
  restore?(state: unknown): void;
}

/** Decodes one NetFlow/IPFIX datagram into flow records (stateful: v9/IPFIX templates per exporter). */
export interface FlowDecoderStage {
  decode(packet: Buffer, exporter: string, receivedMs: number): FlowRecord[];
  /** Records dropped since the last call, by reason (truncated, no_template, ...). */
  drops(): Record<string, number>;
}

/** A detector over flow records (flow analytics, intel matching on addresses). */
export interface FlowDetector {
  name: string;
  process(flows: readonly FlowRecord[]): Alert[];
  flush?(): Alert[];
  snapshot?(): unknown;
  restore?(state: unknown): void;
}

/** The detection stages wired into the service (each present once its capability landed). */
export interface Stages {
  parseLine?: LineParser;
  eventDetectors: EventDetector[];
  flowDecoder?: FlowDecoderStage;
  flowDetectors: FlowDetector[];
  /** Alerts from sources outside the listeners (config folder audits, access-audit files, intel pulls). */
}

export const CHECKPOINT = { kind: 'wal', key: 'checkpoint' } as const;

export interface Checkpoint {
  pos: WalPosition;
  /** Records accepted per source up to `pos` (the base of tidewatch_events_accepted_total after a restart). */
  accepted: Record<string, number>;
}

export interface PipelineOptions {
  store: Store;
  incidents: IncidentManager;
  metrics: Metrics;
  stages: Stages;
  checkpoint?: Checkpoint;
  /** Pause TCP/TLS readers above this many queued records; resume below `lowWater`. */
  highWater?: number;
  lowWater?: number;
  /** Largest batch taken from the queue at once (records). */
  maxBatch?: number;
  /**
   * Store commits prepared (parsed, detected) ahead of the last finished one (default 1); a commit holds one batch, or
   * several that joined it while the store was busy with the one before.
   */
  maxInflight?: number;
  /**
   * Records of those batches, at most (default: no limit but `maxInflight`). With a large `maxInflight`, this is what
   * bounds the work waiting on a slow store commit (a DuckDB checkpoint holds every write for a second or two).
   */
  maxUncommitted?: number;
  /**
   * Alerts of live syslog lines go to delivery as soon as a detector raised them (IncidentManager.deliverEarly), not
   * after the store took them: their lines are in the write-ahead log already. Replayed blocks and flows keep the
   * store-then-deliver order (docs/SERVE.md, "When an alert is delivered").
   */
  earlyDelivery?: boolean;
  /**
   * With a staging store, a commit of fewer records than `bulkRecords` waits for the batches that follow to join it,
   * at most `commitDelayMs` after its first batch was prepared, and only while lines keep coming (it begins once no
   * block was pushed for `inputIdleMs`, default 30, or when drained() is called). Default 0: commits begin at once. Each DuckDB
   * commit has a fixed cost, and DuckDB hands an insert of at least one row group (122,880 rows) to the table as it
   * is instead of copying it in row by row (docs/BENCHMARKS.md, serve).
   */
  bulkRecords?: number;
  commitDelayMs?: number;
  inputIdleMs?: number;
  onPressure?: (paused: boolean) => void;
  onCommitted?: (pos: WalPosition) => void;
  log?: (line: string) => void;
}

/**
 * Records queued before TCP/TLS readers pause. Under a sustained overload the queue sits near this mark, so it bounds
 * how long a line waits before it is parsed (and its alert raised): 30,000 records is 0.6 s at 50,000 lines/s, where
 * 100,000 kept alerts 2 s late (docs/BENCHMARKS.md, serve). Senders are slowed by TCP flow control meanwhile.
 */
export const DEFAULT_HIGH_WATER = 30_000;

const isSyslog = (source: string) => source.startsWith('syslog');

/** A prepared batch: its alerts' ingestion, and what its commit stores. */
interface Prepared {
  ingest: () => Promise<void>;
  data: Pick<CommitBatch, 'events' | 'columns' | 'flows' | 'staged'>;
  pos: WalPosition;
  accepted: Record<string, number>;
  count: number;
}

/** One store commit: one batch, or several staged ones that queued while the store was behind. */
interface CommitGroup {
  data: Pick<CommitBatch, 'events' | 'columns' | 'flows' | 'staged'>;
  pos: WalPosition;
  accepted: Record<string, number>;
  count: number;
  /** The alert ingestion of the group's last batch (those before it come first on the chain). */
  ingested: Promise<void>;
  seqs: number[];
  /** Its commit (resolves once stored). */
  link: Promise<void>;
  /** When its first batch was prepared (performance.now()). */
  born: number;
  /** Set while its commit waits to grow (bulkRecords): a batch joining it, or drained(), calls it. */
  grew?: () => void;
}
/** Events serialized before they are handed to a staging store (Store.stage). */
const STAGE_EVERY = 1024;
/** Flow records handed to a staging store at once (Store.stage). */
const STAGE_FLOWS_EVERY = 8192;
/** Longest stretch of synchronous work between event-loop turns while processing a batch. */
const YIELD_MS = 10;

/**
 * The pipeline after the write-ahead log: blocks queue here, and one loop takes them in batches through
 * parse -> detect -> correlate -> store. The queue (push/take) is the seam where a bus can go for the scale-out
 * roles; each stage only sees model types.
 */
export class Pipeline {
  private queue: WalBlock[] = [];
  private queued = 0;
  private running = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];
  private readonly accepted: Record<string, number>;
  private failure?: Error;
  /** Alert ingestion of successive batches, kept in order. */
  private alertChain: Promise<void> = Promise.resolve();
  /**
   * Alerts waiting for the next link of the chain, and that link (not started yet): alerts raised while an earlier
   * link is still in the store join it, so a slow store (a checkpoint) is caught up with one insert, not one per
   * 10 ms slice of detection.
   */
  private waiting?: { alerts: Alert[]; born: number[]; link: Promise<void> };
  readonly highWater: number;
  readonly lowWater: number;
  private readonly maxBatch: number;
  private readonly maxInflight: number;
  private readonly maxUncommitted: number;
  private readonly bulkRecords: number;
  private readonly commitDelayMs: number;
  private readonly inputIdleMs: number;
  /** When a block was last pushed (performance.now()). */
  private lastPush = 0;
  /** Set by drained(): commits waiting to grow begin at once. */
  private hurry = false;
  /** Blocks pushed as replayed from the write-ahead log (their alerts are delivered only once stored). */
  private readonly replayed = new WeakSet<WalBlock>();
  processed = 0;
  private batchSeq = 0;
  /** The last batches' commit while it has not begun: batches prepared meanwhile join it. */
  private commitGroup?: CommitGroup;
  /** Set while the loop waits for its last commit with the queue empty: push() calls it. */
  private wake?: () => void;

  constructor(private readonly o: PipelineOptions) {
    this.accepted = { ...(o.checkpoint?.accepted ?? {}) };
    this.highWater = o.highWater ?? DEFAULT_HIGH_WATER;
    this.lowWater = o.lowWater ?? Math.floor(this.highWater / 4);
    this.maxBatch = o.maxBatch ?? 20_000;
    this.maxInflight = Math.max(1, o.maxInflight ?? 1);
    this.maxUncommitted = o.maxUncommitted ?? Infinity;
    this.bulkRecords = o.bulkRecords ?? 0;
    this.commitDelayMs = o.commitDelayMs ?? 0;
    this.inputIdleMs = o.inputIdleMs ?? 30;
    o.metrics.queueDepth.set({ queue: 'pipeline' }, 0);
  }

  /** Records waiting. */
  get depth(): number {
    return this.queued;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Queues blocks; `replayed`: blocks recovered from the write-ahead log at start. */
  push(blocks: readonly WalBlock[], opts: { replayed?: boolean } = {}): void {
    if (!blocks.length) return;
    this.lastPush = performance.now();
    for (const b of blocks) {
      if (opts.replayed) this.replayed.add(b);
      this.queue.push(b);
      this.queued += b.records.length;
    }
    this.o.metrics.queueDepth.set({ queue: 'pipeline' }, this.queued);
    if (!this.paused && this.queued >= this.highWater) {
      this.paused = true;
      this.o.onPressure?.(true);
    }
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.loop());
    } else this.wake?.();
  }

  private take(): WalBlock[] {
    // hot path: one splice, not a shift() per block: a queue of 100,000 UDP datagrams (one block each) is an array in
    // V8's large-object space, where every shift() moves the whole rest (it took seconds per batch, docs/BENCHMARKS.md)
    let k = 0;
    let n = 0;
    while (k < this.queue.length && (k === 0 || n + this.queue[k].records.length <= this.maxBatch)) n += this.queue[k++].records.length;
    this.queued -= n;
    return this.queue.splice(0, k);
  }

  /**
   * Takes batches while there are any. Parsing and detection of the next batches overlap the store commits of the
   * previous ones (the store works in its own thread): commits stay in order, one at a time in the store, and the loop
   * runs at most `maxInflight` batches ahead of the last finished commit.
   */
  private async loop(): Promise<void> {
    const inflight: { done: Promise<void>; records: number }[] = [];
    let inflightRecords = 0;
    let last: Promise<void> | undefined;
    try {
      for (;;) {
        while (this.queue.length) {
          const batch = this.take();
          const seq = ++this.batchSeq;
          const records = batch.reduce((n, b) => n + b.records.length, 0);
          if (tracing) trace('main', 'take', { seq, records, left: this.queued, oldestMs: Date.now() - batch[0].receivedMs });
          const p = await this.prepare(batch);
          if (tracing) trace('main', 'prepared', { seq });
          // the batch's alerts go to correlation (stored, delivered) at once, in order, without waiting for the
          // previous batches' store commits; the batch's own commit (with its checkpoint) follows both. A failed
          // commit fails every later one (they wait on it), so checkpoints never pass a batch that was not stored.
          const ingested = p.ingest();
          const group = this.commitGroup;
          if (group && p.data.staged && group.data.staged) {
            // the previous batch's commit has not begun (the store is behind): this batch joins it, one transaction
            // for both (a commit costs 10-30 ms whatever its size; one per small batch could not keep up)
            group.data.staged.push(...p.data.staged);
            group.pos = p.pos;
            group.accepted = p.accepted;
            group.count += p.count;
            group.ingested = ingested;
            group.seqs.push(seq);
            group.grew?.();
            last = group.link;
          } else {
            const g: CommitGroup = {
              data: p.data.staged ? { ...p.data, staged: [...p.data.staged] } : p.data, pos: p.pos, accepted: p.accepted, count: p.count, ingested, seqs: [seq],
              link: Promise.resolve(), born: performance.now(),
            };
            const previous = last;
            if (p.data.staged) this.commitGroup = g;
            last = (async () => {
              // the alerts of every batch in the group are ingested (in order) before its commit; a failed commit
              // fails every later one (they wait on it), so checkpoints never pass a batch that was not stored
              if (previous) await previous;
              for (;;) {
                for (let seen: Promise<void> | undefined; seen !== g.ingested; ) {
                  seen = g.ingested;
                  await seen;
                }
                // hot path (bulkRecords): while lines keep coming, let the group grow, up to commitDelayMs (a commit
                // costs the store about the same whatever its size); batches that joined meanwhile are ingested above
                const now = performance.now();
                const until = Math.min(g.born + this.commitDelayMs, this.lastPush + this.inputIdleMs);
                if (this.commitGroup !== g || g.count >= this.bulkRecords || this.hurry || now >= until) break;
                await new Promise<void>((r) => {
                  const t = setTimeout(r, until - now);
                  g.grew = () => { clearTimeout(t); r(); };
                });
                g.grew = undefined;
              }
              if (this.commitGroup === g) this.commitGroup = undefined;
              if (tracing) trace('main', 'commit-begin', { seqs: g.seqs, records: g.count });
              await this.o.store.commitBatch({ ...g.data, checkpoint: { ...CHECKPOINT, doc: { pos: g.pos, accepted: g.accepted } satisfies Checkpoint } });
              this.processed += g.count;
              if (tracing) trace('main', 'commit-end', { seqs: g.seqs });
              this.o.onCommitted?.(g.pos);
            })();
            last.catch(() => undefined); // awaited (and reported) below
            g.link = last;
          }
          // one entry per commit: a batch that joined the pending commit adds its records to that commit's entry (a
          // checkpoint holding the store for a second piles up hundreds of small batches into one commit, and counting
          // them one by one against maxInflight stopped detection, and so alert delivery, until the checkpoint ended)
          const tail = inflight[inflight.length - 1];
          if (tail && tail.done === last) tail.records += records;
          else inflight.push({ done: last, records });
          inflightRecords += records;
          // at most maxInflight commits and maxUncommitted records ahead of the store (the last one may go over)
          while (inflight.length > this.maxInflight || (inflight.length > 1 && inflightRecords > this.maxUncommitted)) {
            const first = inflight.shift()!;
            inflightRecords -= first.records;
            await first.done;
          }
          this.o.metrics.queueDepth.set({ queue: 'pipeline' }, this.queued);
          if (this.paused && this.queued <= this.lowWater) {
            this.paused = false;
            this.o.onPressure?.(false);
          }
        }
        if (!last) break;
        // the queue is empty: wait for the last commit, or for new blocks, whichever comes first (a commit held by a
        // store checkpoint must not hold lines that arrive meanwhile: their alerts are delivered before any commit)
        const tail = last;
        let woken = false;
        await Promise.race([tail, new Promise<void>((r) => (this.wake = () => { woken = true; r(); }))]);
        this.wake = undefined;
        if (woken && this.queue.length) continue;
        await tail;
        last = undefined;
        inflight.length = 0;
        inflightRecords = 0;
      }
    } catch (e) {
      // a store failure: keep the blocks in the WAL (not checkpointed), report, and stop taking more
      this.commitGroup = undefined;
      this.failure = e as Error;
      this.o.log?.(`tidewatch: pipeline stopped: ${(e as Error).stack ?? String(e)}`);
    } finally {
      this.running = false;
      this.hurry = false;
      if (!this.queue.length || this.failure) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves once everything pushed so far is stored. */
  drained(): Promise<void> {
    if (!this.running && (!this.queue.length || this.failure)) return Promise.resolve();
    // a commit waiting for more batches (bulkRecords) begins now
    this.hurry = true;
    this.commitGroup?.grew?.();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Parses and runs the detectors over a batch; returns the steps that correlate its alerts and store it. */
  private async prepare(batch: WalBlock[]): Promise<Prepared> {
    const { stages, metrics } = this.o;
    const events: StoredEvent[] = [];
    let cols = emptyEventColumns();
    // hot path: with a store that stages (the store thread), the columns go over every STAGE_EVERY events, so the
    // serialized events are dropped here before a garbage collection has to copy them
    const canStage = typeof this.o.store.stage === 'function';
    const staged: number[] = [];
    let stagedCount = 0;
    const flows: FlowRecord[] = [];
    const alerts: Alert[] = [];
    const alertBorn: number[] = [];
    const detTime = new Map<string, number>();
    const early = this.o.earlyDelivery === true;
    const addAlerts = (list: Alert[], receivedMs: number, live = false) => {
      if (live) {
        const n = this.o.incidents.deliverEarly(list);
        const age = (Date.now() - receivedMs) / 1000;
        for (let i = 0; i < n; i++) metrics.alertDelivery.observe(age);
        if (tracing) trace('main', 'deliver-early', { n: list.length, ageMs: Date.now() - receivedMs });
      }
      for (const a of list) {
        alerts.push(a);
        alertBorn.push(receivedMs);
      }
    };
    // parsing and detection are synchronous: give the event loop a turn every few milliseconds so the listeners keep
    // reading (a UDP socket buffer overflows within milliseconds at high rates while the loop is busy)
    let slice = performance.now();
    for (const b of batch) {
      if (performance.now() - slice > YIELD_MS) {
        // the alerts raised so far go to correlation now, not when the whole batch is done (alert latency)
        if (alerts.length) void this.ingestSoon(alerts.splice(0), alertBorn.splice(0));
        await new Promise<void>((r) => setImmediate(r));
        slice = performance.now();
      }
      this.accepted[b.source] = (this.accepted[b.source] ?? 0) + b.records.length;
      const file = `${b.source}/${b.peer}`;
      const receivedIso = new Date(b.receivedMs).toISOString();
      if (isSyslog(b.source)) {
        // hot path: each event goes into the batch's columns (serialized) as soon as the detectors have seen it
        const listener = b.source;
        // one source per block: detectors and alerts copy it, never change it
        const source: SourceRef & { listener: string } = { file, listener };
        const live = early && !this.replayed.has(b);
        for (const line of b.records) {
          if (!stages.parseLine) {
            pushEvent(cols, receivedIso, null, file, listener, null, line, null);
            continue;
          }
          const r = stages.parseLine(line, { refMs: b.receivedMs, peer: b.peer, source: b.source });
          if (r.error !== undefined) {
            metrics.parseErrors.inc({ source: b.source });
            pushEvent(cols, receivedIso, null, file, listener, null, line, r.error);
            continue;
          }
          const ev = r.event;
          // hot path: the line is stored as it came, with the parsed time and host as columns; the event itself is
          // derived again on read (src/serve/stored-events.ts), not serialized and stored here (3.5x the bytes)
          pushEvent(cols, typeof ev.time === 'string' ? ev.time : receivedIso, typeof ev.host === 'string' ? ev.host : null, file, listener, null, line, null);
          if (canStage && cols.n >= STAGE_EVERY) {
            staged.push(this.o.store.stage!({ events: [], columns: cols, flows: [] }));
            stagedCount += cols.n;
            cols = emptyEventColumns();
          }
          for (const d of stages.eventDetectors) {
            const t0 = performance.now();
            const out = d.process(ev, source);
            detTime.set(d.name, (detTime.get(d.name) ?? 0) + performance.now() - t0);
            if (out.length) addAlerts(out, b.receivedMs, live);
          }
        }
      } else if (b.source === 'netflow') {
        const blockFlows: FlowRecord[] = [];
        for (const rec of b.records) {
          const packet = Buffer.from(rec, 'base64');
          if (!stages.flowDecoder) {
            events.push({ time: receivedIso, source: { file, listener: b.source }, raw: rec });
            continue;
          }
          const t0 = performance.now();
          const got = stages.flowDecoder.decode(packet, b.peer.replace(/:\d+$/, ''), b.receivedMs);
          detTime.set('flow-decoder', (detTime.get('flow-decoder') ?? 0) + performance.now() - t0);
          for (const f of got) blockFlows.push(f);
        }
        if (stages.flowDecoder) for (const [reason, n] of Object.entries(stages.flowDecoder.drops())) if (n > 0) metrics.dropped.inc({ source: b.source, reason }, n);
        for (const d of stages.flowDetectors) {
          const t0 = performance.now();
          const out = d.process(blockFlows);
          detTime.set(d.name, (detTime.get(d.name) ?? 0) + performance.now() - t0);
          if (out.length) addAlerts(out, b.receivedMs);
        }
        for (const f of blockFlows) flows.push(f);
        // a batch of 20,000 datagrams holds about 480,000 flow records: hand them to the store thread every
        // STAGE_FLOWS_EVERY instead of holding them all until the batch ends (peak memory in the NetFlow steps)
        if (canStage && flows.length >= STAGE_FLOWS_EVERY) staged.push(this.o.store.stage!({ events: [], flows: flows.splice(0) }));
      } else {
        events.push({ time: receivedIso, source: { file, listener: b.source }, raw: b.records.join('\n') });
      }
    }
    for (const [name, ms] of detTime) metrics.detectorLatency.observe({ detector: name }, ms / 1000);
    const pos = batch[batch.length - 1].end;
    const accepted = { ...this.accepted };
    const count = events.length + cols.n + stagedCount;
    // a store that takes the data ahead of the commit (the store thread) gets the rest now: nothing of the batch but
    // its alerts is held here while earlier commits finish
    if (canStage) staged.push(this.o.store.stage!({ events, columns: cols, flows }));
    const data: Pick<CommitBatch, 'events' | 'columns' | 'flows' | 'staged'> = canStage ? { events: [], flows: [], staged } : { events, columns: cols, flows };
    // correlate and store the alerts before the batch's commit: if the service dies before that commit, the batch
    // is replayed from the write-ahead log and the same alert ids are ignored as already stored
    return { ingest: () => this.ingestSoon(alerts, alertBorn), data, pos, accepted, count };
  }

  private async ingestAlerts(alerts: Alert[], born: number[]): Promise<void> {
    if (!alerts.length) return;
    const t0 = tracing ? Date.now() : 0;
    await this.o.incidents.ingest(alerts);
    const now = Date.now();
    if (tracing) trace('main', 'alerts', { n: alerts.length, ingestMs: now - t0, maxAgeMs: now - Math.min(...born) });
    for (const b of born) this.o.metrics.alertLatency.observe((now - b) / 1000);
  }

  /**
   * Queues alerts for correlation and the store, in order after the ones queued before; resolves once they are
   * ingested (and everything queued before them). Alerts queued while the previous link runs share the next link.
   * A failure stays on the chain: every later link, and so every later commit, fails with it.
   */
  private ingestSoon(alerts: Alert[], born: number[]): Promise<void> {
    if (!alerts.length) return this.waiting?.link ?? this.alertChain;
    if (this.waiting) {
      for (const a of alerts) this.waiting.alerts.push(a);
      for (const b of born) this.waiting.born.push(b);
      return this.waiting.link;
    }
    const w: { alerts: Alert[]; born: number[]; link: Promise<void> } = { alerts: [...alerts], born: [...born], link: Promise.resolve() };
    w.link = this.alertChain.then(() => {
      if (this.waiting === w) this.waiting = undefined;
      return this.ingestAlerts(w.alerts, w.born);
    });
    w.link.catch(() => undefined); // reported through the commits, which wait on the chain
    this.waiting = w;
    this.alertChain = w.link;
    return w.link;
  }

  /** Alerts stateful detectors still hold (end of run). */
  async flushDetectors(): Promise<void> {
    const alerts: Alert[] = [];
    for (const d of this.o.stages.eventDetectors) alerts.push(...(d.flush?.() ?? []));
    for (const d of this.o.stages.flowDetectors) alerts.push(...(d.flush?.() ?? []));
    if (alerts.length) await this.o.incidents.ingest(alerts);
  }
}
