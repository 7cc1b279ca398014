import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import type { StoredEvent } from '../../store/store.js';
import type { Consumer, JsMsg } from 'nats';
import { Bus } from '../../bus/jetstream.js';
import { consumeBatches } from '../../bus/batches.js';
import { ClickHouseStore } from '../../store/clickhouse/clickhouse-store.js';
import { IncidentManager } from '../../correlation/manager.js';
import { endpointText, resolveListeners, type Endpoint } from '../config.js';
import { Metrics } from '../metrics.js';
import { TokenStore } from '../tokens.js';
import type { BusItem, RoleOptions } from './collector.js';
import { startOpsHttp } from './ops-http.js';

/**
 * `tidewatch serve --role store`: batched inserts of events and flows into ClickHouse, and the correlation stage:
 * alerts from every detector are stored (once per id) and grouped into incidents. Messages are acked only after
 * ClickHouse took them, so a crash replays them: alerts and incidents are idempotent by id; events and flows are
 * at-least-once (docs/DEPLOY.md).
 */
export class StoreRole {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private http?: Awaited<ReturnType<typeof startOpsHttp>>;
  readonly bound: { http?: Endpoint } = {};
  stored = { events: 0, flows: 0, alerts: 0 };

  private constructor(readonly bus: Bus, readonly store: ClickHouseStore, readonly incidents: IncidentManager, readonly metrics: Metrics, private readonly log: (l: string) => void) {}

  static async start(o: RoleOptions & { correlate?: boolean }): Promise<StoreRole> {
    const bus = await Bus.connect({ servers: o.scaleout.nats, partitions: o.scaleout.partitions, leaseMs: o.scaleout.leaseMs, name: 'tidewatch-store' });
    const store = await ClickHouseStore.open({ url: o.scaleout.clickhouse! });
    const holder: { role?: StoreRole } = {};
    const metrics = new Metrics({ store, openIncidents: () => holder.role?.incidents.openCount ?? 0 });
    const incidents = await IncidentManager.open(store, {
      site: o.site,
      events: { onAlerts: (alerts) => { for (const a of alerts) metrics.alerts.inc({ detector: a.detector }); } },
    });
    incidents.sharedStore = true;
    const role = (holder.role = new StoreRole(bus, store, incidents, metrics, o.log));
    // every store process shares the events consumer (the inserts spread over them); exactly one correlates
    role.loops.push(role.eventsLoop());
    if (o.correlate !== false) role.loops.push(role.alertsLoop());
    else o.log('tidewatch store: --no-correlate: inserting events and flows only; another store process correlates alerts');
    role.startRetention(o.scaleout.retentionDays);
    const http = resolveListeners(o.site, o.listen).http;
    if (http !== 'off') {
      role.http = await startOpsHttp(http, TokenStore.forData(o.data), metrics, () => ({ status: 'ok', role: 'store', correlate: o.correlate !== false, stored: role.stored }));
      role.bound.http = { host: http.host, port: role.http.port };
      o.log(`listening http ${endpointText(role.bound.http)}`);
    }
    return role;
  }

  private retentionTimer?: NodeJS.Timeout;

  /** Drops day partitions older than `scaleout.retention` (ClickHouse 18.16 has no TTL clause): at start, then hourly. */
  private startRetention(days: Partial<Record<'events' | 'flows' | 'alerts', number>>): void {
    const tables = Object.entries(days) as ['events' | 'flows' | 'alerts', number][];
    if (!tables.length) return;
    const run = async () => {
      for (const [table, d] of tables) {
        try {
          const dropped = await this.store.applyRetention(table, d);
          if (dropped.length) this.log(`tidewatch store: retention ${table} ${d}d: dropped day partitions ${dropped.join(', ')}`);
        } catch (e) {
          this.log(`tidewatch store: retention ${table}: ${(e as Error).message}`);
        }
      }
    };
    void run();
    this.retentionTimer = setInterval(() => void run(), 3600_000);
    this.retentionTimer.unref();
  }

  private readonly iterators: { stop(): void }[] = [];

  /** Runs a batch loop over a consumer until the role stops; a broken consumer is opened again after a pause. */
  private async loop(name: string, open: () => Promise<Consumer>, max: number, handle: (batch: JsMsg[]) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      try {
        await consumeBatches(await open(), {
          max, idleMs: 100, stopped: () => this.stopped,
          onError: (e) => this.log(`tidewatch store: ${name}: ${e.message}; the batch will be redelivered`),
          register: (m) => this.iterators.push(m),
        }, handle);
      } catch (e) {
        if (this.stopped) return;
        this.log(`tidewatch store: ${name}: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private eventsLoop(): Promise<void> {
    return this.loop('events', () => this.bus.storeConsumer(), 256, async (held) => {
      const events: StoredEvent[] = [];
      const flows: FlowRecord[] = [];
      for (const m of held) {
        for (const it of JSON.parse(Buffer.from(m.data).toString()) as BusItem[]) {
          if (it.k === 'f') flows.push(it.f); else events.push(it.e);
        }
      }
      await this.store.insertEvents(events);
      await this.store.insertFlows(flows);
      this.stored.events += events.length;
      this.stored.flows += flows.length;
      await Promise.all(held.map((m) => m.ackAck()));
    });
  }

  private alertsLoop(): Promise<void> {
    return this.loop('alerts', () => this.bus.alertConsumer('store'), 1000, async (held) => {
      const alerts = held.map((m) => JSON.parse(Buffer.from(m.data).toString()) as Alert);
      // detectors deliver in any order: correlate each batch in event-time order, as the single process does
      alerts.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
      const r = await this.incidents.ingest(alerts);
      this.stored.alerts += r.stored.length;
      await Promise.all(held.map((m) => m.ackAck()));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    for (const it of this.iterators) it.stop();
    await Promise.all(this.loops);
    await this.incidents.idle();
    await this.http?.app.close();
    await this.bus.close();
    await this.store.close();
  }
}
