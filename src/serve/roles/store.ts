import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import type { StoredEvent } from '../../store/store.js';
import { Bus } from '../../bus/jetstream.js';
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

  static async start(o: RoleOptions): Promise<StoreRole> {
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
    role.loops.push(role.eventsLoop(), role.alertsLoop());
    role.startRetention(o.scaleout.retentionDays);
    const http = resolveListeners(o.site, o.listen).http;
    if (http !== 'off') {
      role.http = await startOpsHttp(http, TokenStore.forData(o.data), metrics, () => ({ status: 'ok', role: 'store' }));
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

  private async eventsLoop(): Promise<void> {
    const consumer = await this.bus.storeConsumer();
    while (!this.stopped) {
      try {
        const msgs = await consumer.fetch({ max_messages: 256, expires: 1000 });
        const events: StoredEvent[] = [];
        const flows: FlowRecord[] = [];
        const held = [];
        for await (const m of msgs) {
          for (const it of JSON.parse(Buffer.from(m.data).toString()) as BusItem[]) {
            if (it.k === 'f') flows.push(it.f); else events.push(it.e);
          }
          held.push(m);
        }
        if (!held.length) continue;
        await this.store.insertEvents(events);
        await this.store.insertFlows(flows);
        this.stored.events += events.length;
        this.stored.flows += flows.length;
        await Promise.all(held.map((m) => m.ackAck()));
      } catch (e) {
        if (this.stopped) return;
        this.log(`tidewatch store: events: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async alertsLoop(): Promise<void> {
    const consumer = await this.bus.alertConsumer('store');
    while (!this.stopped) {
      try {
        const msgs = await consumer.fetch({ max_messages: 1000, expires: 1000 });
        const alerts: Alert[] = [];
        const held = [];
        for await (const m of msgs) { alerts.push(JSON.parse(Buffer.from(m.data).toString()) as Alert); held.push(m); }
        if (!held.length) continue;
        // detectors deliver in any order: correlate each batch in event-time order, as the single process does
        alerts.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
        const r = await this.incidents.ingest(alerts);
        this.stored.alerts += r.stored.length;
        await Promise.all(held.map((m) => m.ackAck()));
      } catch (e) {
        if (this.stopped) return;
        this.log(`tidewatch store: alerts: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await Promise.all(this.loops);
    await this.incidents.idle();
    await this.http?.app.close();
    await this.bus.close();
    await this.store.close();
  }
}
