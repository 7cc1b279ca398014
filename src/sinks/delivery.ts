/**
 * Alert delivery: the `delivery:` section of the site file becomes sinks (webhooks, syslog out, JSON Lines files),
 * each with its own bounded queue and one worker, so a slow or dead target never blocks the pipeline: `deliver()`
 * only enqueues. Failed attempts are retried with exponential backoff; what is finally lost (retries exhausted,
 * target refused it, queue full) is counted in Prometheus metrics, never silent.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { Counter as PromCounter } from 'prom-client';
import type { Alert } from '../model/alert.js';
import { parseSeverity, severityRank, type Severity } from '../model/severity.js';
import { parseDuration } from '../correlation/rules.js';
import { AttackTable } from '../correlation/attack.js';
import { toOcsfDetectionFinding } from './ocsf.js';

export class DeliveryConfigError extends Error {}

/** A failed attempt. `retry: false` when sending again cannot help (e.g. HTTP 400): the alerts are given up at once. */
export class DeliveryError extends Error {
  constructor(readonly reason: string, message: string, readonly retry = true) {
    super(message);
  }
}

/** What each sink implements: send one batch (throws DeliveryError on failure), close. */
export interface SinkTarget {
  readonly kind: 'webhook' | 'syslog' | 'jsonl';
  send(alerts: Alert[]): Promise<void>;
  close(): Promise<void>;
}

export type PayloadShape = 'alert' | 'ocsf';

export interface SinkCommon {
  name: string;
  minSeverity?: Severity;
  /** Attempts after the first (0: no retry). */
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** Alerts waiting beyond this are refused (counted `queue_full`). */
  maxQueue: number;
  /** Largest batch handed to send(). */
  batch: number;
}

export interface DeliveryMetrics {
  delivered: Counter<'sink'>;
  errors: Counter<'sink' | 'reason'>;
  undelivered: Counter<'sink' | 'reason'>;
  queueDepth?: Gauge<'queue'>;
}

export function deliveryMetrics(registry: Registry, queueDepth?: Gauge<'queue'>): DeliveryMetrics {
  const registers = [registry];
  return {
    delivered: new PromCounter({ name: 'tidewatch_alerts_delivered_total', help: 'Alerts a delivery sink handed over (webhook 2xx, syslog written, JSON Lines line written).', labelNames: ['sink'], registers }),
    errors: new PromCounter({ name: 'tidewatch_delivery_errors_total', help: 'Failed delivery attempts, by sink and reason (each retry that fails counts).', labelNames: ['sink', 'reason'], registers }),
    undelivered: new PromCounter({ name: 'tidewatch_alerts_undelivered_total', help: 'Alerts a sink gave up on: retries_exhausted, rejected (not retryable), queue_full, stopped.', labelNames: ['sink', 'reason'], registers }),
    queueDepth,
  };
}

/** A wait that `signal.wake()` ends early (a stopping sink does not sit out its backoff). */
const sleep = (ms: number, signal?: { stopped: boolean; wake?: () => void }) => new Promise<void>((r) => {
  if (signal?.stopped) return r();
  const t = setTimeout(done, ms);
  t.unref?.();
  function done() {
    clearTimeout(t);
    if (signal) signal.wake = undefined;
    r();
  }
  if (signal) signal.wake = done;
});

/** One sink with its queue and worker. */
export class SinkRunner {
  private queue: Alert[] = [];
  private working = false;
  private idleWaiters: (() => void)[] = [];
  private readonly stopSignal: { stopped: boolean; wake?: () => void } = { stopped: false };
  delivered = 0;

  constructor(readonly common: SinkCommon, readonly target: SinkTarget, private readonly m: DeliveryMetrics, private readonly log: (l: string) => void = () => undefined) {
    m.delivered.inc({ sink: common.name }, 0);
    m.queueDepth?.set({ queue: this.queueName }, 0);
  }

  get name(): string {
    return this.common.name;
  }

  private get queueName(): string {
    return `delivery:${this.common.name}`;
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Enqueues (never waits). Alerts below the sink's minimum severity are skipped. */
  push(alerts: readonly Alert[]): void {
    if (this.stopSignal.stopped) return;
    const min = this.common.minSeverity;
    let n = 0;
    for (const a of alerts) {
      if (min && severityRank(a.severity) < severityRank(min)) continue;
      if (this.queue.length >= this.common.maxQueue) {
        n++;
        continue;
      }
      this.queue.push(a);
    }
    if (n) this.m.undelivered.inc({ sink: this.name, reason: 'queue_full' }, n);
    this.m.queueDepth?.set({ queue: this.queueName }, this.queue.length);
    if (!this.working && this.queue.length) {
      this.working = true;
      setImmediate(() => void this.work());
    }
  }

  private async work(): Promise<void> {
    try {
      while (this.queue.length && !this.stopSignal.stopped) {
        const batch = this.queue.splice(0, this.common.batch);
        this.m.queueDepth?.set({ queue: this.queueName }, this.queue.length);
        await this.sendWithRetry(batch);
        this.m.queueDepth?.set({ queue: this.queueName }, this.queue.length);
      }
    } finally {
      this.working = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async sendWithRetry(batch: Alert[]): Promise<void> {
    const { retries, backoffMs, maxBackoffMs } = this.common;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.target.send(batch);
        this.delivered += batch.length;
        this.m.delivered.inc({ sink: this.name }, batch.length);
        return;
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError('error', (e as Error).message);
        this.m.errors.inc({ sink: this.name, reason: err.reason });
        if (!err.retry) {
          this.m.undelivered.inc({ sink: this.name, reason: 'rejected' }, batch.length);
          this.log(`tidewatch: delivery ${this.name}: ${batch.length} alerts refused: ${err.message}`);
          return;
        }
        if (attempt >= retries || this.stopSignal.stopped) {
          this.m.undelivered.inc({ sink: this.name, reason: this.stopSignal.stopped ? 'stopped' : 'retries_exhausted' }, batch.length);
          this.log(`tidewatch: delivery ${this.name}: gave up on ${batch.length} alerts after ${attempt + 1} attempts: ${err.message}`);
          return;
        }
        // exponential backoff with jitter (±20%)
        const base = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
        await sleep(base * (0.8 + Math.random() * 0.4), this.stopSignal);
      }
    }
  }

  /** Resolves once the queue is empty and nothing is in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.working && !this.queue.length) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Gives the queue `graceMs` to drain, then counts what is left as undelivered and closes the target. */
  async stop(graceMs = 5000): Promise<void> {
    // The grace timer is kept referenced: whoever awaits stop() needs it to fire. It was the unreferenced backoff
    // sleep, so with nothing else open (the target gone, the worker in a backoff) the event loop ended with stop()
    // still pending and the process exited before the queue was counted (seen as a cancelled test under CI load).
    // It is cleared as soon as the queue is idle, so it does not hold a process for graceMs either.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => { grace = setTimeout(r, graceMs); })]);
    clearTimeout(grace);
    this.stopSignal.stopped = true;
    this.stopSignal.wake?.();
    if (this.queue.length) this.m.undelivered.inc({ sink: this.name, reason: 'stopped' }, this.queue.length);
    this.queue = [];
    await this.idle();
    await this.target.close().catch(() => undefined);
  }
}

// ---- configuration ------------------------------------------------------------------------------------

export type Raw = Record<string, unknown>;

export function str(where: string, v: unknown, required = true): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new DeliveryConfigError(`${where} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new DeliveryConfigError(`${where} must be a string`);
  return String(v);
}

export function dur(where: string, v: unknown, dflt: string): number {
  const ms = parseDuration(v ?? dflt);
  if (ms === undefined) throw new DeliveryConfigError(`${where} must be a duration like 500ms, 2s or 1m (got ${String(v)})`);
  return ms;
}

export function int(where: string, v: unknown, dflt: number, min: number, max: number): number {
  const n = v === undefined || v === null ? dflt : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new DeliveryConfigError(`${where} must be a whole number from ${min} to ${max} (got ${String(v)})`);
  return n;
}

export function payloadShape(where: string, v: unknown): PayloadShape {
  const p = v ?? 'alert';
  if (p !== 'alert' && p !== 'ocsf') throw new DeliveryConfigError(`${where} must be alert or ocsf (got ${String(p)})`);
  return p;
}

/** A secret from `secret_env: NAME` (preferred: keeps it out of the site file) or `secret:`. */
export function secretOf(where: string, o: Raw, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (o.secret_env !== undefined) {
    const name = String(o.secret_env);
    const v = env[name];
    if (!v) throw new DeliveryConfigError(`${where}.secret_env: environment variable ${name} is not set`);
    return v;
  }
  return o.secret === undefined ? undefined : String(o.secret);
}

export function commonOf(where: string, o: Raw, dfltName: string, defaults: Partial<SinkCommon> = {}): SinkCommon {
  let minSeverity: Severity | undefined;
  if (o.min_severity !== undefined) {
    minSeverity = parseSeverity(String(o.min_severity));
    if (!minSeverity) throw new DeliveryConfigError(`${where}.min_severity must be info, low, medium, high or critical`);
  }
  const name = str(`${where}.name`, o.name, false) ?? dfltName;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new DeliveryConfigError(`${where}.name may hold letters, digits, '.', '_' and '-' only`);
  return {
    name,
    minSeverity,
    retries: int(`${where}.retries`, o.retries, defaults.retries ?? 5, 0, 100),
    backoffMs: dur(`${where}.backoff`, o.backoff, '500ms'),
    maxBackoffMs: dur(`${where}.max_backoff`, o.max_backoff, '30s'),
    maxQueue: int(`${where}.max_queue`, o.max_queue, 10_000, 1, 10_000_000),
    batch: int(`${where}.batch`, o.batch, defaults.batch ?? 1, 1, 10_000),
  };
}

/** Alert JSON in the chosen shape. */
export class Shaper {
  private attack?: AttackTable;
  constructor(readonly version?: string) {}

  shape(a: Alert, p: PayloadShape): unknown {
    if (p === 'alert') return a;
    if (!this.attack) {
      try {
        this.attack = AttackTable.load();
      } catch {
        this.attack = undefined;
      }
    }
    return toOcsfDetectionFinding(a, { version: this.version, attack: this.attack });
  }
}

// ---- the set of sinks ------------------------------------------------------------------------------------

export interface SinkFactory {
  key: string;
  build(where: string, o: Raw, i: number, ctx: { shaper: Shaper; base: string }): { common: SinkCommon; target: SinkTarget };
}

/** All configured sinks; `deliver()` enqueues an alert batch on every sink. */
export class Delivery {
  constructor(readonly sinks: SinkRunner[]) {}

  deliver(alerts: readonly Alert[]): void {
    if (!alerts.length) return;
    for (const s of this.sinks) s.push(alerts);
  }

  async idle(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.idle()));
  }

  async stop(graceMs?: number): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.stop(graceMs)));
  }

  /** Builds the sinks of `delivery:` (an error names the entry and the key). */
  static fromConfig(raw: Raw | undefined, o: { metrics: DeliveryMetrics; factories: SinkFactory[]; base: string; version?: string; log?: (l: string) => void }): Delivery {
    if (!raw) return new Delivery([]);
    const known = new Set(o.factories.map((f) => f.key));
    for (const k of Object.keys(raw)) {
      if (!known.has(k) && k !== 'min_severity') throw new DeliveryConfigError(`delivery.${k}: unknown sink type (known: ${[...known].join(', ')})`);
    }
    const shaper = new Shaper(o.version);
    const runners: SinkRunner[] = [];
    const names = new Set<string>();
    for (const f of o.factories) {
      const list = raw[f.key];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new DeliveryConfigError(`delivery.${f.key} must be a list`);
      list.forEach((entry, i) => {
        const where = `delivery.${f.key}[${i}]`;
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new DeliveryConfigError(`${where} must be a mapping`);
        const e = { ...(entry as Raw) };
        if (e.min_severity === undefined && raw.min_severity !== undefined) e.min_severity = raw.min_severity;
        const { common, target } = f.build(where, e, i, { shaper, base: o.base });
        if (names.has(common.name)) throw new DeliveryConfigError(`${where}.name: "${common.name}" is already used by another sink`);
        names.add(common.name);
        runners.push(new SinkRunner(common, target, o.metrics, o.log));
      });
    }
    return new Delivery(runners);
  }
}
