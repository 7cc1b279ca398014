import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetflowDecoder, DROP_REASONS, isoTime } from '../../../src/parsers/netflow/decoder.js';
import { encodeFlows, encodeTemplates } from '../../../src/util/netflow-encode.js';
import type { FlowRecord } from '../../../src/model/flow.js';

const T0 = Date.UTC(2026, 10, 23, 4, 0, 0);

function flows(n: number, version: 5 | 9 | 10, v6Every = 0): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 0; i < n; i++) {
    const v6 = v6Every > 0 && i % v6Every === 1;
    out.push({
      exporter: '192.0.2.1',
      time_start: new Date(T0 + i * 1000 + (i % 7)).toISOString(),
      time_end: new Date(T0 + i * 1000 + 5000 + (i % 11)).toISOString(),
      src_ip: v6 ? `2001:db8:${i.toString(16)}::1` : `10.${i % 200}.${(i * 7) % 256}.${(i * 13) % 256}`,
      dst_ip: v6 ? '2001:db8::ffff:2' : `198.51.100.${i % 256}`,
      src_port: 1024 + i, dst_port: [22, 443, 53, 161][i % 4], protocol: [6, 6, 17, 17][i % 4],
      bytes: 40 + i * 1013, packets: 1 + (i % 17), input_if: 1 + (i % 5), output_if: 100 + (i % 3), tcp_flags: i % 4 < 2 ? 0x1b : 0,
      version,
    });
  }
  return out;
}

function decodeAll(d: NetflowDecoder, pkts: Buffer[], exporter = '192.0.2.1', now = T0 + 60_000): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const p of pkts) d.decode(p, exporter, now, out);
  return out;
}

test('v5, v9 and IPFIX round-trip every field (IPv4 and IPv6, sampling)', () => {
  for (const version of [5, 9, 10] as const) {
    const input = flows(100, version, version === 5 ? 0 : 3);
    const rate = version === 5 ? 0 : 512;
    const d = new NetflowDecoder();
    const got = decodeAll(d, encodeFlows(version, input, { sourceId: 9, samplingRate: rate, templates: 'first' }));
    const want = input.map((r) => (rate ? { ...r, sampling_rate: rate } : r));
    assert.deepEqual(got, want, `v${version}`);
    const st = d.stats();
    assert.equal(st.records, 100);
    assert.equal(Object.values(st.dropped).reduce((a, b) => a + b, 0), 0, `no drops for v${version}: ${JSON.stringify(st.dropped)}`);
  }
});

test('v5 header sampling interval', () => {
  const d = new NetflowDecoder();
  const got = decodeAll(d, encodeFlows(5, flows(3, 5), { samplingRate: 100 }));
  assert.deepEqual(got.map((r) => r.sampling_rate), [100, 100, 100]);
});

test('data before its template is held and decoded when the template comes', () => {
  for (const version of [9, 10] as const) {
    const d = new NetflowDecoder();
    const data = encodeFlows(version, flows(10, version), { templates: 'none' });
    assert.deepEqual(decodeAll(d, data), [], 'nothing without a template');
    assert.equal(d.stats().pendingNow, data.length);
    const got = decodeAll(d, [encodeTemplates(version)]);
    assert.equal(got.length, 10, `v${version} records released by the template`);
    assert.equal(d.stats().pendingDecoded, data.length);
    assert.equal(d.stats().pendingNow, 0);
  }
});

test('held data expires after the hold time and is counted as no_template', () => {
  const d = new NetflowDecoder({ pendingMaxAgeMs: 5000 });
  decodeAll(d, encodeFlows(9, flows(5, 9), { templates: 'none' }), '192.0.2.1', T0);
  decodeAll(d, [encodeTemplates(9)], '192.0.2.1', T0 + 10_000);
  assert.equal(d.stats().dropped.no_template, 1);
  assert.equal(d.stats().records, 0);
  // and data still waiting at the end of the stream is dropped the same way
  const e = new NetflowDecoder();
  decodeAll(e, encodeFlows(10, flows(5, 10), { templates: 'none' }));
  e.flush();
  assert.equal(e.stats().dropped.no_template, 1);
});

test('hold buffer is bounded', () => {
  const d = new NetflowDecoder({ pendingMaxSets: 10 });
  const pkts = encodeFlows(9, flows(600, 9), { templates: 'none', recordsPerPacket: 5 });
  decodeAll(d, pkts);
  assert.equal(d.stats().pendingNow, 10);
  assert.equal(d.stats().dropped.pending_overflow, pkts.length - 10);
});

test('templates expire when not refreshed', () => {
  const d = new NetflowDecoder({ templateTimeoutMs: 60_000 });
  const pkts = encodeFlows(9, flows(4, 9), { templates: 'first', recordsPerPacket: 2 });
  assert.equal(decodeAll(d, [pkts[0]], '192.0.2.1', T0).length, 2);
  assert.equal(decodeAll(d, [pkts[1]], '192.0.2.1', T0 + 120_000).length, 0, 'template expired');
  d.flush();
  assert.equal(d.stats().dropped.no_template, 1);
});

test('templates are scoped by exporter and source id', () => {
  const d = new NetflowDecoder();
  // exporter A learns templates with source id 1; the same data from source id 2 or exporter B has none
  decodeAll(d, [encodeTemplates(9, { sourceId: 1 })], '192.0.2.1');
  const data = (sid: number) => encodeFlows(9, flows(3, 9), { sourceId: sid, templates: 'none' });
  assert.equal(decodeAll(d, data(1), '192.0.2.1').length, 3);
  assert.equal(decodeAll(d, data(2), '192.0.2.1').length, 0);
  assert.equal(decodeAll(d, data(1), '192.0.2.2').length, 0);
  // a different template under the same id on another exporter does not disturb A
  const other = encodeTemplates(10, { sourceId: 1, templateIds: { v4: 256, v6: 300, options: 301 } });
  decodeAll(d, [other], '192.0.2.2');
  assert.equal(decodeAll(d, data(1), '192.0.2.1').length, 3);
});

/** IPFIX message from raw sets. */
function ipfix(sets: Buffer[], domain = 0): Buffer {
  const body = Buffer.concat(sets);
  const h = Buffer.alloc(16);
  h.writeUInt16BE(10, 0);
  h.writeUInt16BE(16 + body.length, 2);
  h.writeUInt32BE(Math.floor(T0 / 1000), 4);
  h.writeUInt32BE(domain, 12);
  return Buffer.concat([h, body]);
}
function set(id: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(4);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(4 + body.length, 2);
  return Buffer.concat([h, body]);
}
const u16 = (...v: number[]) => { const b = Buffer.alloc(2 * v.length); v.forEach((x, i) => b.writeUInt16BE(x, 2 * i)); return b; };
const u32 = (...v: number[]) => { const b = Buffer.alloc(4 * v.length); v.forEach((x, i) => b.writeUInt32BE(x >>> 0, 4 * i)); return b; };

test('IPFIX: enterprise elements and variable-length fields are skipped correctly', () => {
  // template 400: src4, [enterprise 29305 elem 1, 8 bytes], varlen interfaceName (82), dst4, [enterprise 9 elem 12235, varlen], octetDeltaCount(4)
  const tpl = set(2, u16(400, 6), u16(8, 4), u16(0x8001, 8), u32(29305), u16(82, 65535), u16(12, 4), u16(0x8000 | 12235, 65535), u32(9), u16(1, 4));
  const rec1 = Buffer.concat([Buffer.from([10, 0, 0, 1]), Buffer.alloc(8, 0xee), Buffer.from([3]), Buffer.from('ge0'), Buffer.from([192, 0, 2, 7]), Buffer.from([255]), u16(300), Buffer.alloc(300, 0x41), u32(1234)]);
  const rec2 = Buffer.concat([Buffer.from([10, 0, 0, 2]), Buffer.alloc(8, 0xee), Buffer.from([0]), Buffer.from([192, 0, 2, 8]), Buffer.from([1, 0x42]), u32(99)]);
  const d = new NetflowDecoder();
  const out = decodeAll(d, [ipfix([tpl, set(400, rec1, rec2, Buffer.alloc(3))])]);
  assert.deepEqual(out.map((r) => [r.src_ip, r.dst_ip, r.bytes]), [['10.0.0.1', '192.0.2.7', 1234], ['10.0.0.2', '192.0.2.8', 99]]);
  assert.equal(d.stats().dropped.bad_record, 0);
});

test('IPFIX: template withdrawal (one id, and all of a kind)', () => {
  const d = new NetflowDecoder();
  decodeAll(d, [encodeTemplates(10)]);
  const data = encodeFlows(10, flows(2, 10), { templates: 'none' });
  assert.equal(decodeAll(d, data).length, 2);
  decodeAll(d, [ipfix([set(2, u16(256, 0))])]);
  assert.equal(decodeAll(d, data).length, 0, 'withdrawn template 256 no longer decodes');
  assert.equal(decodeAll(d, [encodeTemplates(10)]).length, 2, 're-sent template releases the held data');
  assert.equal(decodeAll(d, data).length, 2);
  decodeAll(d, [ipfix([set(2, u16(2, 0))])]);
  assert.equal(decodeAll(d, data).length, 0, 'all templates withdrawn');
  assert.equal(d.stats().templateWithdrawals, 2);
});

test('IPFIX options data: sampler table by selector id applies to records that carry it', () => {
  // options template 500: scope selectorId(302, 2), samplingPacketInterval(305, 4), samplingPacketSpace(306, 4)
  const opt = set(3, u16(500, 3, 1), u16(302, 2), u16(305, 4), u16(306, 4));
  const optData = set(500, u16(7), u32(1, 999), u16(8), u32(1, 9));
  // data template 501: src4, dst4, octets(4), selectorId(2)
  const tpl = set(2, u16(501, 4), u16(8, 4), u16(12, 4), u16(1, 4), u16(302, 2));
  const rec = (sel: number) => Buffer.concat([Buffer.from([10, 0, 0, 1]), Buffer.from([10, 0, 0, 2]), u32(100), u16(sel)]);
  const d = new NetflowDecoder();
  const out = decodeAll(d, [ipfix([opt, optData, tpl, set(501, rec(7), rec(8), rec(9))])]);
  assert.deepEqual(out.map((r) => r.sampling_rate), [1000, 10, undefined]);
  assert.equal(d.stats().optionRecords, 2);
});

test('hostile packets are dropped by reason, never thrown, never stall', () => {
  const d = new NetflowDecoder();
  const v9tpl = encodeTemplates(9);
  const cases: [Buffer, string][] = [
    [Buffer.alloc(0), 'truncated'],
    [Buffer.from([0, 9, 0]), 'truncated'],
    [Buffer.from([0, 7, 0, 1, 0, 0]), 'bad_version'],
    [Buffer.concat([u16(5, 0), Buffer.alloc(70)]), 'bad_count'],
    [Buffer.concat([u16(5, 3), Buffer.alloc(22)]), 'truncated'],
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(256, 2000)]), 'bad_length'], // set longer than packet
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(0, 2)]), 'bad_length'], // set length < 4
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(0, 12, 300, 65000), u16(8, 4)]), 'bad_template'], // huge field count
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(0, 16, 300, 2), u16(8, 0, 12, 0)]), 'bad_template'], // zero-length record
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(0, 12, 301, 1), u16(8, 65535)]), 'bad_template'], // varlen in v9
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(0, 12, 5, 1), u16(8, 4)]), 'bad_template'], // template id < 256
    [Buffer.concat([u16(9, 1), Buffer.alloc(16), u16(7, 8), u32(0)]), 'reserved_set'],
    [ipfix([]).subarray(0, 12), 'truncated'],
    [(() => { const b = ipfix([set(2, u16(256, 1), u16(8, 4))]); b.writeUInt16BE(5000, 2); return b; })(), 'bad_length'],
    [ipfix([set(3, u16(600, 2, 3), u16(8, 4, 12, 4))]), 'bad_template'], // scope count > field count
    [ipfix([set(2, u16(602, 3), u16(8, 4))]), 'bad_template'], // fields past the set
    [ipfix([set(2, u16(603, 1), u16(82, 65535)), set(603, Buffer.from([255, 0xff]))]), 'bad_record'], // varlen runs past set
  ];
  for (const [pkt, reason] of cases) {
    const before = d.stats().dropped[reason as keyof ReturnType<NetflowDecoder['stats']>['dropped']];
    assert.doesNotThrow(() => d.decode(pkt, '192.0.2.66', T0));
    assert.equal(d.stats().dropped[reason as 'truncated'], before + 1, `${reason} for ${pkt.toString('hex').slice(0, 60)}`);
  }
  // the valid template still works afterwards
  assert.equal(decodeAll(d, [v9tpl, ...encodeFlows(9, flows(3, 9), { templates: 'none' })]).length, 3);
});

test('too many templates for one exporter are refused', () => {
  const d = new NetflowDecoder({ maxTemplatesPerScope: 50 });
  const tpls: Buffer[] = [];
  for (let i = 0; i < 60; i++) tpls.push(u16(1000 + i, 1, 8, 4));
  d.decode(ipfix([set(2, ...tpls)]), '192.0.2.1', T0);
  assert.equal(d.stats().templates, 50);
  assert.equal(d.stats().dropped.template_limit, 1);
});

test('fuzz: 20,000 mutated packets never throw and finish quickly', () => {
  const d = new NetflowDecoder({ pendingMaxSets: 256 });
  const seeds = [
    ...encodeFlows(5, flows(20, 5)), ...encodeFlows(9, flows(30, 9, 3), { samplingRate: 10 }),
    ...encodeFlows(10, flows(30, 10, 3), { samplingRate: 10 }),
    ipfix([set(2, u16(700, 3), u16(8, 4), u16(82, 65535), u16(0x8001, 65535), u32(29305)), set(700, Buffer.from([1, 2, 3, 4, 2, 0x41, 0x42, 1, 0]))]),
  ];
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const started = Date.now();
  let records = 0;
  for (let i = 0; i < 20000; i++) {
    const base = seeds[i % seeds.length];
    const b = Buffer.from(base);
    const kind = i % 4;
    if (kind === 0) for (let k = 0; k < 1 + rnd() * 8; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    else if (kind === 1) b.writeUInt16BE(Math.floor(rnd() * 65536), 2 + 2 * Math.floor(rnd() * Math.min(20, b.length / 2 - 2)));
    const pkt = kind === 2 ? b.subarray(0, Math.floor(rnd() * b.length)) : kind === 3 ? Buffer.concat([b, Buffer.alloc(Math.floor(rnd() * 64), 0xff)]) : b;
    const out = d.decode(pkt, `192.0.2.${i % 5}`, T0 + i);
    records += out.length;
    for (const r of out) {
      assert.equal(typeof r.src_ip, 'string');
      assert.ok(Number.isFinite(r.bytes) && r.bytes >= 0);
      assert.ok(!Number.isNaN(Date.parse(r.time_start)));
    }
  }
  const st = d.stats();
  assert.equal(st.packets, 20000);
  assert.ok(records > 1000, `some mutated packets still decode (${records})`);
  assert.ok(DROP_REASONS.filter((r) => st.dropped[r] > 0).length >= 4, JSON.stringify(st.dropped));
  assert.ok(Date.now() - started < 20000, 'no stall');
});

test('isoTime (cached per second) formats exactly as Date#toISOString', () => {
  const edge = [0, 1, 999, 1000, 59_999, T0, T0 + 7, T0 + 64_000, T0 + 64_000 + 5, 253402300799999, 253402300800000, 8.64e15, 1.5, T0 + 0.25];
  let seed = 7;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
  const random = Array.from({ length: 5000 }, (_, i) => (i % 2 ? T0 + (rnd() % 200_000) : rnd() * 1000 + (rnd() % 1000)));
  // twice, so the second pass runs on cached prefixes (and slots reused by other seconds)
  for (const t of [...edge, ...random, ...random.slice().reverse(), ...edge]) assert.equal(isoTime(t), new Date(t).toISOString(), `time ${t}`);
});
