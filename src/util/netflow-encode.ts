/**
 * Builds NetFlow v5, NetFlow v9 and IPFIX export packets from FlowRecord arrays (the inverse of
 * src/parsers/netflow). Used by the drill generator to write synthetic flow captures, by the tests and by
 * bench/flows to replay traffic. Not on a hot path: clarity over speed.
 *
 * Time fields: v5 and v9 carry flow start/end as milliseconds of the exporter's uptime; the encoder picks
 * an export time (the latest `time_end`, or `exportTime`) and an uptime long enough that every start is
 * positive, so decoding gives back the same millisecond times. IPFIX uses flowStart/EndMilliseconds.
 */
import type { FlowRecord } from '../model/flow.js';
import { parseIp } from './ip.js';

export interface EncodeOptions {
  /** v9 source id / IPFIX observation domain id (v5: engine_id is its low byte). Default 0. */
  sourceId?: number;
  /** First sequence number. v9 counts packets, IPFIX and v5 count data records. Default 0. */
  sequence?: number;
  /** Export time in the header. Default: the latest time_end of the records (or now when empty). */
  exportTime?: Date;
  /** Exporter uptime at export time, in ms (v5/v9). Default: one day, or more if a flow started earlier. */
  sysUptimeMs?: number;
  /** Maximum data records per packet (v5 allows at most 30). Default 30 for v5, 24 otherwise. */
  recordsPerPacket?: number;
  /**
   * Where templates go (v9/IPFIX): 'every' = in each packet before the data (default), 'first' = only in
   * the first packet, 'none' = never (send `encodeTemplates` yourself).
   */
  templates?: 'every' | 'first' | 'none';
  /** Sampling rate (1 in N). v5: in the header; v9/IPFIX: an options template and options record. */
  samplingRate?: number;
  /** Template ids for IPv4 and IPv6 records (v9/IPFIX). Defaults 256 and 257; options template 258. */
  templateIds?: { v4: number; v6: number; options: number };
}

/** Field (information element) ids and lengths of the data templates this encoder writes. */
const V4_FIELDS: [number, number][] = [
  [8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [10, 4], [14, 4], [1, 8], [2, 8],
];
const V6_FIELDS: [number, number][] = [
  [27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [6, 1], [10, 4], [14, 4], [1, 8], [2, 8],
];
/** v9 times: LAST_SWITCHED (21), FIRST_SWITCHED (22), uptime ms. IPFIX: flowStart/EndMilliseconds (152/153). */
const V9_TIME: [number, number][] = [[22, 4], [21, 4]];
const IPFIX_TIME: [number, number][] = [[152, 8], [153, 8]];

const DEFAULT_IDS = { v4: 256, v6: 257, options: 258 };
const MAX_PACKET = 1400;

function ipBytes(s: string, family: 4 | 6, what: string): Buffer {
  const ip = parseIp(s);
  if (!ip || ip.family !== family) throw new Error(`netflow-encode: ${what} "${s}" is not an IPv${family} address`);
  const b = Buffer.alloc(family === 4 ? 4 : 16);
  let v = ip.value;
  for (let i = b.length - 1; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n; }
  return b;
}

function familyOf(r: FlowRecord): 4 | 6 {
  return r.src_ip.includes(':') || r.dst_ip.includes(':') ? 6 : 4;
}

function ms(s: string, what: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`netflow-encode: ${what} "${s}" is not a time`);
  return t;
}

function exportMs(records: readonly FlowRecord[], opts: EncodeOptions): number {
  if (opts.exportTime) return opts.exportTime.getTime();
  let max = -Infinity;
  for (const r of records) max = Math.max(max, ms(r.time_end, 'time_end'));
  return Number.isFinite(max) ? max : Date.now();
}

/** Uptime (ms) so that every flow start lies after boot. */
function uptimeFor(records: readonly FlowRecord[], exportSecMs: number, opts: EncodeOptions): number {
  let min = exportSecMs;
  for (const r of records) min = Math.min(min, ms(r.time_start, 'time_start'));
  const needed = exportSecMs - min + 1000;
  const up = Math.max(opts.sysUptimeMs ?? 86_400_000, needed);
  if (up > 0xffffffff) throw new Error('netflow-encode: flows span more than the 49.7 days a 32-bit uptime can hold');
  return up;
}

function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

function u64(b: Buffer, off: number, v: number): void {
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(v))), off);
}

// ---------------------------------------------------------------------------------------------- v5

/** NetFlow v5 packets (IPv4 only, at most 30 records each). */
export function encodeNetflowV5(records: readonly FlowRecord[], opts: EncodeOptions = {}): Buffer[] {
  const per = Math.min(30, Math.max(1, opts.recordsPerPacket ?? 30));
  const exp = exportMs(records, opts);
  const expSec = Math.floor(exp / 1000);
  const expMsPart = exp - expSec * 1000;
  const up = uptimeFor(records, exp, opts);
  const boot = exp - up;
  let seq = opts.sequence ?? 0;
  const out: Buffer[] = [];
  for (const group of chunk(records, per)) {
    const b = Buffer.alloc(24 + 48 * group.length);
    b.writeUInt16BE(5, 0);
    b.writeUInt16BE(group.length, 2);
    b.writeUInt32BE(up >>> 0, 4);
    b.writeUInt32BE(expSec >>> 0, 8);
    b.writeUInt32BE(expMsPart * 1_000_000, 12);
    b.writeUInt32BE(seq >>> 0, 16);
    b.writeUInt8(0, 20); // engine type
    b.writeUInt8((opts.sourceId ?? 0) & 0xff, 21);
    const rate = opts.samplingRate ?? 0;
    b.writeUInt16BE(rate > 1 ? (0x4000 | (rate & 0x3fff)) : 0, 22);
    group.forEach((r, i) => {
      if (familyOf(r) !== 4) throw new Error(`netflow-encode: NetFlow v5 carries IPv4 only (${r.src_ip} -> ${r.dst_ip})`);
      const o = 24 + i * 48;
      ipBytes(r.src_ip, 4, 'src_ip').copy(b, o);
      ipBytes(r.dst_ip, 4, 'dst_ip').copy(b, o + 4);
      // next hop 0.0.0.0 at o+8
      b.writeUInt16BE(r.input_if & 0xffff, o + 12);
      b.writeUInt16BE(r.output_if & 0xffff, o + 14);
      b.writeUInt32BE(Math.min(0xffffffff, r.packets) >>> 0, o + 16);
      b.writeUInt32BE(Math.min(0xffffffff, r.bytes) >>> 0, o + 20);
      b.writeUInt32BE((ms(r.time_start, 'time_start') - boot) >>> 0, o + 24);
      b.writeUInt32BE((ms(r.time_end, 'time_end') - boot) >>> 0, o + 28);
      b.writeUInt16BE(r.src_port & 0xffff, o + 32);
      b.writeUInt16BE(r.dst_port & 0xffff, o + 34);
      b.writeUInt8(r.tcp_flags & 0xff, o + 37);
      b.writeUInt8(r.protocol & 0xff, o + 38);
    });
    seq += group.length;
    out.push(b);
  }
  return out;
}

// ------------------------------------------------------------------------------------ v9 and IPFIX

interface Built { setBytes: Buffer; records: number }

function templateRecord(id: number, fields: [number, number][]): Buffer {
  const b = Buffer.alloc(4 + 4 * fields.length);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(fields.length, 2);
  fields.forEach(([t, l], i) => { b.writeUInt16BE(t, 4 + 4 * i); b.writeUInt16BE(l, 6 + 4 * i); });
  return b;
}

function set(id: number, body: Buffer[], pad: boolean): Buffer {
  let len = 4 + body.reduce((s, x) => s + x.length, 0);
  const padding = pad ? (4 - (len % 4)) % 4 : 0;
  len += padding;
  const b = Buffer.alloc(len);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(len, 2);
  let o = 4;
  for (const x of body) { x.copy(b, o); o += x.length; }
  return b;
}

/** Template (and, with samplingRate, options template plus its options record) sets for v9 or IPFIX. */
function templateSets(version: 9 | 10, opts: EncodeOptions): Built[] {
  const ids = opts.templateIds ?? DEFAULT_IDS;
  const time = version === 9 ? V9_TIME : IPFIX_TIME;
  const tpl = set(version === 9 ? 0 : 2, [
    templateRecord(ids.v4, [...V4_FIELDS, ...time]),
    templateRecord(ids.v6, [...V6_FIELDS, ...time]),
  ], false);
  const out: Built[] = [{ setBytes: tpl, records: 2 }];
  if (opts.samplingRate && opts.samplingRate > 1) {
    const sourceId = opts.sourceId ?? 0;
    if (version === 9) {
      // options template: id, option scope length, option length, scope (System=1, len 4), options
      const body = Buffer.alloc(6 + 4 + 8);
      body.writeUInt16BE(ids.options, 0);
      body.writeUInt16BE(4, 2);
      body.writeUInt16BE(8, 4);
      body.writeUInt16BE(1, 6); body.writeUInt16BE(4, 8); // scope: System
      body.writeUInt16BE(34, 10); body.writeUInt16BE(4, 12); // SAMPLING_INTERVAL
      body.writeUInt16BE(35, 14); body.writeUInt16BE(1, 16); // SAMPLING_ALGORITHM
      out.push({ setBytes: set(1, [body], true), records: 1 });
      const rec = Buffer.alloc(9);
      rec.writeUInt32BE(sourceId >>> 0, 0);
      rec.writeUInt32BE(opts.samplingRate >>> 0, 4);
      rec.writeUInt8(2, 8); // random sampling
      out.push({ setBytes: set(ids.options, [rec], true), records: 1 });
    } else {
      // IPFIX options template: id, field count, scope field count, fields (first = scope)
      const body = Buffer.alloc(6 + 12);
      body.writeUInt16BE(ids.options, 0);
      body.writeUInt16BE(3, 2);
      body.writeUInt16BE(1, 4);
      body.writeUInt16BE(149, 6); body.writeUInt16BE(4, 8); // observationDomainId (scope)
      body.writeUInt16BE(305, 10); body.writeUInt16BE(4, 12); // samplingPacketInterval
      body.writeUInt16BE(306, 14); body.writeUInt16BE(4, 16); // samplingPacketSpace
      out.push({ setBytes: set(3, [body], false), records: 1 });
      const rec = Buffer.alloc(12);
      rec.writeUInt32BE(sourceId >>> 0, 0);
      rec.writeUInt32BE(1, 4);
      rec.writeUInt32BE((opts.samplingRate - 1) >>> 0, 8);
      out.push({ setBytes: set(ids.options, [rec], false), records: 1 });
    }
  }
  return out;
}

function dataRecord(version: 9 | 10, r: FlowRecord, boot: number): Buffer {
  const fam = familyOf(r);
  const addrLen = fam === 4 ? 4 : 16;
  const b = Buffer.alloc(2 * addrLen + 2 + 2 + 1 + 1 + 4 + 4 + 8 + 8 + (version === 9 ? 8 : 16));
  let o = 0;
  ipBytes(r.src_ip, fam, 'src_ip').copy(b, o); o += addrLen;
  ipBytes(r.dst_ip, fam, 'dst_ip').copy(b, o); o += addrLen;
  b.writeUInt16BE(r.src_port & 0xffff, o); o += 2;
  b.writeUInt16BE(r.dst_port & 0xffff, o); o += 2;
  b.writeUInt8(r.protocol & 0xff, o); o += 1;
  b.writeUInt8(r.tcp_flags & 0xff, o); o += 1;
  b.writeUInt32BE(r.input_if >>> 0, o); o += 4;
  b.writeUInt32BE(r.output_if >>> 0, o); o += 4;
  u64(b, o, r.bytes); o += 8;
  u64(b, o, r.packets); o += 8;
  const s = ms(r.time_start, 'time_start');
  const e = ms(r.time_end, 'time_end');
  if (version === 9) {
    b.writeUInt32BE((s - boot) >>> 0, o); o += 4;
    b.writeUInt32BE((e - boot) >>> 0, o); o += 4;
  } else {
    u64(b, o, s); o += 8;
    u64(b, o, e); o += 8;
  }
  return b;
}

function header(version: 9 | 10, count: number, length: number, up: number, expSec: number, seq: number, sourceId: number): Buffer {
  if (version === 9) {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(9, 0);
    h.writeUInt16BE(count, 2);
    h.writeUInt32BE(up >>> 0, 4);
    h.writeUInt32BE(expSec >>> 0, 8);
    h.writeUInt32BE(seq >>> 0, 12);
    h.writeUInt32BE(sourceId >>> 0, 16);
    return h;
  }
  const h = Buffer.alloc(16);
  h.writeUInt16BE(10, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(expSec >>> 0, 4);
  h.writeUInt32BE(seq >>> 0, 8);
  h.writeUInt32BE(sourceId >>> 0, 12);
  return h;
}

function encodeTemplated(version: 9 | 10, records: readonly FlowRecord[], opts: EncodeOptions): Buffer[] {
  const ids = opts.templateIds ?? DEFAULT_IDS;
  const per = Math.max(1, opts.recordsPerPacket ?? 24);
  const exp = exportMs(records, opts);
  const expSec = Math.floor(exp / 1000);
  const up = version === 9 ? uptimeFor(records, expSec * 1000, opts) : 0;
  const boot = expSec * 1000 - up;
  const sourceId = opts.sourceId ?? 0;
  const mode = opts.templates ?? 'every';
  const hdrLen = version === 9 ? 20 : 16;
  let seq = opts.sequence ?? 0;
  const tpl = templateSets(version, opts);
  const tplLen = tpl.reduce((s, t) => s + t.setBytes.length, 0);
  const out: Buffer[] = [];

  let i = 0;
  let first = true;
  while (i < records.length || (first && records.length === 0 && mode !== 'none')) {
    const withTpl = mode === 'every' || (mode === 'first' && first);
    const sets: Built[] = withTpl ? [...tpl] : [];
    let size = hdrLen + (withTpl ? tplLen : 0);
    let n = 0;
    // group consecutive records of the same family into one data set
    while (i < records.length && n < per) {
      const fam = familyOf(records[i]);
      const recs: Buffer[] = [];
      let setSize = 4;
      while (i < records.length && n < per && familyOf(records[i]) === fam) {
        const rec = dataRecord(version, records[i], boot);
        if (size + setSize + rec.length + 3 > MAX_PACKET && (n > 0 || recs.length > 0)) break;
        recs.push(rec);
        setSize += rec.length;
        i++; n++;
      }
      if (!recs.length) break;
      const s = set(fam === 4 ? ids.v4 : ids.v6, recs, version === 9);
      sets.push({ setBytes: s, records: recs.length });
      size += s.length;
      if (size >= MAX_PACKET - 64) break;
    }
    const body = Buffer.concat(sets.map((s) => s.setBytes));
    const count = sets.reduce((s, x) => s + x.records, 0);
    const h = header(version, count, hdrLen + body.length, up, expSec, seq, sourceId);
    out.push(Buffer.concat([h, body]));
    // v9 sequence counts export packets; IPFIX counts data records sent before this message
    seq += version === 9 ? 1 : n;
    first = false;
    if (records.length === 0) break;
  }
  return out;
}

/** NetFlow v9 packets: templates 256 (IPv4) and 257 (IPv6), times as uptime milliseconds. */
export function encodeNetflowV9(records: readonly FlowRecord[], opts: EncodeOptions = {}): Buffer[] {
  return encodeTemplated(9, records, opts);
}

/** IPFIX messages: templates 256 (IPv4) and 257 (IPv6), flowStart/EndMilliseconds. */
export function encodeIpfix(records: readonly FlowRecord[], opts: EncodeOptions = {}): Buffer[] {
  return encodeTemplated(10, records, opts);
}

/** Only the template (and sampling options) packet, for captures that keep templates in a separate file. */
export function encodeTemplates(version: 9 | 10, opts: EncodeOptions = {}): Buffer {
  return encodeTemplated(version, [], { ...opts, templates: 'every' })[0];
}

/** Dispatches on the version number (5, 9 or 10). */
export function encodeFlows(version: 5 | 9 | 10, records: readonly FlowRecord[], opts: EncodeOptions = {}): Buffer[] {
  if (version === 5) return encodeNetflowV5(records, opts);
  return encodeTemplated(version, records, opts);
}
