import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from '../model/site.js';
import { taxiiMount } from './taxii-mount.js';
import { WorkerStore } from '../store/duckdb/worker-store.js';
import type { Store } from '../store/store.js';
import { IncidentManager } from '../correlation/manager.js';
import { ConfigError, endpointText, isLoopback, loadTls, resolveListeners, type Endpoint, type ListenerName } from './config.js';
import type { ApiContext, Capabilities } from './context.js';
import { buildHttp, consoleDistDir } from './http.js';
import { join } from 'node:path';
import { Metrics } from './metrics.js';
import { TokenStore } from './tokens.js';
import { CHECKPOINT, Pipeline, type Checkpoint, type Stages } from './pipeline.js';
import { WriteAheadLog, type WalPosition } from './wal.js';
import { DatagramListener, Ingest, StreamListener, type Listener } from './listeners.js';
import { buildWiring, type Wiring } from './wiring.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { deliveryFromSite, DeliveryConfigError, type Delivery } from '../sinks/index.js';
import { trace, tracing } from '../util/trace.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';

function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export interface ServeOptions {
  site: SiteConfig;
  data: string;
  /** `--listen NAME=HOST:PORT` overrides. */
  listen?: readonly string[];
  /** Where `listening NAME HOST:PORT` lines and logs go (stderr by default). */
  log?: (line: string) => void;
  /** Console folder to serve at `/` (default: console/dist when built; null: none). */
  consoleDir?: string | null;
  /** Pipeline queue depth at which TCP/TLS readers pause (default 30,000 records: DEFAULT_HIGH_WATER). */
  highWater?: number;
  /** Largest batch the pipeline takes at once (records; default 20,000). */
  maxBatch?: number;
  /** Folder of the shipped Sigma rules (default rules/sigma; tests point it elsewhere). */
  shippedRules?: string;
}

/**
 * `tidewatch serve`: one process running sources -> parse -> detect -> correlate -> store/sinks, with the HTTP API.
 * Each stage is a separate object joined by queues (docs/SERVE.md), so the scale-out roles can put a bus between them.
 */
function walOptions(site: SiteConfig): { fsync?: 'always' | 'never' | number } {
  const w = (site.serve?.wal ?? {}) as Record<string, unknown>;
  const f = w.fsync;
  if (f === undefined) return {};
  if (f === 'always' || f === 'never') return { fsync: f };
  if (typeof f === 'number' && f >= 0) return { fsync: f };
  throw new ConfigError('serve.wal.fsync must be always, never or a number of milliseconds');
}

/**
 * DuckDB's threads in the service: one fewer than the cores (at least one). The main thread parses and detects on a
 * core of its own; on the two cores of the project machine DuckDB's second thread cost 1-3 µs of CPU per line in
 * task hand-offs and waits, more than it saved (docs/BENCHMARKS.md, serve).
 */
const STORE_THREADS = Math.max(1, availableParallelism() - 1);
/** Event text committed between two background checkpoints of the store. */
const STORE_CHECKPOINT_BYTES = 64 * 1024 * 1024;
/**
 * Store commits (each of one or more batches), and records in them, the pipeline prepares while earlier ones are being
 * committed in the store thread. A DuckDB checkpoint holds every write for 0.5-2 s (docs/BENCHMARKS.md, serve): the
 * pipeline keeps parsing, detecting and delivering alerts meanwhile, up to 250,000 records (5 s at 50,000 lines/s;
 * staged in the store thread), before it waits (and TCP backpressure follows).
 */
const MAX_INFLIGHT = 64;
const MAX_UNCOMMITTED = 250_000;
/**
 * A store commit waits for this many records (one DuckDB row group, which a commit hands to the table as it is instead
 * of copying it in row by row) while lines keep coming, at most COMMIT_DELAY_MS after its first batch: a commit costs
 * the store about the same whatever its size, and commits of a few thousand lines each were most of DuckDB's CPU per
 * line (docs/BENCHMARKS.md, serve). Events are stored (and counted in tidewatch_store_rows) up to that much later;
 * alerts are not delayed, and what was accepted is in the write-ahead log meanwhile, as before. 2 s cut the CPU per
 * line as much but left a commit of up to 2 s of lines to run after the input stopped (the unpaced bench's rate fell).
 */
const BULK_RECORDS = 122_880;
const COMMIT_DELAY_MS = 500;
/**
 * UDP datagrams are refused (counted `queue_full`) while this many records wait for the pipeline: UDP has no flow
 * control, so it may queue further than the TCP high-water mark (five times the former 100,000).
 */
const UDP_QUEUE_LIMIT = 500_000;

export class Service {
  readonly bound: Partial<Record<ListenerName, Endpoint>> = {};
  private http?: FastifyInstance;
  private accepting = false;
  private stopped = false;
  private readonly listeners: Listener[] = [];
  private readonly streams: StreamListener[] = [];
  readonly wal: WriteAheadLog;
  readonly pipeline: Pipeline;
  readonly ingest: Ingest;
  /** Blocks replayed from the write-ahead log at start (accepted before a crash, not yet stored). */
  readonly replayed: number;
  private lastTruncate = 0;

  private constructor(
    readonly opts: ServeOptions,
    readonly store: Store,
    readonly tokens: TokenStore,
    readonly metrics: Metrics,
    readonly incidents: IncidentManager,
    checkpoint: Checkpoint | undefined,
    readonly wiring: Wiring,
    readonly delivery: Delivery,
  ) {
    const stages: Stages = wiring.stages;
    this.wal = new WriteAheadLog(join(opts.data, 'wal'), walOptions(opts.site));
    const recovered = this.wal.recover(checkpoint?.pos);
    this.replayed = recovered.length;
    this.pipeline = new Pipeline({
      store, incidents, metrics, stages, checkpoint, highWater: opts.highWater, maxBatch: opts.maxBatch, maxInflight: MAX_INFLIGHT,
      maxUncommitted: MAX_UNCOMMITTED, bulkRecords: BULK_RECORDS, commitDelayMs: COMMIT_DELAY_MS, earlyDelivery: true,
      onPressure: (paused) => { for (const l of this.streams) l.setPaused(paused); },
      onCommitted: (pos) => this.committed(pos),
      log: (l) => this.log(l),
    });
    this.ingest = new Ingest(this.wal, this.pipeline, metrics, { udpLimit: UDP_QUEUE_LIMIT });
    // the accepted counters continue from what the store checkpointed plus what the log holds beyond it
    for (const [source, n] of Object.entries(checkpoint?.accepted ?? {})) metrics.accepted.inc({ source }, n);
    for (const b of recovered) metrics.accepted.inc({ source: b.source }, b.records.length);
    if (recovered.length) this.log(`tidewatch: replaying ${recovered.reduce((n, b) => n + b.records.length, 0)} records accepted before the last stop from the write-ahead log`);
    this.pipeline.push(recovered, { replayed: true });
  }

  private committed(pos: WalPosition): void {
    const now = Date.now();
    if (now - this.lastTruncate > 5000) {
      this.lastTruncate = now;
      this.wal.truncateBefore(pos);
      this.metrics.walBytes.set(this.wal.backlogBytes(pos));
    }
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(l + '\n')))(line);
  }

  static async start(opts: ServeOptions): Promise<Service> {
    const listeners = resolveListeners(opts.site, opts.listen ?? []);
    const tls = loadTls(opts.site);
    const tokens = TokenStore.forData(opts.data);
    const http = listeners.http;
    if (http !== 'off' && !isLoopback(http.host)) {
      const missing = [!tls ? 'TLS (serve.tls in the site file)' : '', tokens.count === 0 ? `API tokens (tidewatch token create --data ${opts.data})` : ''].filter(Boolean);
      if (missing.length) {
        throw new ConfigError(`refusing to serve HTTP on ${endpointText(http)}, which is not a loopback address, without ${missing.join(' and ')}`);
      }
    }
    // the database in a thread of its own, checkpointed beside the commits (docs/SERVE.md, docs/BENCHMARKS.md)
    const store = await WorkerStore.open(join(opts.data, 'tidewatch.duckdb'), {
      backgroundCheckpointBytes: STORE_CHECKPOINT_BYTES, threads: STORE_THREADS, optimisticWrites: false,
    });
    let svc: Service | undefined;
    let startedDelivery: Delivery | undefined;
    try {
      const metrics = new Metrics({ store, openIncidents: () => svc?.incidents.openCount ?? 0 });
      const log = (l: string) => (opts.log ?? ((x: string) => process.stderr.write(x + '\n')))(l);
      let delivery: Delivery;
      try {
        delivery = deliveryFromSite(opts.site.delivery, {
          registry: metrics.registry, queueDepth: metrics.queueDepth, version: packageVersion(), log,
          base: opts.site.path ? dirname(resolve(opts.site.path)) : process.cwd(),
        });
      } catch (e) {
        if (e instanceof DeliveryConfigError) throw new ConfigError(`${opts.site.path ?? 'site file'}: ${e.message}`);
        throw e;
      }
      startedDelivery = delivery;
      const incidents = await IncidentManager.open(store, {
        site: opts.site,
        events: {
          // new (stored, unsuppressed) alerts: counted, then queued on every delivery sink (never waits)
          onAlerts: (alerts) => {
            for (const a of alerts) metrics.alerts.inc({ detector: a.detector });
            delivery.deliver(alerts);
          },
        },
      });
      const checkpoint = await store.getDoc<Checkpoint>(CHECKPOINT.kind, CHECKPOINT.key);
      const wiring = await buildWiring({ site: opts.site, store, metrics, incidents, shippedRules: opts.shippedRules, log: (l) => (opts.log ?? ((x: string) => process.stderr.write(x + '\n')))(l) });
      svc = new Service(opts, store, tokens, metrics, incidents, checkpoint, wiring, delivery);
      if (delivery.sinks.length) log(`tidewatch: delivering alerts to ${delivery.sinks.map((x) => `${x.name} (${x.target.kind})`).join(', ')}`);
      await svc.startListeners(listeners, tls);
      for (const b of wiring.background) await b.start();
      metrics.startRates();
      if (tracing) {
        const s = svc;
        const lag = monitorEventLoopDelay({ resolution: 5 });
        lag.enable();
        setInterval(() => {
          const m = process.memoryUsage();
          const mb = (n: number) => Math.round(n / 1048576);
          trace('main', 'memory', { rssMb: mb(m.rss), heapMb: mb(m.heapUsed), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers), queued: s.pipeline.depth, loopDelayMaxMs: Math.round(lag.max / 1e6), loopDelayP99Ms: Math.round(lag.percentile(99) / 1e6) });
          lag.reset();
        }, 1000).unref();
      }
      svc.accepting = true;
      return svc;
    } catch (e) {
      await svc?.stop().catch(() => undefined);
      if (!svc) {
        await startedDelivery?.stop(0).catch(() => undefined);
        await store.close().catch(() => undefined);
      }
      throw e;
    }
  }

  private capabilities(): Capabilities {
    return this.wiring.capabilities;
  }

  private async startListeners(listeners: Record<ListenerName, Endpoint | 'off'>, tls: ReturnType<typeof loadTls>): Promise<void> {
    const log = (l: string) => this.log(l);
    for (const name of ['syslog-udp', 'syslog-tcp', 'syslog-tls', 'netflow'] as const) {
      const at = listeners[name];
      if (at === 'off') continue;
      let l: Listener;
      if (name === 'syslog-tcp') l = await StreamListener.start(name, at, this.ingest, undefined, log);
      else if (name === 'syslog-tls') {
        if (!tls) {
          this.log('tidewatch: syslog-tls is off: no serve.tls (cert, key) in the site file');
          continue;
        }
        l = await StreamListener.start(name, at, this.ingest, tls, log);
      } else l = await DatagramListener.start(name, at, this.ingest, name === 'netflow' ? 'netflow' : 'syslog', undefined, log);
      this.listeners.push(l);
      if (l instanceof StreamListener) this.streams.push(l);
      this.metrics.accepted.inc({ source: name }, 0);
      // the drop series a load test reads exist from the start (at 0)
      this.metrics.dropped.inc({ source: name, reason: name === 'syslog-tcp' || name === 'syslog-tls' ? 'oversized' : 'udp_overflow' }, 0);
      this.announce(name, l.address());
    }
    const http = listeners.http;
    if (http !== 'off') {
      const ctx: ApiContext = {
        store: this.store, tokens: this.tokens, incidents: this.incidents, metrics: this.metrics,
        consoleDir: this.opts.consoleDir === null ? undefined : (this.opts.consoleDir ?? consoleDistDir()),
        health: () => (this.accepting ? { status: 'ok' } : { status: 'starting' }),
        capabilities: this.capabilities(),
        mounts: [taxiiMount(this.store, this.opts.site)],
      };
      this.http = await buildHttp(ctx, {
        logger: { level: 'warn', stream: process.stderr } as never,
        ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
      });
      await this.http.listen({ host: http.host, port: http.port });
      const addr = this.http.server.address();
      if (addr && typeof addr === 'object') this.announce('http', { host: http.host, port: addr.port });
    }
  }

  private announce(name: ListenerName, e: Endpoint): void {
    this.bound[name] = e;
    this.log(`listening ${name} ${endpointText(e)}`);
  }

  /** Stops listeners, drains the pipeline into the store, closes the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.accepting = false;
    this.metrics.stop();
    for (const b of this.wiring?.background ?? []) await b.stop();
    await Promise.all(this.listeners.map((l) => l.close().catch(() => undefined)));
    this.ingest.flush();
    await this.pipeline.drained();
    await this.pipeline.flushDetectors().catch((e) => this.log(`tidewatch: flushing detectors: ${(e as Error).message}`));
    await this.http?.close();
    await this.incidents.idle();
    await this.delivery.stop();
    this.wal.close();
    await this.store.close();
  }

  /** Resolves once everything received so far is stored (tests, benchmarks). */
  async settled(): Promise<void> {
    this.ingest.flush();
    await this.pipeline.drained();
    await this.incidents.idle();
  }
}
