import { connect, AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, headers, type NatsConnection, type JetStreamClient, type JetStreamManager, type KV } from 'nats';

/** Stream and subject names of the scale-out bus (docs/DEPLOY.md). */
export const BUS = {
  /** Normalized events and decoded flows from collectors, by partition: `tw.in.<partition>`. */
  inStream: 'TIDEWATCH_IN',
  inSubject: (p: number) => `tw.in.${p}`,
  /** Alerts from detectors to the store role: `tw.alerts`. Deduplicated by alert id (Nats-Msg-Id). */
  alertStream: 'TIDEWATCH_ALERTS',
  alertSubject: 'tw.alerts',
  /** Partition leases and detector state snapshots. */
  leaseBucket: 'tw_leases',
  stateBucket: 'tw_state',
} as const;

export interface BusOptions {
  servers: string[];
  partitions: number;
  /** How long a partition lease lives without renewal (ms); a dead detector's partitions move after this. */
  leaseMs?: number;
  /** JetStream duplicate window for alert ids (ms). */
  dedupWindowMs?: number;
  name?: string;
}

/** One connection to the bus, with the streams and buckets the roles share. */
export class Bus {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly leases: KV,
    readonly state: KV,
    readonly opts: Required<Omit<BusOptions, 'name'>>,
  ) {}

  static async connect(o: BusOptions): Promise<Bus> {
    const nc = await connect({ servers: o.servers, name: o.name ?? 'tidewatch', maxReconnectAttempts: -1 });
    const jsm = await nc.jetstreamManager();
    const opts = { servers: o.servers, partitions: o.partitions, leaseMs: o.leaseMs ?? 5000, dedupWindowMs: o.dedupWindowMs ?? 10 * 60_000 };
    const ns = (ms: number) => ms * 1_000_000;
    await ensureStream(jsm, { name: BUS.inStream, subjects: ['tw.in.>'], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: ns(opts.dedupWindowMs) });
    await ensureStream(jsm, { name: BUS.alertStream, subjects: [BUS.alertSubject], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: ns(opts.dedupWindowMs) });
    const js = nc.jetstream();
    const leases = await js.views.kv(BUS.leaseBucket, { ttl: opts.leaseMs, history: 1 });
    const state = await js.views.kv(BUS.stateBucket, { history: 1 });
    return new Bus(nc, js, jsm, leases, state, opts);
  }

  /** Publishes one batch to a partition. `msgId` (e.g. collector id + batch number) makes retries idempotent. */
  /**
   * Publishes one partition's items. A batch whose JSON is larger than `maxMessageBytes` (NATS refuses payloads over
   * its max_payload, 1 MiB by default) goes as several messages, halved until each fits; each part's message id is
   * the batch's id with the part's place in it, so a replay of the same batch is deduplicated part by part.
   */
  async publishBatch(partition: number, items: unknown[], msgId?: string, maxMessageBytes = 512 * 1024): Promise<number> {
    const body = Buffer.from(JSON.stringify(items));
    if (body.length > maxMessageBytes && items.length > 1) {
      const half = Math.ceil(items.length / 2);
      await this.publishBatch(partition, items.slice(0, half), msgId && `${msgId}.a`, maxMessageBytes);
      return this.publishBatch(partition, items.slice(half), msgId && `${msgId}.b`, maxMessageBytes);
    }
    const h = headers();
    if (msgId) h.set('Nats-Msg-Id', msgId);
    const ack = await this.js.publish(BUS.inSubject(partition), body, { headers: h });
    return ack.seq;
  }

  /** Publishes alerts, each deduplicated by its id within the duplicate window. */
  async publishAlerts(alerts: { id: string }[]): Promise<void> {
    await Promise.all(alerts.map((a) => {
      const h = headers();
      h.set('Nats-Msg-Id', a.id);
      return this.js.publish(BUS.alertSubject, Buffer.from(JSON.stringify(a)), { headers: h });
    }));
  }

  /**
   * The durable consumer for one partition, made anew by the detector that takes the partition: it starts right
   * after the last stream sequence whose effects the partition's saved state holds. Reusing the old consumer would
   * hand the new owner later messages while earlier ones sat unacknowledged with a dead owner until their ack wait
   * ran out, and those would then arrive out of order, after the state had moved past them.
   */
  async partitionConsumer(partition: number, afterSeq = 0) {
    const durable = `detect_${partition}`;
    try {
      await this.jsm.consumers.delete(BUS.inStream, durable);
    } catch {
      // not there yet
    }
    await this.jsm.consumers.add(BUS.inStream, {
      durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: BUS.inSubject(partition), max_ack_pending: 64, ack_wait: 30_000_000_000,
      ...(afterSeq > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    return this.js.consumers.get(BUS.inStream, durable);
  }

  /** The store role's consumer of everything collectors publish (all partitions; store processes share it). */
  async storeConsumer(durable = 'store') {
    try {
      await this.jsm.consumers.info(BUS.inStream, durable);
    } catch {
      await this.jsm.consumers.add(BUS.inStream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 10000, ack_wait: 60_000_000_000 });
    }
    return this.js.consumers.get(BUS.inStream, durable);
  }

  async alertConsumer(durable = 'store') {
    try {
      await this.jsm.consumers.info(BUS.alertStream, durable);
    } catch {
      await this.jsm.consumers.add(BUS.alertStream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 10000 });
    }
    return this.js.consumers.get(BUS.alertStream, durable);
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

async function ensureStream(jsm: JetStreamManager, cfg: Parameters<JetStreamManager['streams']['add']>[0]): Promise<void> {
  try {
    await jsm.streams.info(cfg.name!);
  } catch {
    await jsm.streams.add(cfg);
  }
}

/**
 * Partition leases in a JetStream KV bucket with a TTL: a detector claims free partitions (create fails if held),
 * renews its own (update with the revision it holds), and a dead detector's leases expire so others take over.
 */
export class LeaseKeeper {
  private held = new Map<number, number>(); // partition -> revision
  constructor(private readonly bus: Bus, readonly owner: string) {}

  get partitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Renews held leases and claims up to `fairShare` partitions; returns [gained, lost]. */
  async tick(fairShare: number): Promise<{ gained: number[]; lost: number[] }> {
    const gained: number[] = [];
    const lost: number[] = [];
    for (const [p, rev] of [...this.held]) {
      try {
        this.held.set(p, await this.bus.leases.update(String(p), Buffer.from(this.owner), rev));
      } catch {
        this.held.delete(p);
        lost.push(p);
      }
    }
    for (let p = 0; p < this.bus.opts.partitions && this.held.size < fairShare; p++) {
      if (this.held.has(p)) continue;
      try {
        this.held.set(p, await this.bus.leases.create(String(p), Buffer.from(this.owner)));
        gained.push(p);
      } catch { /* held by another detector */ }
    }
    return { gained, lost };
  }

  /** Gives one partition back (rebalancing when another detector joins). */
  async releaseOne(p: number): Promise<void> {
    if (!this.held.delete(p)) return;
    try { await this.bus.leases.delete(String(p)); } catch { /* already gone */ }
  }

  async release(): Promise<void> {
    for (const p of this.held.keys()) {
      try { await this.bus.leases.delete(String(p)); } catch { /* already gone */ }
    }
    this.held.clear();
  }
}
