import type { Bus } from './jetstream.js';
import { BUS, LeaseKeeper } from './jetstream.js';
import type { Alert } from '../model/alert.js';

/**
 * What a detector process runs per partition: stateful detection over batches, whose state can be saved and
 * restored, so a partition that moves to another process (after a crash) continues its correlation windows.
 */
export interface PartitionDetector {
  process(items: unknown[]): Alert[];
  snapshot(): unknown;
  restore(state: unknown): void;
}

interface Ctl {
  stop: boolean;
  done: Promise<void>;
  msgs?: { stop(err?: Error): void };
}

export interface WorkerStats {
  batches: number;
  items: number;
  alerts: number;
  skipped_redelivered: number;
  partitions: number[];
}

/**
 * The detector role's loop. For every partition it holds a lease on, it pulls batches from the partition's durable
 * consumer and, per batch: runs detection, publishes the alerts (deduplicated by alert id on the bus), saves the
 * partition's state with the batch's stream sequence, then acks. A batch redelivered after a crash whose sequence
 * is not above the saved one is acked without re-running detection: effects happen once.
 */
export class PartitionWorker {
  private readonly keeper: LeaseKeeper;
  private readonly running = new Map<number, Ctl>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  readonly stats: WorkerStats = { batches: 0, items: 0, alerts: 0, skipped_redelivered: 0, partitions: [] };

  constructor(private readonly bus: Bus, readonly id: string, private readonly makeDetector: (partition: number) => PartitionDetector) {
    this.keeper = new LeaseKeeper(bus, id);
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.timer = setInterval(() => { void this.heartbeat().catch(() => undefined); }, Math.max(200, Math.floor(this.bus.opts.leaseMs / 3)));
  }

  private async members(): Promise<number> {
    await this.bus.leases.put(`member.${this.id}`, Buffer.from(String(Date.now())));
    // One request (stream info with a subject filter) rather than kv.keys(), whose iterator can outlast a lease.
    const info = await this.bus.jsm.streams.info(`KV_${BUS.leaseBucket}`, { subjects_filter: `$KV.${BUS.leaseBucket}.member.>` });
    return Math.max(1, Object.keys(info.state.subjects ?? {}).length);
  }

  private beating = false;
  private readonly draining = new Set<number>();
  private async heartbeat(): Promise<void> {
    if (this.stopped || this.beating) return;
    this.beating = true;
    try {
      const fair = Math.ceil(this.bus.opts.partitions / (await this.members()));
      const { gained, lost } = await this.keeper.tick(fair);
      // Stops never block the heartbeat: leases must keep being renewed while a partition drains.
      for (const p of lost) void this.stopPartition(p);
      // rebalance: give back partitions beyond the fair share so a newly joined detector can take them;
      // the lease stays held (and renewed) until the partition has stopped, then it is released.
      for (const p of this.keeper.partitions.slice(fair)) {
        if (this.draining.has(p)) continue;
        this.draining.add(p);
        void this.stopPartition(p).then(() => this.keeper.releaseOne(p)).finally(() => this.draining.delete(p));
      }
      for (const p of gained) this.startPartition(p);
      this.stats.partitions = this.keeper.partitions;
    } finally {
      this.beating = false;
    }
  }

  private startPartition(p: number): void {
    const ctl: Ctl = { stop: false, done: Promise.resolve() };
    // A partition loop that fails (bus hiccup) restarts from the saved state after a pause; it never dies silently.
    const loop = async (): Promise<void> => {
      while (!ctl.stop && !this.stopped) {
        try {
          await this.runPartition(p, ctl);
        } catch (e) {
          process.stderr.write(`tidewatch detector ${this.id}: partition ${p}: ${(e as Error).message}; retrying\n`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    ctl.done = loop();
    this.running.set(p, ctl);
  }

  private async stopPartition(p: number): Promise<void> {
    const ctl = this.running.get(p);
    if (!ctl) return;
    ctl.stop = true;
    ctl.msgs?.stop();
    await ctl.done;
    if (this.running.get(p) === ctl) this.running.delete(p);
  }

  private async runPartition(p: number, ctl: Ctl): Promise<void> {
    const detector = this.makeDetector(p);
    let lastSeq = 0;
    const saved = await this.bus.state.get(`p${p}`);
    // The state entry's revision: writes are conditional on it, so a detector that lost the partition (and
    // does not know it yet) cannot overwrite the new owner's state; its write fails and it stops.
    let stateRev = saved?.revision ?? 0;
    if (saved?.value?.length) {
      const s = JSON.parse(Buffer.from(saved.value).toString()) as { seq: number; state: unknown };
      lastSeq = s.seq;
      detector.restore(s.state);
    }
    // a partition this process no longer holds is not reopened (its new owner has made the consumer anew)
    if (!this.keeper.partitions.includes(p)) { ctl.stop = true; return; }
    const consumer = await this.bus.partitionConsumer(p, lastSeq);
    while (!ctl.stop && !this.stopped) {
      const msgs = await consumer.fetch({ max_messages: 32, expires: 1000 });
      ctl.msgs = msgs;
      for await (const m of msgs) {
        if (ctl.stop || this.stopped) { m.nak(); continue; }
        if (m.seq <= lastSeq) { this.stats.skipped_redelivered++; m.ack(); continue; }
        const items = JSON.parse(Buffer.from(m.data).toString()) as unknown[];
        const alerts = detector.process(items);
        if (alerts.length) await this.bus.publishAlerts(alerts);
        const body = Buffer.from(JSON.stringify({ seq: m.seq, state: detector.snapshot() }));
        stateRev = stateRev ? await this.bus.state.update(`p${p}`, body, stateRev) : await this.bus.state.create(`p${p}`, body);
        lastSeq = m.seq;
        await m.ackAck();
        this.stats.batches++;
        this.stats.items += items.length;
        this.stats.alerts += alerts.length;
      }
    }
  }

  /** Simulates a crash in tests: stops work and heartbeats without releasing leases (they must expire). */
  async abandon(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.running.values()].map((c) => { c.stop = true; c.msgs?.stop(); return c.done; }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.running.values()].map((c) => { c.stop = true; c.msgs?.stop(); return c.done; }));
    await this.keeper.release();
    try { await this.bus.leases.delete(`member.${this.id}`); } catch { /* gone */ }
  }
}
