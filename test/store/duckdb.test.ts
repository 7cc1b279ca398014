import { test } from 'node:test';
import assert from 'node:assert/strict';
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

test('duckdb: background checkpoints run beside commits, and the data stays whole', async () => {
  const f = join(mkdtempSync(join(tmpdir(), 'tw-store-')), 'ck.duckdb');
  const s = await DuckDbStore.open(f, { backgroundCheckpointBytes: 10_000 });
  const events = Array.from({ length: 500 }, (_, i) => ({
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), host: `r${i % 7}`,
    source: { file: 'syslog-tcp/10.0.0.1:5000', listener: 'syslog-tcp' }, event: { message: `line ${i}`, seq: i },
  }));
  try {
    for (let b = 0; b < 10; b++) await s.commitBatch({ events, flows: [], checkpoint: { kind: 'wal', key: 'checkpoint', doc: { b } } });
    await s.close();
    // 10 commits of ~40 kB each against a 10 kB threshold: at least one checkpoint ran (not two at once), none failed
    assert.ok(s.checkpoints.done >= 1, `checkpoints run: ${s.checkpoints.done}`);
    assert.equal(s.checkpoints.lastError, undefined);
    const again = await DuckDbStore.open(f);
    try {
      assert.equal(await again.countRows('events'), 5000);
      assert.deepEqual(await again.getDoc('wal', 'checkpoint'), { b: 9 });
    } finally { await again.close(); }
  } finally { await s.close().catch(() => undefined); }
});
