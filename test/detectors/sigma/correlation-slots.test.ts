// The correlation state keeps groups and entries in typed arrays (bench/hunt round 9). Against the state as it was
// before (correlation-reference.ts, the object-per-entry version, kept verbatim), over long random streams: the
// same fires (times, groups, windows, values, event lists with times and source lines), the same counters, the
// same snapshots, and the same after both are restored from a snapshot mid-stream. The streams have out-of-order
// events, group-by values of every kind (numbers, separator characters, NUL-leading strings, objects, absent),
// values that are not numbers, event times the state can rebuild from ms and times it cannot, source refs as
// objects (with and without `lines`), as processAt's file and line, and absent; hundreds of groups (the tables
// grow past their first 64 slots, and rotations free and reuse slots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineOf } from './helpers.js';
import { ReferenceCorrelationState } from './correlation-reference.js';
import { CorrelationState, type CorrelationFire } from '../../../src/detectors/sigma/correlation.js';
import { isoFromMs } from '../../../src/parsers/syslog/time.js';
import type { FieldGetter } from '../../../src/detectors/sigma/context.js';
import type { Event, SourceRef } from '../../../src/model/event.js';

const DET = ['a', 'b', 'c'].map((n) => `title: rule ${n}\nname: ${n}\nlogsource: {product: test}\ndetection: {sel: {msg|contains: ${n}}, condition: sel}\n`);
const corr = (body: string) => `title: corr\nname: corr\nlevel: high\ncorrelation:\n${body.split('\n').map((l) => '  ' + l).join('\n')}\n`;

const DEFS: [string, string][] = [
  ['event_count gte, one field', 'type: event_count\nrules: [a]\ngroup-by: [src_ip]\ntimespan: 5m\ncondition: {gte: 3}'],
  ['event_count gte, no group-by', 'type: event_count\nrules: [a, b]\ntimespan: 2m\ncondition: {gte: 6}'],
  ['value_count gte, two fields', 'type: value_count\nrules: [a, b]\ngroup-by: [host, user]\ntimespan: 5m\ncondition: {field: cmd, gte: 3}'],
  ['temporal', 'type: temporal\nrules: [a, b, c]\ngroup-by: [host]\ntimespan: 10m'],
  ['temporal_ordered', 'type: temporal_ordered\nrules: [a, b]\ngroup-by: [src_ip]\ntimespan: 1h'],
  ['event_count lt (decided at window close)', 'type: event_count\nrules: [a]\ngroup-by: [host]\ntimespan: 5m\ncondition: {lt: 3}'],
  ['value_sum gte', 'type: value_sum\nrules: [a, c]\ngroup-by: [host]\ntimespan: 5m\ncondition: {field: bytes, gte: 40}'],
  ['value_avg lt, two fields (window close)', 'type: value_avg\nrules: [a]\ngroup-by: [host, user]\ntimespan: 3m\ncondition: {field: bytes, lt: 9}'],
  ['value_percentile gt (window close)', 'type: value_percentile\nrules: [b]\ngroup-by: [src_ip]\ntimespan: 4m\ncondition: {field: bytes, gt: 5, percentile: 90}'],
  ['temporal, condition eq (window close)', 'type: temporal\nrules: [a, b]\ngroup-by: [user]\ntimespan: 5m\ncondition: {eq: 2}'],
];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  // the high bits (an LCG's low bits repeat with short periods)
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 8; };
}

/** What a fire says (its rule and completing event are the same objects in both states). */
function fireJson(f: CorrelationFire, ev: Event | undefined): string {
  assert.equal(f.last, f.last === undefined ? undefined : ev);
  return JSON.stringify([f.corr.name, f.time, f.group, f.windowStart, f.windowEnd, f.value, f.events, f.source, f.last !== undefined]);
}

for (const [name, body] of DEFS) {
  test(`typed-array correlation state equals the object version: ${name}`, () => {
    const engine = engineOf([...DET, corr(body)].join('---\n'));
    assert.deepEqual(engine.errors, []);
    const state: CorrelationState = engine.correlations[0].state;
    const getters = state as unknown as { groupGetters: FieldGetter[][]; valueGetters: FieldGetter[][] };
    const ref = new ReferenceCorrelationState(state.corr, getters.groupGetters, getters.valueGetters);
    const nRules = state.corr.rules.length;
    const rnd = lcg(0x9d + name.length * 7919);
    const pick = <T>(xs: T[]): T => xs[rnd() % xs.length];
    const ips = Array.from({ length: 160 }, (_, i) => (i % 3 ? `10.${i % 7}.${(i * 13) % 256}.${1 + (i % 250)}` : `192.168.100.${i}`));
    const hosts = [...Array.from({ length: 90 }, (_, i) => `pe${i}-nyc`), 'a\u0001b', '\u0000nul', 22, '22', { x: 1 }, undefined, ''];
    const users = ['alice', 'bob', 'b\u0001c', 'carol', 7, null];
    const cmds = ['show run', 'show ver', 'conf t', 'exit', 5, { c: 1 }, undefined];
    const bytes = [1, 2, 3, 10, 20, '4', 'x', undefined, 0.5];
    let t = Date.UTC(2026, 10, 23, 10, 0, 0);
    let fires = 0;
    for (let i = 0; i < 6000; i++) {
      // mostly forward in time (about 11 hours in all: many generations), sometimes back by up to 2 minutes,
      // rarely no usable time
      t += rnd() % 20 < 1 ? -(rnd() % 120_000) : rnd() % 20_000;
      const time = rnd() % 200 === 0 ? undefined : rnd() % 200 === 0 ? NaN : t;
      const ev = { msg: 'x', src_ip: rnd() % 50 ? pick(ips) : undefined, host: pick(hosts), user: pick(users), cmd: pick(cmds), bytes: pick(bytes) } as Event;
      // the ISO time: as the parser makes it (isoFromMs just before), the same text made otherwise, or a form
      // isoFromMs does not give (kept as it is)
      const k = rnd() % 10;
      const evTime: string = time === undefined || Number.isNaN(time) ? 'no time' : k < 6 ? isoFromMs(time) : k < 8 ? (isoFromMs(time + 1), new Date(time).toISOString()) : new Date(time).toISOString().slice(0, 19) + 'Z';
      const r = rnd() % nRules;
      const sk = rnd() % 8;
      let got: CorrelationFire[], want: CorrelationFire[];
      if (sk < 3) {
        // processAt: file and line, the ref made only for a fire
        const line = i + 1;
        got = state.add(r, ev, time, evTime, undefined, 'in.log', line);
        want = ref.add(r, ev, time, evTime, { file: 'in.log', line });
      } else {
        const src: SourceRef | undefined = sk < 5 ? { file: 'other.log', line: i + 1 } : sk < 6 ? { file: 'x', line: i, lines: [i] } : undefined;
        got = state.add(r, ev, time, evTime, src);
        want = ref.add(r, ev, time, evTime, src);
      }
      assert.deepEqual(got.map((f) => fireJson(f, ev)), want.map((f) => fireJson(f, ev)), `insert ${i}`);
      fires += got.length;
      if (rnd() % 40 === 0) {
        const c = state.closeWindows(t), w = ref.closeWindows(t);
        assert.deepEqual(c.map((f) => fireJson(f, undefined)), w.map((f) => fireJson(f, undefined)), `close at ${i}`);
        fires += c.length;
      }
      if (i % 700 === 699) {
        const snap = JSON.stringify(state.snapshot());
        assert.equal(snap, JSON.stringify(ref.snapshot()), `snapshot at ${i}`);
        if (rnd() % 2) {
          // both go on from the snapshot (the typed-array state reuses its slots)
          state.restore(JSON.parse(snap));
          ref.restore(JSON.parse(snap));
          assert.equal(JSON.stringify(state.snapshot()), snap);
        }
      }
    }
    assert.deepEqual(state.counters, ref.counters);
    assert.deepEqual(state.flush().map((f) => fireJson(f, undefined)), ref.flush().map((f) => fireJson(f, undefined)));
    assert.equal(JSON.stringify(state.snapshot()), JSON.stringify(ref.snapshot()));
    // the streams decide something (a comparison of two silent states would prove little)
    assert.ok(fires > 0, `${name}: no fires`);
  });
}

test('the typed-array state rebuilds the event time from ms only when it is the text isoFromMs gives', () => {
  const engine = engineOf([...DET, corr('type: event_count\nrules: [a]\ngroup-by: [host]\ntimespan: 5m\ncondition: {gte: 2}')].join('---\n'));
  const state = engine.correlations[0].state;
  const t = Date.UTC(2026, 10, 23, 10, 0, 0, 123);
  state.add(0, { host: 'r1' }, t, isoFromMs(t));
  // the same ms written differently (a JSON event's own time text) is kept as written
  const f = state.add(0, { host: 'r1' }, t + 1000, '2026-11-23 10:00:01.123Z', undefined, 'f.log', 9);
  assert.equal(f.length, 1);
  assert.deepEqual(f[0].events, [
    { time: '2026-11-23T10:00:00.123Z', rule: 'a', file: undefined, line: undefined },
    { time: '2026-11-23 10:00:01.123Z', rule: 'a', file: 'f.log', line: 9 },
  ]);
  assert.deepEqual(f[0].source, { file: 'f.log', line: 9 });
  // the text isoFromMs gave last, but for other ms (here a fraction more): kept, not rebuilt from the ms
  const u = Date.UTC(2026, 10, 23, 11, 0, 0, 5);
  const text = isoFromMs(u);
  state.add(0, { host: 'r2' }, u + 0.25, text);
  const g = state.add(0, { host: 'r2' }, u + 1000, isoFromMs(u + 1000));
  assert.deepEqual(g[0].events.map((e) => e.time), ['2026-11-23T11:00:00.005Z', '2026-11-23T11:00:01.005Z']);
});
