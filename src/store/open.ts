import { join } from 'node:path';
import type { Store } from './store.js';
import { DuckDbStore } from './duckdb/duckdb-store.js';

/** Opens the embedded store in the data directory (or the exact file given by --db). */
export async function openStore(opts: { data: string; db?: string }): Promise<Store & DuckDbStore> {
  return DuckDbStore.open(opts.db ?? join(opts.data, 'tidewatch.duckdb'));
}
