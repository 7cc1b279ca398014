/**
 * The store thread of `tidewatch serve` (src/store/duckdb/worker-store.ts): it owns the DuckDB database and answers
 * the main thread's calls, so building data chunks, appending and committing events never run on the thread that
 * reads the sockets, parses and detects.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DuckDbStore } from './duckdb-store.js';
import { unpackIfPacked } from '../columns.js';
import { trace, tracing } from '../../util/trace.js';

interface Call {
  id: number;
  method: string;
  args: unknown[];
}

const port = parentPort!;
const init = workerData as { path: string; backgroundCheckpointBytes?: number; threads?: number; optimisticWrites?: boolean };

try {
  const store = await DuckDbStore.open(init.path, { backgroundCheckpointBytes: init.backgroundCheckpointBytes, threads: init.threads, optimisticWrites: init.optimisticWrites });
  const methods = store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  port.on('message', (m: Call) => {
    const f = methods[m.method];
    if (typeof f !== 'function') {
      port.postMessage({ id: m.id, error: new Error(`store thread: no method ${m.method}`) });
      return;
    }
    const t0 = tracing ? performance.now() : 0;
    Promise.resolve()
      .then(() => f.apply(store, m.args.map(unpackIfPacked)))
      .then(
        (value) => {
          if (tracing) trace('store', 'call', { method: m.method, ms: +(performance.now() - t0).toFixed(1) });
          port.postMessage({ id: m.id, value });
          if (m.method === 'close') port.close();
        },
        (error: unknown) => port.postMessage({ id: m.id, error: error instanceof Error ? error : new Error(String(error)) }),
      );
  });
  port.postMessage({ id: 0, value: 'ready' });
} catch (e) {
  port.postMessage({ id: 0, error: e instanceof Error ? e : new Error(String(e)) });
}
