import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STORE_TABLES, type Store } from '../store/store.js';

export interface IngestFigures {
  source: string;
  accepted: number;
  dropped: number;
  parse_errors: number;
  rate_per_s: number;
}

/**
 * The service's Prometheus metrics. The names a load or failure test reads are fixed by
 * docs (interfaces.md): tidewatch_events_accepted_total{source}, tidewatch_events_dropped_total{source,reason},
 * tidewatch_parse_errors_total{source}, tidewatch_store_rows{table}. docs/SERVE.md lists the rest.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly accepted: Counter<'source'>;
  readonly dropped: Counter<'source' | 'reason'>;
  readonly parseErrors: Counter<'source'>;
  readonly storeRows: Gauge<'table'>;
  readonly queueDepth: Gauge<'queue'>;
  readonly detectorLatency: Histogram<'detector'>;
  readonly alerts: Counter<'detector'>;
  readonly alertsSuppressed: Counter;
  readonly incidentsOpen: Gauge;
  readonly alertLatency: Histogram;
  readonly alertDelivery: Histogram;
  readonly walBytes: Gauge;
  private readonly rates = new Map<string, { last: number; at: number; rate: number }>();
  private rateTimer?: NodeJS.Timeout;

  constructor(opts: { store?: Store; openIncidents?: () => number; defaults?: boolean } = {}) {
    const registers = [this.registry];
    this.accepted = new Counter({ name: 'tidewatch_events_accepted_total', help: 'Events the service took responsibility for, counted once safe from a crash (written ahead or stored); survives restarts.', labelNames: ['source'], registers });
    this.dropped = new Counter({ name: 'tidewatch_events_dropped_total', help: 'Events lost or refused, by reason.', labelNames: ['source', 'reason'], registers });
    this.parseErrors = new Counter({ name: 'tidewatch_parse_errors_total', help: 'Lines that did not parse (stored as unparsed).', labelNames: ['source'], registers });
    const store = opts.store;
    this.storeRows = new Gauge({
      name: 'tidewatch_store_rows', help: 'Rows in the store tables.', labelNames: ['table'], registers,
      async collect() {
        if (!store) return;
        for (const t of STORE_TABLES) {
          try {
            this.set({ table: t }, await store.countRows(t));
          } catch {
            // store closing: keep the last value
          }
        }
      },
    });
    this.queueDepth = new Gauge({ name: 'tidewatch_queue_depth', help: 'Items waiting in each pipeline queue.', labelNames: ['queue'], registers });
    this.detectorLatency = new Histogram({
      name: 'tidewatch_detector_latency_seconds', help: 'Time a detector takes per batch of events.', labelNames: ['detector'], registers,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    });
    this.alertLatency = new Histogram({
      name: 'tidewatch_alert_latency_seconds', help: 'From receiving the event to storing its alert.', registers,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    });
    this.alertDelivery = new Histogram({
      name: 'tidewatch_alert_delivery_seconds', help: 'From receiving a live syslog line to handing its alert to delivery (at detection; other alerts are delivered once stored: tidewatch_alert_latency_seconds).', registers,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    });
    this.alerts = new Counter({ name: 'tidewatch_alerts_total', help: 'New alerts handed to delivery (not suppressed, each id once), by detector.', labelNames: ['detector'], registers });
    this.alertsSuppressed = new Counter({ name: 'tidewatch_alerts_suppressed_total', help: 'Alerts dropped by a false-positive suppression.', registers });
    const open = opts.openIncidents;
    this.incidentsOpen = new Gauge({
      name: 'tidewatch_incidents_open', help: 'Incidents in state new, investigating or contained.', registers,
      collect() {
        if (open) this.set(open());
      },
    });
    this.walBytes = new Gauge({ name: 'tidewatch_wal_bytes', help: 'Bytes in the write-ahead log not yet checkpointed into the store.', registers });
    if (opts.defaults !== false) collectDefaultMetrics({ register: this.registry, prefix: 'tidewatch_' });
  }

  /** Samples accepted counters every `ms` to report a per-source rate (overview). */
  startRates(ms = 5000): void {
    this.rateTimer = setInterval(() => void this.sampleRates(), ms);
    this.rateTimer.unref();
  }

  stop(): void {
    if (this.rateTimer) clearInterval(this.rateTimer);
  }

  private async sampleRates(): Promise<void> {
    const now = Date.now();
    for (const v of (await this.accepted.get()).values) {
      const source = String(v.labels.source);
      const prev = this.rates.get(source);
      const rate = prev && now > prev.at ? ((v.value - prev.last) * 1000) / (now - prev.at) : 0;
      this.rates.set(source, { last: v.value, at: now, rate });
    }
  }

  /** Per-source ingest figures for the overview. */
  async ingest(): Promise<IngestFigures[]> {
    const out = new Map<string, IngestFigures>();
    const get = (s: string) => {
      let f = out.get(s);
      if (!f) out.set(s, (f = { source: s, accepted: 0, dropped: 0, parse_errors: 0, rate_per_s: Math.round(this.rates.get(s)?.rate ?? 0) }));
      return f;
    };
    for (const v of (await this.accepted.get()).values) get(String(v.labels.source)).accepted += v.value;
    for (const v of (await this.dropped.get()).values) get(String(v.labels.source)).dropped += v.value;
    for (const v of (await this.parseErrors.get()).values) get(String(v.labels.source)).parse_errors += v.value;
    return [...out.values()].sort((a, b) => a.source.localeCompare(b.source));
  }
}
