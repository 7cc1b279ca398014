import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessMonitor } from '../../../src/detectors/access/monitor.js';
import {
  activityShare, HourBucket, hourOfWeek, learnAccessModels, usualHours, Window60, type AccessModelSet,
} from '../../../src/detectors/access/model.js';
import { accessAlertRecord } from '../../../src/detectors/access/alerts.js';
import type { AccessEvent } from '../../../src/model/access.js';
import type { Alert } from '../../../src/model/alert.js';

const H = 3_600_000;
const MON = Date.parse('2026-09-07T00:00:00Z'); // a Monday

/** Eight weeks of a steady analyst: weekdays 09:00-17:00 UTC, 2-6 searches an hour over a pool of 30 subscribers. */
function history(name = 'asmith'): AccessEvent[] {
  const out: AccessEvent[] = [];
  let k = 0;
  for (let d = 0; d < 56; d++) {
    const day = MON + d * 24 * H;
    if (new Date(day).getUTCDay() === 0 || new Date(day).getUTCDay() === 6) continue;
    for (let h = 9; h < 17; h++) {
      const n = 2 + ((d * 7 + h * 3) % 5);
      for (let i = 0; i < n; i++) {
        const t = day + h * H + Math.floor((i + 0.5) * (H / n));
        out.push({ time: new Date(t).toISOString(), system: 'cdr-warehouse', operator: name, src_ip: '10.20.1.21', action: 'search', targets: [`+1202555${String(1000 + (k++ % 30))}`], records: 20 + (k % 50), result: 'success' });
      }
    }
  }
  return out;
}

function check(models: AccessModelSet, events: AccessEvent[]): Alert[] {
  const m = new AccessMonitor({ models });
  const out: Alert[] = [];
  events.forEach((e, i) => out.push(...m.process(e, { file: 'new.jsonl', line: i + 1 })));
  out.push(...m.flush());
  return out;
}

function burst(startIso: string, n: number, minutes: number, extra: Partial<AccessEvent> = {}, distinct = true): AccessEvent[] {
  const s = Date.parse(startIso);
  return Array.from({ length: n }, (_, i) => ({
    time: new Date(s + Math.floor((i * minutes * 60_000) / n)).toISOString(), system: 'cdr-warehouse', operator: 'asmith', src_ip: '10.20.1.21', action: 'search' as const,
    targets: [distinct ? `+1303555${String(i).padStart(4, '0')}` : '+12025551000'], records: 30, result: 'success' as const, ...extra,
  }));
}

test('learning: hours of the week, usual hours, percentiles and the day boundary', () => {
  const set = learnAccessModels(history(), {}, new Date('2026-11-01T00:00:00Z'));
  const m = set.operators.asmith;
  assert.equal(m.weeks, 8);
  assert.equal(m.how[hourOfWeek(Math.floor((MON + 10 * H) / H))], 8, 'Monday 10:00 active in all 8 weeks');
  assert.equal(m.how[6 * 24 + 3], 0, 'Sunday 03:00 never');
  assert.equal(usualHours(m), 'usually 09:00 to 17:00 UTC on weekdays');
  assert.ok(activityShare(m, 6 * 24 + 3) === 0 && activityShare(m, 24 * 2 + 12) === 1);
  assert.equal(m.hour.searches.max, 6);
  assert.ok(m.hour.searches.p99 >= 5 && m.hour.searches.p99 <= 6);
  assert.ok(m.day_start_hour < 6 || m.day_start_hour > 20, `day starts in the night (${m.day_start_hour})`);
  assert.equal(m.active_days, 40);
  assert.deepEqual(Object.keys(m.systems), ['cdr-warehouse']);
  assert.equal(set.history.operators, 1);
  assert.equal(set.population.active_hours, m.active_hours);
  assert.equal(set.learned_at, '2026-11-01T00:00:00.000Z');
});

test('a night-time mass search scores high with reasons in words; an ordinary hour does not alert', () => {
  const set = learnAccessModels(history());
  const normal = burst('2026-11-03T10:05:00Z', 5, 50); // a Tuesday morning, 5 searches
  assert.deepEqual(check(set, normal), []);
  const night = burst('2026-11-08T02:00:00Z', 140, 55); // Sunday 02:00
  const a = check(set, night);
  assert.equal(a.length, 1);
  const r = accessAlertRecord(a[0]);
  assert.equal(r.kind, 'behaviour_anomaly');
  assert.equal(r.operator, 'asmith');
  assert.equal(r.severity, 'critical');
  assert.ok((r.score as number) >= 4);
  const text = (r.reasons as string[]).join('\n');
  assert.match(text, /searched or exported 140 distinct subscribers in the 60 minutes from 02:00:00 to 02:54:36 UTC; this operator's 99th percentile is \d per hour/);
  assert.match(text, /between 02:00 and 03:00 UTC on a Sunday, an hour this operator worked in 0 of 8 weeks of history; usually 09:00 to 17:00 UTC on weekdays/);
  assert.deepEqual((r.source as { lines: number[] }).lines, Array.from({ length: 140 }, (_, i) => i + 1));
  assert.deepEqual(a[0].attack, ['T1213', 'T1078']);
});

test('a burst that straddles a clock hour counts whole, and its alert names lines from both hours', () => {
  const set = learnAccessModels(history());
  const events = burst('2026-11-03T10:40:00Z', 30, 50); // 10:40 to 11:30
  const a = check(set, events);
  assert.ok(a.length >= 1);
  const last = accessAlertRecord(a[a.length - 1]);
  const lines = (last.source as { lines: number[] }).lines;
  assert.equal(lines.length, 30, 'the 60-minute window reaches back into the previous hour');
  assert.match((last.reasons as string[]).join(' '), /ran 30 searches in the 60 minutes from 10:40:00 to 11:28:20 UTC/);
  // the same 30 searches spread over four hours are ordinary
  assert.deepEqual(check(set, burst('2026-11-03T10:00:00Z', 24, 240)), []);
});

test('novelty: a new source alone is not enough; a new system from a new source at night is', () => {
  const set = learnAccessModels(history());
  const day = burst('2026-11-03T11:00:00Z', 3, 30, { src_ip: '10.20.1.22' });
  assert.deepEqual(check(set, day), []);
  const night = burst('2026-11-07T03:10:00Z', 3, 30, { system: 'li-admin', src_host: 'li-jump-02', src_ip: '10.20.0.12' }, false);
  const a = check(set, night);
  assert.equal(a.length, 1);
  const text = a[0].reasons!.join(' ');
  assert.match(text, /used li-admin, a system this operator never used in history \(usually cdr-warehouse\)/);
  assert.match(text, /worked from li-jump-02 \(10\.20\.0\.12\), a source this operator never used in history/);
  assert.equal((text.match(/a source this operator never used/g) ?? []).length, 1, 'one source counted once');
});

test('a large export against the operator\'s own export sizes, and daily volumes spread over the day', () => {
  const hist = history();
  // the analyst exports 1-3 MB a few times a week
  for (let d = 0; d < 56; d += 2) hist.push({ time: new Date(MON + d * 24 * H + 14 * H).toISOString(), system: 'cdr-warehouse', operator: 'asmith', src_ip: '10.20.1.21', action: 'export', targets: ['+12025551001'], bytes: 1_000_000 + (d % 3) * 1_000_000, result: 'success' });
  const set = learnAccessModels(hist);
  const a = check(set, [{ time: '2026-11-03T14:10:00Z', system: 'cdr-warehouse', operator: 'asmith', src_ip: '10.20.1.21', action: 'export', targets: ['+12025551001'], bytes: 40_000_000, result: 'success' }]);
  assert.equal(a.length, 1);
  assert.match(a[0].reasons!.join(' '), /made an export of 40\.0 MB .* 99th percentile export is \d\.\d MB/);
  assert.ok(a[0].attack.includes('T1048'));
  // 10 new subscribers an hour for twelve hours: no hour is far above the operator's, the day is
  const spread = burst('2026-11-04T07:00:00Z', 120, 12 * 60);
  const d = check(set, spread);
  assert.equal(d.length, 1);
  assert.match(d[0].reasons!.join(' '), /(ran \d+ searches|searched \d+ distinct subscribers) so far in this operator's day .* daily 99th percentile is \d+/);
  assert.ok((accessAlertRecord(d[0]).source as { lines: number[] }).lines.length > 60, 'a daily alert names the day\'s lines');
});

test('operators without history are scored against the population; the threshold can be raised', () => {
  const set = learnAccessModels([...history('asmith'), ...history('bjones')]);
  const stranger = burst('2026-11-08T02:00:00Z', 60, 50).map((e) => ({ ...e, operator: 'newbie' }));
  const a = check(set, stranger);
  const anomaly = a.find((x) => x.rule.kind === 'behaviour_anomaly')!;
  assert.match(anomaly.reasons!.join(' '), /the population's \(no history for this operator\) 99th percentile/);
  const m = new AccessMonitor({ models: set, params: { threshold: 1000 } });
  const out: Alert[] = [];
  stranger.forEach((e, i) => out.push(...m.process(e, { file: 'x', line: i + 1 })));
  out.push(...m.flush());
  assert.equal(out.filter((x) => x.rule.kind === 'behaviour_anomaly').length, 0);
});

test('Window60 keeps counts over the trailing hour', () => {
  const w = new Window60();
  w.add(0, true, 10, ['a']);
  w.add(30 * 60_000, true, 5, ['a', 'b']);
  assert.deepEqual([w.searches, w.records, w.counts.size], [2, 15, 2]);
  w.add(61 * 60_000, false, 1, ['c']);
  assert.deepEqual([w.searches, w.records, w.counts.size, w.start], [1, 6, 3, 30 * 60_000]);
  w.add(200 * 60_000, true, 0, []);
  assert.deepEqual([w.searches, w.records, w.counts.size], [1, 0, 0]);
});

test('Window60 keeps counts right past its compaction (over 512 evicted events, targets in one flat list)', () => {
  const w = new Window60();
  // 2,000 events a minute apart, each with 0 to 2 targets: the window holds the last 60 minutes only
  const ev = (i: number) => (i % 3 === 0 ? [] : i % 3 === 1 ? [`t${i % 7}`] : [`t${i % 7}`, `u${i % 5}`]);
  for (let i = 0; i < 2000; i++) w.add(i * 60_000, i % 2 === 0, i, ev(i));
  const inWindow = Array.from({ length: 60 }, (_, k) => 1940 + k);
  const counts = new Map<string, number>();
  for (const i of inWindow) for (const x of ev(i)) counts.set(x, (counts.get(x) ?? 0) + 1);
  assert.equal(w.searches, inWindow.filter((i) => i % 2 === 0).length);
  assert.equal(w.records, inWindow.reduce((a, i) => a + i, 0));
  assert.equal(w.start, 1940 * 60_000);
  assert.deepEqual(new Map([...w.counts].sort()), new Map([...counts].sort()));
});

test('a reused hour bucket (reset) counts exactly like a new one', () => {
  const evs: AccessEvent[] = [
    { time: '', system: 'cdr', operator: 'a', action: 'search', targets: ['1'], records: 5, src_host: 'jump1', src_ip: '10.0.0.1', result: 'success' },
    { time: '', system: 'li', operator: 'a', action: 'export', targets: ['1', '2'], bytes: 900, records: 2, src_ip: '10.0.0.2', result: 'success' },
    { time: '', system: 'li', operator: 'a', action: 'provision_intercept', targets: ['3'], result: 'success' },
  ];
  const fill = (b: HourBucket, base: number, list: AccessEvent[]) => {
    const win = new Window60();
    list.forEach((e, i) => b.add(e, base + i * 60_000, e.targets, win));
    return b;
  };
  const state = (b: HourBucket) => ({
    hour: b.hour, events: b.events, searches: b.searches, records: b.records, export_bytes: b.export_bytes, max_export: b.max_export,
    provisions: b.provisions, targets: [...b.targets], peak: { ...b.peak }, peakFrom: { ...b.peakFrom }, peakTo: { ...b.peakTo },
    hosts: [...b.hosts], systems: [...b.systems], actions: [...b.actions],
  });
  const used = fill(new HourBucket(10), 10 * H, [...evs].reverse());
  const reused = fill(used.reset(11), 11 * H, evs.slice(0, 2));
  const fresh = fill(new HourBucket(11), 11 * H, evs.slice(0, 2));
  assert.deepEqual(state(reused), state(fresh));
  assert.equal(reused.provisions, 0);
});

test('process returns one shared, empty result for events that raise nothing', () => {
  const mon = new AccessMonitor({});
  const a = mon.process({ time: '2026-09-07T10:00:00Z', system: 'cdr', operator: 'a', action: 'search', targets: ['1'], result: 'success' }, { file: 'f', line: 1 });
  const b = mon.process({ time: '2026-09-07T10:01:00Z', system: 'cdr', operator: 'a', action: 'search', targets: ['2'], result: 'success' }, { file: 'f', line: 2 });
  assert.equal(a.length, 0);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
});
