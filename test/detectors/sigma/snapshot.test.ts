// Correlation state moves between processes (scale-out detectors): snapshot() in one engine, restore() in a fresh
// one, through JSON, and windows that spanned the move still decide as if nothing had happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineOf } from './helpers.js';
import type { Event } from '../../../src/model/event.js';

const FAIL = `title: sshd failed password
name: ssh_fail
logsource: {product: test}
detection: {sel: {msg|contains: Failed password}, condition: sel}
`;
const corr = (body: string) => `title: corr\nname: corr\nlevel: high\ncorrelation:\n${body.split('\n').map((l) => '  ' + l).join('\n')}\n`;
const at = (min: number) => new Date(Date.UTC(2026, 10, 23, 10, min)).toISOString();
const fail = (min: number, src_ip = '203.0.113.9'): Event => ({ time: at(min), msg: 'Failed password for alice', src_ip });

for (const [name, body, fires] of [
  ['event_count (fires as soon as it holds)', 'type: event_count\nrules: [ssh_fail]\ngroup-by: [src_ip]\ntimespan: 5m\ncondition: {gte: 5}', 1],
  ['event_count lt (decided when the window closes)', 'type: event_count\nrules: [ssh_fail]\ngroup-by: [src_ip]\ntimespan: 5m\ncondition: {lt: 6}', 1],
] as const) {
  test(`snapshot/restore keeps open windows: ${name}`, () => {
    const rules = [FAIL, corr(body)].join('---\n');
    const events = [0, 1, 2, 3, 4].map((m) => fail(m));
    const late = fail(20, '198.51.100.1'); // advances the event clock past the window
    // reference: one engine sees everything
    const one = engineOf(rules);
    const ref = [...events, late].flatMap((e, i) => one.process(e, { file: 'x', line: i + 1 })).filter((m) => m.kind === 'correlation');
    // moved: the first three events in engine A, its state through JSON into engine B, the rest in B
    const a = engineOf(rules);
    const before = events.slice(0, 3).flatMap((e, i) => a.process(e, { file: 'x', line: i + 1 })).filter((m) => m.kind === 'correlation');
    const state = JSON.parse(JSON.stringify(a.snapshot()));
    const b = engineOf(rules);
    b.restore(state);
    const after = [...events.slice(3), late].flatMap((e, i) => b.process(e, { file: 'x', line: i + 4 })).filter((m) => m.kind === 'correlation');
    assert.equal(ref.length, fires);
    assert.deepEqual([...before, ...after].map((m) => [m.time, m.correlation?.value, m.correlation?.events.length]), ref.map((m) => [m.time, m.correlation?.value, m.correlation?.events.length]));
    // without the restore, the window that spanned the move decides differently (no fire, or a smaller count)
    const c = engineOf(rules);
    const lost = [...events.slice(3), late].flatMap((e) => c.process(e)).filter((m) => m.kind === 'correlation');
    assert.notDeepEqual(lost.map((m) => m.correlation?.value), ref.map((m) => m.correlation?.value));
  });
}
