import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerStore } from '../../src/store/duckdb/worker-store.js';
import { storeContract } from './contract.js';

// the same contract, with the database in its own thread as `tidewatch serve` runs it (background checkpoints on,
// after every commit)
let file = '';
storeContract(
  'duckdb (store thread)',
  async () => {
    file = join(mkdtempSync(join(tmpdir(), 'tw-store-')), 'x.duckdb');
    return WorkerStore.open(file, { backgroundCheckpointBytes: 1 });
  },
  async () => WorkerStore.open(file, { backgroundCheckpointBytes: 1 }),
);
