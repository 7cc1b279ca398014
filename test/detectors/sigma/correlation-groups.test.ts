// Correlation groups as the hot path keeps them (groupKey instead of a JSON key per event, generations instead
// of deletes): values that differ only in type or in separator characters stay apart, groups idle for more than
// a timespan start over, and snapshots written by earlier versions (groups keyed by JSON) still restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineOf } from './helpers.js';
import { groupKey } from '../../../src/detectors/sigma/correlation.js';
import type { Event } from '../../../src/model/event.js';

const HIT = `title: hit
name: hit
logsource: {product: test}
detection: {sel: {msg|contains: hit}, condition: sel}
`;
const corr = (body: string) => `title: corr\nname: corr\nlevel: high\ncorrelation:\n${body.split('\n').map((l) => '  ' + l).join('\n')}\n`;
const at = (min: number) => new Date(Date.UTC(2026, 10, 23, 10, 0) + min * 60_000).toISOString();
const fires = (rules: string, events: Event[]) => {
  const e = engineOf(rules);
  return events.flatMap((ev, i) => e.process(ev, { file: 'x', line: i + 1 })).filter((m) => m.kind === 'correlation');
};

test('group keys keep values apart that a joined string would merge', () => {
  assert.notEqual(groupKey([1]), groupKey(['1']));
  assert.notEqual(groupKey(['a\u0001b', 'c']), groupKey(['a', 'b\u0001c']));
  assert.notEqual(groupKey(['\u0000J{}']), groupKey([{}]));
  assert.notEqual(groupKey(['x', 1]), groupKey(['x', '1']));
  assert.equal(groupKey(['r1', 'alice']), groupKey(['r1', 'alice']));
  // two fields: 'a\u0001b' + 'c' and 'a' + 'b\u0001c' are different groups, so neither reaches 2 events
  const rules = [HIT, corr('type: event_count\nrules: [hit]\ngroup-by: [host, user]\ntimespan: 5m\ncondition: {gte: 2}')].join('---\n');
  const split = fires(rules, [{ time: at(0), msg: 'hit', host: 'a\u0001b', user: 'c' }, { time: at(1), msg: 'hit', host: 'a', user: 'b\u0001c' }]);
  assert.equal(split.length, 0);
  const same = fires(rules, [{ time: at(0), msg: 'hit', host: 'a', user: 'b' }, { time: at(1), msg: 'hit', host: 'a', user: 'b' }]);
  assert.equal(same.length, 1);
  // a number and its string form are different values (as the JSON key told them apart)
  const one = [HIT, corr('type: event_count\nrules: [hit]\ngroup-by: [port]\ntimespan: 5m\ncondition: {gte: 2}')].join('---\n');
  assert.equal(fires(one, [{ time: at(0), msg: 'hit', port: 22 }, { time: at(1), msg: 'hit', port: '22' }]).length, 0);
  assert.equal(fires(one, [{ time: at(0), msg: 'hit', port: 22 }, { time: at(1), msg: 'hit', port: 22 }]).length, 1);
});

test('a group idle for longer than the timespan starts over, across generation changes, and busy groups keep counting', () => {
  const rules = [HIT, corr('type: event_count\nrules: [hit]\ngroup-by: [src_ip]\ntimespan: 5m\ncondition: {gte: 3}')].join('---\n');
  const ev = (min: number, src_ip: string): Event => ({ time: at(min), msg: 'hit', src_ip });
  // 10.0.0.1: two events, silence for an hour while other sources churn (many generations), two more: no fire
  const churn = Array.from({ length: 60 }, (_, i) => ev(2 + i, `192.0.2.${i}`));
  assert.equal(fires(rules, [ev(0, '10.0.0.1'), ev(1, '10.0.0.1'), ...churn, ev(70, '10.0.0.1'), ev(71, '10.0.0.1')]).length, 0);
  // three events 2 minutes apart while the clock moves through generations: fires once
  const steady = [0, 2, 4].flatMap((m) => [ev(m, '10.0.0.2'), ev(m + 1, `198.51.100.${m}`)]);
  const f = fires(rules, steady);
  assert.equal(f.length, 1);
  assert.equal(f[0].correlation?.value, 3);
  assert.deepEqual(f[0].correlation?.group, { src_ip: '10.0.0.2' });
});

test('a snapshot keyed by JSON (earlier versions) restores and its windows keep counting', () => {
  const rules = [HIT, corr('type: event_count\nrules: [hit]\ngroup-by: [host, user]\ntimespan: 5m\ncondition: {gte: 3}')].join('---\n');
  const ev = (min: number): Event => ({ time: at(min), msg: 'hit', host: 'r1', user: 'alice' });
  const a = engineOf(rules);
  a.process(ev(0));
  a.process(ev(1));
  const state = JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<typeof a.snapshot>;
  const groups = Object.values(state.correlations)[0].groups;
  assert.equal(groups.length, 1);
  for (const g of groups) g.key = JSON.stringify(g.values); // the old key format
  const b = engineOf(rules);
  b.restore(state);
  const f = b.process(ev(2)).filter((m) => m.kind === 'correlation');
  assert.equal(f.length, 1);
  assert.equal(f[0].correlation?.value, 3);
});
