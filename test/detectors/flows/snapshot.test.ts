import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../../../src/drill/generate.js';
import { FlowAnalytics, readFlowFiles } from '../../../src/pipeline/flows.js';
import { loadSite } from '../../../src/site/load.js';
import type { FlowRecord } from '../../../src/model/flow.js';
import { upgradeCur } from '../../../src/detectors/flows/volume.js';

// A scale-out partition moves between processes with its detectors' snapshot: the flow analytics split at any
// point and restored into a fresh instance must decide exactly as one instance over the whole stream.
test('flow analytics state survives a snapshot/restore into another instance (drill flows, split mid-stream)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-flowsnap-'));
  try {
    await generateDataset({ seed: '5', scenario: 'loud', devices: 6, days: 3, out: dir });
    const site = loadSite(join(dir, 'tidewatch.yml'));
    const pcaps = readdirSync(join(dir, 'flows')).sort().map((f) => join(dir, 'flows', f));
    const { records } = await readFlowFiles(pcaps);
    const flows = records as FlowRecord[];
    assert.ok(flows.length > 1000);
    const ids = (as: { id: string }[]) => as.map((a) => a.id);
    const whole = new FlowAnalytics({ site });
    const reference: string[] = [];
    for (let i = 0; i < flows.length; i += 500) reference.push(...ids(whole.process(flows.slice(i, i + 500))));
    assert.ok(reference.length > 0, 'the drill flows raise alerts');
    for (const cut of [Math.floor(flows.length / 3), Math.floor((flows.length * 2) / 3)]) {
      const a = new FlowAnalytics({ site });
      const got = ids(a.process(flows.slice(0, cut)));
      const state = JSON.parse(JSON.stringify(a.snapshot())) as unknown; // as it travels: JSON in the KV bucket
      const b = new FlowAnalytics({ site });
      b.restore(state);
      got.push(...ids(b.process(flows.slice(cut))));
      assert.deepEqual(new Set(got), new Set(reference), `split at ${cut}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** 24 flows every 5 minutes from one host to one external address and port, on new sessions: a beacon. */
function beaconFlows(): FlowRecord[] {
  return Array.from({ length: 24 }, (_, i) => ({
    exporter: '10.9.0.1', time_start: new Date(Date.UTC(2026, 9, 20, 1, 0, 0) + i * 300_000).toISOString(),
    time_end: new Date(Date.UTC(2026, 9, 20, 1, 0, 1) + i * 300_000).toISOString(), src_ip: '10.1.1.1', dst_ip: '203.0.113.50',
    src_port: 40000 + i, dst_port: 443, protocol: 6, bytes: 900 + (i % 3), packets: 6, input_if: 1, output_if: 2, tcp_flags: 0x1b, version: 9,
  } as FlowRecord));
}

test('a beacon whose flows straddle the move is found only with the restored state', () => {
  const flows = beaconFlows();
  const one = new FlowAnalytics();
  assert.deepEqual(one.process(flows).map((a) => a.rule.id), ['flows.beacon'], 'one instance sees the beacon');
  const a = new FlowAnalytics();
  assert.deepEqual(a.process(flows.slice(0, 12)), []);
  const moved = new FlowAnalytics();
  moved.restore(JSON.parse(JSON.stringify(a.snapshot())));
  assert.deepEqual(moved.process(flows.slice(12)).map((x) => x.rule.id), ['flows.beacon'], 'the restored instance finishes the series');
  assert.deepEqual(new FlowAnalytics().process(flows.slice(12)), [], 'a cold instance has too few flows to tell');
});

test('a snapshot taken before the interleaved beacon layout (times, bytes, ports arrays) still restores', () => {
  const flows = beaconFlows();
  const a = new FlowAnalytics();
  a.process(flows.slice(0, 12));
  const state = JSON.parse(JSON.stringify(a.snapshot())) as { beacons: { pairs: { $map: [string, { v: number[]; last: number }][] } } };
  // rewrite each series the way the older version stored it
  state.beacons.pairs.$map = state.beacons.pairs.$map.map(([k, e]) => {
    const old = { times: [] as number[], bytes: [] as number[], ports: [] as number[], last: e.last };
    for (let i = 0; i < e.v.length; i += 3) { old.times.push(e.v[i]); old.bytes.push(e.v[i + 1]); old.ports.push(e.v[i + 2]); }
    return [k, old] as unknown as [string, { v: number[]; last: number }];
  });
  assert.equal(state.beacons.pairs.$map.length, 1);
  const moved = new FlowAnalytics();
  moved.restore(state);
  assert.deepEqual(moved.process(flows.slice(12)).map((x) => x.rule.id), ['flows.beacon']);
});

test('a volume window entry in the older layout (a Map of sources) converts with its sources in order', () => {
  const e = upgradeCur({ bytes: 700, flows: 3, srcs: new Map([['10.0.0.1', 500], ['10.0.0.2', 200]]), alerted: false });
  assert.deepEqual(e, { bytes: 700, flows: 3, ips: ['10.0.0.1', '10.0.0.2'], by: [500, 200], alerted: false });
  assert.equal(upgradeCur(e), e, 'the current layout is kept as it is');
});
