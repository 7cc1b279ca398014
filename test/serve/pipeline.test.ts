// When the live pipeline delivers an alert (docs/SERVE.md, "When an alert is delivered"): at detection for live
// syslog lines, even while every store write is held (as a DuckDB checkpoint holds them), and only once stored for
// blocks replayed from the write-ahead log; each alert id once. The batch and its checkpoint are stored once the
// store lets writes through again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteFromObject } from '../../src/site/load.js';
import { sigmaStage } from '../../src/serve/roles/stages.js';
import { parseLiveLine } from '../../src/serve/stored-events.js';
import { CHECKPOINT, Pipeline, type Checkpoint } from '../../src/serve/pipeline.js';
import type { WalBlock } from '../../src/serve/wal.js';
import { Metrics } from '../../src/serve/metrics.js';
import { IncidentManager } from '../../src/correlation/manager.js';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { WorkerStore } from '../../src/store/duckdb/worker-store.js';
import type { Store } from '../../src/store/store.js';
import type { Alert } from '../../src/model/alert.js';
import { until } from './helpers.js';

const RULE = `title: Pipeline test marker
id: 6df513e5-cf05-4737-bd32-afe99ff354f7
status: experimental
logsource: {product: linux, service: sshd}
detection:
  sel: {message|contains: TWTEST-ALERT}
  condition: sel
level: high
`;

/**
 * The real DuckDB store with its writes (commits, alert inserts, incident writes) held while `held` is set: what a
 * DuckDB CHECKPOINT does to every writer for 0.5-2 s. Reads go through.
 */
function holdableStore(inner: Store): { store: Store; hold(): void; release(): void; waiting: () => number } {
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let waiting = 0;
  const writes = new Set(['commitBatch', 'insertNewAlerts', 'insertAlerts', 'putIncident', 'putDoc']);
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof v !== 'function') return v;
      if (!writes.has(prop)) return (v as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        while (gate) {
          waiting++;
          await gate;
          waiting--;
        }
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return {
    store,
    hold: () => { gate = new Promise((r) => (open = r)); },
    release: () => { gate = undefined; open?.(); },
    waiting: () => waiting,
  };
}

/** `worker`: the store thread the service uses (it stages batches ahead of their commit), with `maxInflight` commits. */
async function setup(opts: { worker?: boolean; maxInflight?: number; bulkRecords?: number; commitDelayMs?: number; inputIdleMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tw-pipeline-'));
  mkdirSync(join(dir, 'rules'));
  mkdirSync(join(dir, 'none'));
  writeFileSync(join(dir, 'rules', 'marker.yml'), RULE);
  const site = siteFromObject({ hunt: { rules: [join(dir, 'rules')] } });
  const real = opts.worker ? await WorkerStore.open(join(dir, 'db.duckdb')) : await DuckDbStore.open(join(dir, 'db.duckdb'));
  const h = holdableStore(real);
  const delivered: { alert: Alert; storedThen: boolean }[] = [];
  const storedIds = new Set<string>();
  const incidents = await IncidentManager.open(h.store, {
    site,
    events: {
      onAlerts: (alerts) => {
        // recorded with whether the alert row was already in the store at delivery
        for (const a of alerts) delivered.push({ alert: a, storedThen: storedIds.has(a.id) });
      },
    },
  });
  const origInsert = real.insertNewAlerts.bind(real);
  real.insertNewAlerts = async (rows) => {
    const fresh = await origInsert(rows);
    for (const a of rows) storedIds.add(a.id);
    return fresh;
  };
  const sigma = sigmaStage(site, () => undefined, join(dir, 'none'));
  assert.ok(sigma.detector, 'the marker rule loads');
  const metrics = new Metrics({ defaults: false });
  const pipeline = new Pipeline({
    store: h.store, incidents, metrics, stages: { parseLine: parseLiveLine, eventDetectors: [sigma.detector], flowDetectors: [] },
    maxInflight: opts.maxInflight ?? 64, maxUncommitted: 100_000, earlyDelivery: true, bulkRecords: opts.bulkRecords, commitDelayMs: opts.commitDelayMs, inputIdleMs: opts.inputIdleMs,
  });
  return { dir, real, h, incidents, delivered, pipeline, metrics };
}

let off = 0;
function block(lines: string[]): WalBlock {
  off += 1000;
  return { source: 'syslog-tcp', peer: '127.0.0.1:5000', receivedMs: Date.now(), records: lines, end: { seg: 1, off } };
}
const line = (i: number, marker = '') =>
  `<38>1 2026-12-07T19:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z dev-${i % 7} sshd ${1000 + i} - - Failed password for root from 203.0.113.9 port ${4000 + i} ssh2${marker}`;

test('live alerts are delivered at detection while every store write is held, once each; the batch and its checkpoint are stored after', async () => {
  const { real, h, delivered, pipeline, metrics } = await setup();
  try {
    // hold every write, as a checkpoint does, then send lines with two markers (one of them twice: one alert id)
    h.hold();
    const marked = line(5, ' TWTEST-ALERT-a');
    pipeline.push([block([line(1), line(2), marked, line(3)]), block([line(4), marked, line(6, ' TWTEST-ALERT-b')])]);
    await until(() => delivered.length >= 2, 10_000, 'alerts delivered while the store is held');
    // delivered before any write went through: nothing of them is in the store yet, and the commits are waiting
    assert.equal(delivered.length, 2);
    assert.deepEqual(delivered.map((d) => d.storedThen), [false, false]);
    assert.equal(await real.countRows('events'), 0);
    assert.equal(await real.countRows('alerts'), 0);
    assert.ok(h.waiting() > 0, 'store writes are waiting on the hold');
    assert.ok(/TWTEST-ALERT-a/.test(JSON.stringify(delivered[0].alert)) && /TWTEST-ALERT-b/.test(JSON.stringify(delivered[1].alert)));

    // more lines while held: still detected and delivered (the pipeline is not stopped by its pending commits)
    pipeline.push([block([line(7), line(8, ' TWTEST-ALERT-c')])]);
    await until(() => delivered.length >= 3, 10_000, 'a third alert while held');

    h.release();
    await pipeline.drained();
    assert.equal(pipeline.error, undefined);
    assert.equal(await real.countRows('events'), 9);
    assert.equal(await real.countRows('alerts'), 3);
    const cp = await real.getDoc<Checkpoint>(CHECKPOINT.kind, CHECKPOINT.key);
    assert.deepEqual(cp?.pos, { seg: 1, off });
    // storing them delivered nothing again
    assert.equal(delivered.length, 3);
    // the delivery histogram counted each alert delivered at detection once
    const text = await metrics.registry.metrics();
    assert.match(text, /^tidewatch_alert_delivery_seconds_count 3$/m);
  } finally {
    h.release();
    await real.close();
  }
});

test('alerts of blocks replayed from the write-ahead log are delivered only once stored, and an id already stored not at all', async () => {
  const { real, h, delivered, pipeline } = await setup();
  try {
    h.hold();
    pipeline.push([block([line(11, ' TWTEST-ALERT-r')])], { replayed: true });
    // detection ran (the commit waits on the hold) but nothing was delivered
    await until(() => h.waiting() > 0, 10_000, 'the replayed batch waiting on the store');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(delivered.length, 0);
    h.release();
    await pipeline.drained();
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].storedThen, true, 'delivered after its row was stored');

    // the same block replayed again (a second crash before the checkpoint moved): its alert is not new, not delivered
    pipeline.push([block([line(11, ' TWTEST-ALERT-r')])], { replayed: true });
    await pipeline.drained();
    assert.equal(delivered.length, 1);
    assert.equal(await real.countRows('alerts'), 1);
  } finally {
    h.release();
    await real.close();
  }
});

test('with the store thread, many small batches taken while a commit is held join one commit: detection and delivery go on past maxInflight batches', async () => {
  // a checkpoint holds the store for 0.5-2 s while lines keep coming a few hundred at a time; counting those batches
  // one by one against maxInflight stopped the pipeline (and so early delivery) until the checkpoint ended
  const { real, h, delivered, pipeline } = await setup({ worker: true, maxInflight: 3 });
  try {
    pipeline.push([block([line(1)])]);
    await pipeline.drained();
    h.hold();
    let n = 1;
    for (let b = 0; b < 30; b++) {
      pipeline.push([block([line(++n), line(++n)])]);
      // a turn of the event loop and a little time, so each block is taken as a batch of its own
      await new Promise((r) => setTimeout(r, 5));
    }
    pipeline.push([block([line(++n, ' TWTEST-ALERT-late')])]);
    await until(() => delivered.length >= 1, 10_000, 'the alert of the 32nd batch delivered while the store is held');
    assert.ok(h.waiting() > 0, 'store writes are waiting on the hold');
    assert.equal(await real.countRows('events'), 1, 'nothing after the first batch is stored yet');
    h.release();
    await pipeline.drained();
    assert.equal(pipeline.error, undefined);
    assert.equal(await real.countRows('events'), n);
    assert.equal(await real.countRows('alerts'), 1);
    const cp = await real.getDoc<Checkpoint>(CHECKPOINT.kind, CHECKPOINT.key);
    assert.deepEqual(cp?.pos, { seg: 1, off });
  } finally {
    h.release();
    await real.close();
  }
});

test('with bulkRecords, batches join a commit while lines keep coming; the rest is committed once the input pauses, or at drained()', async () => {
  const { real, delivered, pipeline } = await setup({ worker: true, bulkRecords: 50, commitDelayMs: 30_000, inputIdleMs: 300 });
  try {
    // the real store thread, its commits counted
    const commits: number[] = [];
    const commitBatch = real.commitBatch.bind(real);
    real.commitBatch = async (b) => {
      commits.push(b.staged?.length ?? 0);
      return commitBatch(b);
    };
    let n = 0;
    for (let b = 0; b < 40; b++) {
      pipeline.push([block([line(++n), line(++n, b === 3 ? ' TWTEST-ALERT-bulk' : '')])]);
      // each block a batch of its own, 5 ms apart: the input does not pause for inputIdleMs
      await new Promise((r) => setTimeout(r, 5));
    }
    // alerts do not wait for the commit
    await until(() => delivered.length >= 1, 10_000, 'the alert delivered');
    const tLast = performance.now();
    await until(async () => (await real.countRows('events')) === n, 10_000, 'every line stored once the input paused');
    assert.ok(performance.now() - tLast < 5_000, 'the last commit began when the input paused, not after commitDelayMs');
    // 40 batches: one commit of at least 50 records, then the remaining ones (not one commit per batch)
    assert.ok(commits.length >= 2 && commits.length <= 3, `commits: ${commits.join(',')}`);
    const cp = await real.getDoc<Checkpoint>(CHECKPOINT.kind, CHECKPOINT.key);
    assert.deepEqual(cp?.pos, { seg: 1, off });

    // drained() does not wait for a commit to grow
    pipeline.push([block([line(++n)])]);
    const t0 = performance.now();
    await pipeline.drained();
    assert.ok(performance.now() - t0 < 5_000);
    assert.equal(await real.countRows('events'), n);
    assert.equal(pipeline.error, undefined);
  } finally {
    await real.close();
  }
});
