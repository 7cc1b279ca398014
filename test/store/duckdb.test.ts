import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { storeContract } from './contract.js';

let file = '';
storeContract(
  'duckdb',
  async () => {
    file = join(mkdtempSync(join(tmpdir(), 'tw-store-')), 'x.duckdb');
    return DuckDbStore.open(file);
  },
  async () => DuckDbStore.open(file),
);
