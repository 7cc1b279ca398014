import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerStore } from '../../src/store/duckdb/worker-store.js';
import { eventColumnsOf } from '../../src/store/columns.js';
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

test('store thread: staged parts are stored by the commit that names them, in order, with its checkpoint', async () => {
  const f = join(mkdtempSync(join(tmpdir(), 'tw-store-')), 'staged.duckdb');
  const s = await WorkerStore.open(f, { backgroundCheckpointBytes: 1 });
  try {
    const part = (from: number, n: number) => eventColumnsOf(Array.from({ length: n }, (_, i) => ({
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, from + i)).toISOString(), host: 'edge1',
      source: { file: 'syslog-tcp/10.0.0.1:5000', listener: 'syslog-tcp' }, event: { seq: from + i },
    })));
    const a = s.stage!({ events: [], columns: part(0, 3000), flows: [] });
    const b = s.stage!({ events: [], columns: part(3000, 10), flows: [] });
    // nothing is stored before the commit
    assert.equal(await s.countRows('events'), 0);
    await s.commitBatch({ events: [], flows: [], staged: [a, b], checkpoint: { kind: 'wal', key: 'checkpoint', doc: { pos: 7 } } });
    assert.equal(await s.countRows('events'), 3010);
    assert.deepEqual(await s.getDoc('wal', 'checkpoint'), { pos: 7 });
    // a part can be committed once; an unknown id fails the commit and stores nothing
    await assert.rejects(() => s.commitBatch({ events: [], flows: [], staged: [a], checkpoint: { kind: 'wal', key: 'checkpoint', doc: { pos: 8 } } }), /no staged batch/);
    assert.deepEqual(await s.getDoc('wal', 'checkpoint'), { pos: 7 });
    assert.equal(await s.countRows('events'), 3010);
  } finally { await s.close(); }
});

test('store thread: a database that cannot be opened is reported with its error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-store-'));
  writeFileSync(join(dir, 'bad.duckdb'), 'not a database file, just text that is long enough to be read as a header'.repeat(100));
  await assert.rejects(() => WorkerStore.open(join(dir, 'bad.duckdb')), /duckdb|database|valid/i);
});
