import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { generateAccessActivity } from '../../src/drill/access-activity.js';
import { AccessMonitor, accessOperators, learnModels, loadModels, saveModels } from '../../src/pipeline/access.js';
import type { Alert } from '../../src/model/alert.js';

test('models round-trip through the store; learning again replaces them; the service capability lists profiles', async () => {
  const act = generateAccessActivity({ seed: 4, operators: 12, history_days: 35, days: 7, plants_per_kind: 1 });
  const set = learnModels(act.history);
  const store = await DuckDbStore.open(':memory:');
  try {
    assert.equal(await loadModels(store), undefined);
    await saveModels(store, set);
    const back = await loadModels(store);
    assert.deepEqual(back, JSON.parse(JSON.stringify(set)));
    // the stored models score exactly like the fresh ones
    const run = (models: typeof set) => {
      const m = new AccessMonitor({ models, warrants: act.warrants, site: act.site.access });
      const out: Alert[] = [];
      act.events.forEach((e, i) => out.push(...m.process(e, { file: 'a', line: i + 1 })));
      return [...out, ...m.flush()].map((a) => a.id);
    };
    assert.deepEqual(run(back!), run(set));
    // learning from a smaller history replaces the set: operators no longer in it are gone
    const few = learnModels(act.history.filter((e) => e.operator === act.operators[0].name), {}, new Date('2030-01-01T00:00:00Z'));
    await saveModels(store, few);
    const now = await loadModels(store);
    assert.deepEqual(Object.keys(now!.operators), [act.operators[0].name.toLowerCase()]);
    assert.equal(now!.learned_at, '2030-01-01T00:00:00.000Z');
    const ops = await accessOperators(store);
    assert.equal(ops.length, 1);
    assert.equal(ops[0].operator, act.operators[0].name);
    assert.match(ops[0].profile.usual_hours, /UTC/);
  } finally {
    await store.close();
  }
});

test('the monitor closes operator-hours as event time advances, so a live tail gets anomalies without a flush', () => {
  const act = generateAccessActivity({ seed: 8, operators: 10, history_days: 35, days: 10, plants_per_kind: 3 });
  const models = learnModels(act.history);
  const m = new AccessMonitor({ models, warrants: act.warrants, site: act.site.access });
  let streamed = 0;
  act.events.forEach((e, i) => { streamed += m.process(e, { file: 'tail', line: i + 1 }).filter((a) => a.rule.kind === 'behaviour_anomaly').length; });
  const atEnd = m.flush().filter((a) => a.rule.kind === 'behaviour_anomaly').length;
  assert.ok(streamed >= 1, 'anomalies come out while events stream');
  assert.ok(atEnd <= 1, 'only the last hours wait for the flush');
  assert.equal(m.size.open_hours, 0);
  assert.equal(m.stats.events, act.events.length);
  assert.deepEqual(m.advance('2100-01-01T00:00:00Z'), []);
});
