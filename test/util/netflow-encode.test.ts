import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFlows, encodeTemplates } from '../../src/util/netflow-encode.js';
import { writePcap } from '../../src/util/pcap-write.js';
import type { FlowRecord } from '../../src/model/flow.js';
import { num, tsharkAvailable, tsharkDecode } from '../flows/tshark.js';

function sample(n: number, v6Every = 0): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 0; i < n; i++) {
    const v6 = v6Every > 0 && i % v6Every === 0;
    out.push({
      exporter: '192.0.2.9',
      time_start: new Date(Date.UTC(2026, 10, 23, 4, 0, 0) + i * 1500).toISOString(),
      time_end: new Date(Date.UTC(2026, 10, 23, 4, 0, 7) + i * 1500 + (i % 1000)).toISOString(),
      src_ip: v6 ? `2001:db8::${(i + 1).toString(16)}` : `10.1.${i >> 8 & 255}.${i & 255}`,
      dst_ip: v6 ? '2001:db8:ffff::1' : '198.51.100.7',
      src_port: 1024 + i, dst_port: i % 2 ? 22 : 443, protocol: i % 3 ? 6 : 17,
      bytes: 1000 + i * 37, packets: 1 + (i % 13), input_if: 3, output_if: 7, tcp_flags: 0x1b, version: 9,
    });
  }
  return out;
}

const skip = tsharkAvailable() ? false : 'tshark not installed (CI installs it via .ci/run)';

test('encoded v5, v9 and IPFIX packets decode in tshark to the same counts and sums', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-enc-'));
  try {
    for (const version of [5, 9, 10] as const) {
      const recs = sample(75, version === 5 ? 0 : 6);
      const pkts = encodeFlows(version, recs, { sourceId: 3, samplingRate: version === 5 ? 0 : 64 });
      assert.ok(pkts.length >= 3, `v${version}: ${pkts.length} packets`);
      for (const p of pkts) assert.ok(p.length <= 1464, `v${version} packet of ${p.length} bytes`);
      const file = join(dir, `v${version}.pcap`);
      writePcap(file, pkts.map((payload, i) => ({ time: new Date(Date.UTC(2026, 10, 23, 4, 5) + i), src: '192.0.2.9', dst: '127.0.0.1', srcPort: 40000, dstPort: 2055, payload })));
      const o = tsharkDecode(file);
      assert.equal(o.records.length, recs.length, `v${version} record count`);
      assert.equal(o.records.reduce((s, r) => s + num(r, 'cflow.octets'), 0), recs.reduce((s, r) => s + r.bytes, 0));
      assert.equal(o.records.reduce((s, r) => s + num(r, 'cflow.packets'), 0), recs.reduce((s, r) => s + r.packets, 0));
      const srcs = o.records.map((r) => r.fields.get('cflow.srcaddr')?.[0] ?? r.fields.get('cflow.srcaddrv6')?.[0]);
      assert.deepEqual(srcs, recs.map((r) => r.src_ip));
      if (version !== 5) assert.equal(o.optionRecords, pkts.length, 'one sampling options record per packet');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('template-only packets and templates only in the first packet', () => {
  const t9 = encodeTemplates(9, { sourceId: 1 });
  assert.equal(t9.readUInt16BE(0), 9);
  assert.equal(t9.readUInt16BE(2), 2, 'two template records');
  const t10 = encodeTemplates(10, { samplingRate: 100 });
  assert.equal(t10.readUInt16BE(0), 10);
  assert.equal(t10.readUInt16BE(2), t10.length, 'IPFIX length field equals the message size');
  const pk = encodeFlows(10, sample(60), { templates: 'first' });
  assert.ok(pk.length > 1);
  assert.equal(pk[0].readUInt16BE(16), 2, 'first message starts with a template set');
  assert.equal(pk[1].readUInt16BE(16), 256, 'later messages start with data');
  assert.throws(() => encodeFlows(5, sample(3, 1)), /IPv4 only/);
});
