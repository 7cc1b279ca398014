import { Worker } from 'node:worker_threads';
import type { CommitBatch, Store } from '../store.js';
import { batchColumns, eventColumnsOf, packColumns } from '../columns.js';

/**
 * The embedded DuckDB store run in a thread of its own (src/store/duckdb/store-worker.ts), for `tidewatch serve`.
 * Every Store method is forwarded as a message and answered there; the live pipeline's commits hand the events over
 * in columns (src/store/columns.ts), so the main thread pays for a copy of some strings per event, not for building
 * DuckDB's data chunks, appends, commits and checkpoints (about 8 µs of CPU per event, measured in
 * docs/BENCHMARKS.md). The database file, its schema and every query are the same as DuckDbStore's in process.
 */
export class WorkerStore {
  readonly kind = 'duckdb' as const;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure?: Error;
  /** Staged parts the store thread could not take, by id: the commit naming them fails with this error. */
  private readonly stageFailures = new Map<number, Error>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; value?: unknown; error?: Error }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(m.error);
      else p.resolve(m.value);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new Error(`store thread failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`store thread exited (${code})`)));
  }

  /** Starts the thread and opens the database at `path`; rejects with DuckDB's error when it cannot. */
  static async open(path: string, opts: { backgroundCheckpointBytes?: number; threads?: number; optimisticWrites?: boolean } = {}): Promise<Store> {
    const worker = new Worker(new URL('./store-worker.js', import.meta.url), { workerData: { path, ...opts } });
    const ws = new WorkerStore(worker);
    try {
      await new Promise<void>((resolve, reject) => ws.pending.set(0, { resolve: () => resolve(), reject }));
    } catch (e) {
      await worker.terminate();
      throw e;
    }
    // every other Store method is forwarded by name
    return new Proxy(ws, {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target) return Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'then') return undefined; // not a promise (await and Promise.resolve look for it)
        return (...args: unknown[]) => target.call(prop, args);
      },
    }) as unknown as Store;
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  /** Hot path: the events go over in columns, not as objects. */
  async commitBatch(b: CommitBatch): Promise<void> {
    if (b.staged !== undefined) {
      if (b.events.length || b.columns || b.flows.length) throw new Error('store: a staged commit carries no other events or flows');
      for (const id of b.staged) {
        const e = this.stageFailures.get(id);
        if (e) {
          this.stageFailures.delete(id);
          throw e;
        }
      }
      await this.call('commitStaged', [b.staged, b.checkpoint]);
      return;
    }
    await this.call('commitColumns', [{ events: packColumns(batchColumns(b.events, b.columns)), flows: b.flows, checkpoint: b.checkpoint }]);
  }

  /**
   * Copies part of a batch's events and flows to the store thread now (postMessage copies synchronously), so the
   * pipeline drops them at once instead of holding them, through several garbage collections, until its commit.
   */
  stage(b: Pick<CommitBatch, 'events' | 'columns' | 'flows'>): number {
    if (this.failure) throw this.failure;
    const id = this.next++;
    // no one waits for the answer; a failure is kept for the commit that names this part
    this.pending.set(id, { resolve: () => undefined, reject: (e) => this.stageFailures.set(id, e) });
    this.worker.postMessage({ id, method: 'stageColumns', args: [id, { events: packColumns(batchColumns(b.events, b.columns)), flows: b.flows }] });
    return id;
  }

  async insertEvents(rows: CommitBatch['events']): Promise<void> {
    await this.call('insertEventColumns', [packColumns(eventColumnsOf(rows))]);
  }

  async close(): Promise<void> {
    if (!this.failure) await this.call('close', []);
    await this.worker.terminate();
  }
}
