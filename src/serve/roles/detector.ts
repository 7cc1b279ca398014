import { hostname } from 'node:os';
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { Bus } from '../../bus/jetstream.js';
import { PartitionWorker, type PartitionDetector } from '../../bus/partition-worker.js';
import { endpointText, resolveListeners, type Endpoint } from '../config.js';
import { Metrics } from '../metrics.js';
import type { Stages } from '../pipeline.js';
import { TokenStore } from '../tokens.js';
import type { BusItem } from './collector.js';
import { startOpsHttp } from './ops-http.js';
import type { RoleOptions } from './collector.js';

/**
 * The detectors of the single process, over one partition's items: events through every event detector, flows
 * (per batch) through every flow detector. State is the detectors' own snapshots, keyed by detector name.
 */
export class StagesPartitionDetector implements PartitionDetector {
  constructor(private readonly stages: Stages, private readonly metrics?: Metrics) {}

  process(items: unknown[]): Alert[] {
    const alerts: Alert[] = [];
    const flows: FlowRecord[] = [];
    for (const it of items as BusItem[]) {
      if (it.k === 'f') { flows.push(it.f); continue; }
      const ev = it.e.event;
      if (!ev) continue; // unparsed lines are stored, not detected on
      for (const d of this.stages.eventDetectors) {
        const t0 = performance.now();
        for (const a of d.process(ev, it.e.source)) alerts.push(a);
        this.metrics?.detectorLatency.observe({ detector: d.name }, (performance.now() - t0) / 1000);
      }
    }
    if (flows.length) for (const d of this.stages.flowDetectors) for (const a of d.process(flows)) alerts.push(a);
    return alerts;
  }

  snapshot(): unknown {
    const s: Record<string, unknown> = {};
    for (const d of [...this.stages.eventDetectors, ...this.stages.flowDetectors]) if (d.snapshot) s[d.name] = d.snapshot();
    return s;
  }

  restore(state: unknown): void {
    const s = (state ?? {}) as Record<string, unknown>;
    for (const d of [...this.stages.eventDetectors, ...this.stages.flowDetectors]) if (d.restore && d.name in s) d.restore(s[d.name]);
  }
}

/** `tidewatch serve --role detector`: pulls partitions it holds a lease on, detects, publishes alerts. */
export class DetectorRole {
  private http?: Awaited<ReturnType<typeof startOpsHttp>>;
  readonly bound: { http?: Endpoint } = {};
  private constructor(readonly bus: Bus, readonly worker: PartitionWorker, readonly metrics: Metrics) {}

  static async start(o: RoleOptions & { makeStages: () => Promise<Stages> | Stages; health?: () => Record<string, unknown> }): Promise<DetectorRole> {
    const id = o.id ?? `${hostname()}-${process.pid}`;
    const bus = await Bus.connect({ servers: o.scaleout.nats, partitions: o.scaleout.partitions, leaseMs: o.scaleout.leaseMs, name: `tidewatch-detector-${id}` });
    const metrics = new Metrics({});
    // Stages are built per partition (each partition's state is its own); building them is synchronous work on
    // rules already parsed once by makeStages' caller.
    const stagesByPartition = new Map<number, Stages>();
    const pending: Promise<void>[] = [];
    const worker = new PartitionWorker(bus, id, (p) => {
      const st = stagesByPartition.get(p);
      if (!st) throw new Error(`stages for partition ${p} not ready`);
      return new StagesPartitionDetector(st, metrics);
    });
    for (let p = 0; p < o.scaleout.partitions; p++) pending.push(Promise.resolve(o.makeStages()).then((s) => { stagesByPartition.set(p, s); }));
    await Promise.all(pending);
    const role = new DetectorRole(bus, worker, metrics);
    await worker.start();
    const http = resolveListeners(o.site, o.listen).http;
    if (http !== 'off') {
      role.http = await startOpsHttp(http, TokenStore.forData(o.data), metrics, () => ({ status: 'ok', role: 'detector', ...worker.stats, ...(o.health?.() ?? {}) }));
      role.bound.http = { host: http.host, port: role.http.port };
      o.log(`listening http ${endpointText(role.bound.http)}`);
    }
    return role;
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.http?.app.close();
    await this.bus.close();
  }
}
