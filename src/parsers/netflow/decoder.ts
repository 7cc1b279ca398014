/**
 * NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011/7012) decoding. Our own code, on the hot path of
 * the collector: templates are compiled once into action arrays, records are read straight out of the
 * datagram with no intermediate objects beyond the FlowRecord itself, and every length is checked before
 * it is used, so a hostile packet costs at most one pass over its own bytes and is dropped with a reason.
 *
 * State is scoped per (exporter address, version, source id / observation domain): templates, sampling
 * tables and the exporter's boot time. Data that arrives before its template is held (bounded by age, count
 * and bytes) and decoded when the template comes, or dropped as `no_template`.
 */
import type { FlowRecord } from '../../model/flow.js';
import { Act, actionFor } from './elements.js';

/** Why something was dropped. Counted in `DecoderStats.dropped` (see docs/FLOWS.md for the unit of each). */
export type DropReason =
  | 'truncated'          // packet shorter than its header or than a length it announces
  | 'bad_version'        // not 5, 9 or 10
  | 'bad_length'         // IPFIX message length or a set length that does not fit the packet
  | 'bad_count'          // v5 record count of 0
  | 'bad_template'       // malformed template record: zero fields, zero record length, fields past the set
  | 'template_limit'     // too many templates for one exporter scope
  | 'no_template'        // data sets whose template never came (held, then expired or flushed)
  | 'pending_overflow'   // data sets that could not be held because the hold buffer was full
  | 'bad_record'         // a variable-length field running past its set
  | 'count_exceeded'     // v9 sets after the header's record count was reached (dropped, as tshark does)
  | 'reserved_set';      // sets with a reserved id (v9 2-255, IPFIX 4-255)

export const DROP_REASONS: readonly DropReason[] = [
  'truncated', 'bad_version', 'bad_length', 'bad_count', 'bad_template', 'template_limit', 'no_template',
  'pending_overflow', 'bad_record', 'count_exceeded', 'reserved_set',
];

export interface DecoderOptions {
  /** A template not refreshed for this long is forgotten (ms of receive time). Default 1 hour. */
  templateTimeoutMs?: number;
  /** How long data may wait for its template (ms of receive time). Default 60 s. */
  pendingMaxAgeMs?: number;
  /** At most this many data sets held across all exporters. Default 2048. */
  pendingMaxSets?: number;
  /** At most this many bytes held across all exporters. Default 8 MiB. */
  pendingMaxBytes?: number;
  /** Templates per exporter scope. Default 4096. */
  maxTemplatesPerScope?: number;
  /** Exporter scopes remembered; the oldest is forgotten beyond it. Default 10,000. */
  maxScopes?: number;
}

export interface DecoderStats {
  packets: number;
  /** Flow records produced. */
  records: number;
  /** Options data records read (sampling tables and the like). */
  optionRecords: number;
  templates: number;
  optionTemplates: number;
  templateWithdrawals: number;
  /** Data sets held until their template arrived and then decoded. */
  pendingDecoded: number;
  /** Data sets currently held. */
  pendingNow: number;
  byVersion: { 5: number; 9: number; 10: number };
  dropped: Record<DropReason, number>;
}

interface Template {
  id: number;
  options: boolean;
  /** Per field: action, length (65535 = variable). */
  acts: Uint8Array;
  lens: Uint16Array;
  /** Minimum record length (variable fields count 1), and the fixed length or -1 when any field is variable. */
  minLen: number;
  fixedLen: number;
  lastSeen: number;
}

interface Pending {
  scope: Scope;
  templateId: number;
  body: Buffer;
  exportMs: number;
  uptimeMs: number;
  heldAt: number;
}

interface Scope {
  key: string;
  exporter: string;
  version: 9 | 10;
  templates: Map<number, Template>;
  /** Exporter-wide sampling rate from options data (1 in N). */
  samplingRate?: number;
  /** Sampler / selector id -> rate. */
  samplers?: Map<number, number>;
  /** IPFIX systemInitTimeMilliseconds, for uptime-relative times. */
  sysInitMs?: number;
}

const VAR = 65535;

/** Scratch values of the record being decoded (one per decoder: no allocation per record). */
class Scratch {
  src4 = -1; dst4 = -1; src6 = -1; dst6 = -1; buf: Buffer = Buffer.alloc(0);
  srcPort = 0; dstPort = -1; proto = 0; flags = 0; inIf = 0; outIf = 0; icmp = -1;
  octDelta = -1; octTotal = -1; octPost = -1; octInit = -1; octResp = -1;
  pktDelta = -1; pktTotal = -1; pktPost = -1; pktInit = -1; pktResp = -1;
  startUp = -1; endUp = -1; start = -1; end = -1; startDeltaUs = -1; endDeltaUs = -1; durMs = -1;
  sysInit = -1;
  sampInt = -1; sampRand = -1; sampPktInt = -1; sampPktSpace = -1; samplerId = -1;
  dlSize = -1; dlOff = -1; dlLen = 0; ipOff = -1; ipLen = 0;
  /** Addresses found in a sampled packet header section (when the record has none of its own). */
  hdrSrc = ''; hdrDst = '';

  reset(buf: Buffer): void {
    this.buf = buf;
    this.src4 = this.dst4 = this.src6 = this.dst6 = -1;
    this.srcPort = 0; this.dstPort = -1; this.proto = 0; this.flags = 0; this.inIf = 0; this.outIf = 0; this.icmp = -1;
    this.octDelta = this.octTotal = this.octPost = this.octInit = this.octResp = -1;
    this.pktDelta = this.pktTotal = this.pktPost = this.pktInit = this.pktResp = -1;
    this.startUp = this.endUp = this.start = this.end = this.startDeltaUs = this.endDeltaUs = this.durMs = -1;
    this.sysInit = -1;
    this.sampInt = this.sampRand = this.sampPktInt = this.sampPktSpace = this.samplerId = -1;
    this.dlSize = this.dlOff = this.ipOff = -1; this.dlLen = this.ipLen = 0;
    this.hdrSrc = this.hdrDst = '';
  }
}

/** Unsigned big-endian integer of 1-8 bytes (values above 2^53 lose precision). */
function readUint(b: Buffer, o: number, len: number): number {
  switch (len) {
    case 1: return b[o];
    case 2: return (b[o] << 8) | b[o + 1];
    case 4: return b.readUInt32BE(o);
    case 8: return b.readUInt32BE(o) * 4294967296 + b.readUInt32BE(o + 4);
    default: {
      if (len <= 0) return 0;
      if (len <= 6) return b.readUIntBE(o, len);
      // 7 bytes (or a wider field): the low 8 bytes, or the first 8 if wider
      let v = 0;
      const n = Math.min(len, 8);
      for (let i = 0; i < n; i++) v = v * 256 + b[o + i];
      return v;
    }
  }
}

/** NTP timestamp (seconds since 1900 + 2^-32 fraction) to Unix milliseconds. */
function ntpToMs(b: Buffer, o: number): number {
  const sec = b.readUInt32BE(o);
  const frac = b.readUInt32BE(o + 4);
  return (sec - 2208988800) * 1000 + Math.floor(frac / 4294967.296);
}

export function formatIPv4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952 text form of 16 bytes at `o`. */
export function formatIPv6(b: Buffer, o: number): string {
  // IPv4-mapped ::ffff:a.b.c.d
  let zeros10 = true;
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) { zeros10 = false; break; }
  if (zeros10 && b[o + 10] === 0xff && b[o + 11] === 0xff) return `::ffff:${formatIPv4(b, o + 12)}`;
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (b[o + 2 * i] !== 0 || b[o + 2 * i + 1] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && b[o + 2 * j] === 0 && b[o + 2 * j + 1] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) { s += i === 0 ? '::' : ':'; i += bestLen - 1; continue; }
    s += ((b[o + 2 * i] << 8) | b[o + 2 * i + 1]).toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

function isoOr(ms: number, fallback: number): string {
  const t = ms >= 0 && ms < 8.64e15 ? ms : fallback;
  return isoTime(t >= 0 && t < 8.64e15 ? t : 0);
}

/**
 * Date#toISOString with the `YYYY-MM-DDTHH:MM:SS.` part cached per second (64 seconds kept, by second
 * modulo 64): flow times of one stream cluster within a minute or so, and formatting a Date for each start
 * and end was a quarter of the decoder's time. Years before 10000 and whole milliseconds only; the rest
 * goes through Date.
 */
const ISO_SEC = new Float64Array(64).fill(-1);
const ISO_PREFIX: string[] = new Array<string>(64).fill('');
const ISO_MAX = 253402300800000; // 10000-01-01T00:00:00Z
export function isoTime(t: number): string {
  if (!(t >= 0 && t < ISO_MAX) || t !== Math.floor(t)) return new Date(t).toISOString();
  const sec = Math.floor(t / 1000);
  const slot = sec & 63;
  let prefix = ISO_PREFIX[slot];
  if (ISO_SEC[slot] !== sec) {
    prefix = new Date(sec * 1000).toISOString().slice(0, 20);
    ISO_SEC[slot] = sec;
    ISO_PREFIX[slot] = prefix;
  }
  const ms = t - sec * 1000;
  return prefix + (ms < 10 ? `00${ms}Z` : ms < 100 ? `0${ms}Z` : `${ms}Z`);
}

/**
 * Reads the addresses, protocol and ports of a sampled packet header: Ethernet (with 802.1Q/802.1ad tags
 * and MPLS, including a pseudowire control word before an inner Ethernet frame) or a bare IP header.
 */
function parsePacketHeader(s: Scratch, b: Buffer, off: number, len: number, ethernet: boolean): void {
  const end = off + len;
  let o = off;
  let guard = 0;
  let etype = -1;
  if (ethernet) {
    for (;;) {
      if (++guard > 16 || o + 14 > end) return;
      etype = (b[o + 12] << 8) | b[o + 13];
      o += 14;
      while ((etype === 0x8100 || etype === 0x88a8 || etype === 0x9100) && o + 4 <= end) {
        etype = (b[o + 2] << 8) | b[o + 3];
        o += 4;
      }
      if (etype === 0x8847 || etype === 0x8848) {
        // MPLS label stack until bottom of stack
        let bos = 0;
        while (o + 4 <= end && !bos && ++guard < 32) { bos = b[o + 2] & 1; o += 4; }
        if (o >= end) return;
        const nib = b[o] >> 4;
        if (nib === 4) etype = 0x0800;
        else if (nib === 6) etype = 0x86dd;
        else if (nib === 0) { o += 4; continue; } // pseudowire control word, then an Ethernet frame
        else return;
      }
      break;
    }
  } else {
    if (o >= end) return;
    etype = b[o] >> 4 === 6 ? 0x86dd : 0x0800;
  }
  let proto = -1;
  if (etype === 0x0800) {
    if (o + 20 > end || b[o] >> 4 !== 4) return;
    const ihl = (b[o] & 15) * 4;
    proto = b[o + 9];
    s.hdrSrc = formatIPv4(b, o + 12);
    s.hdrDst = formatIPv4(b, o + 16);
    const fragOff = ((b[o + 6] & 0x1f) << 8) | b[o + 7];
    o += ihl;
    if (fragOff !== 0) proto = -proto - 1; // later fragment: no transport header
  } else if (etype === 0x86dd) {
    if (o + 40 > end) return;
    proto = b[o + 6];
    s.hdrSrc = formatIPv6(b, o + 8);
    s.hdrDst = formatIPv6(b, o + 24);
    o += 40;
  } else return;
  if (proto < 0) { s.proto = -proto - 1; return; }
  s.proto = proto;
  if ((proto === 6 || proto === 17 || proto === 132) && o + 4 <= end) {
    s.srcPort = (b[o] << 8) | b[o + 1];
    s.dstPort = (b[o + 2] << 8) | b[o + 3];
    if (proto === 6 && o + 14 <= end) s.flags = b[o + 13];
  } else if ((proto === 1 || proto === 58) && o + 2 <= end) {
    s.dstPort = (b[o] << 8) | b[o + 1];
  }
}

export class NetflowDecoder {
  private readonly scopes = new Map<string, Scope>();
  private readonly pending: Pending[] = [];
  private pendingBytes = 0;
  private readonly s = new Scratch();
  private readonly o: Required<DecoderOptions>;
  private readonly st: DecoderStats = {
    packets: 0, records: 0, optionRecords: 0, templates: 0, optionTemplates: 0, templateWithdrawals: 0,
    pendingDecoded: 0, pendingNow: 0, byVersion: { 5: 0, 9: 0, 10: 0 },
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };
  private lastExpiry = 0;

  constructor(opts: DecoderOptions = {}) {
    this.o = {
      templateTimeoutMs: opts.templateTimeoutMs ?? 3_600_000,
      pendingMaxAgeMs: opts.pendingMaxAgeMs ?? 60_000,
      pendingMaxSets: opts.pendingMaxSets ?? 2048,
      pendingMaxBytes: opts.pendingMaxBytes ?? 8 * 1024 * 1024,
      maxTemplatesPerScope: opts.maxTemplatesPerScope ?? 4096,
      maxScopes: opts.maxScopes ?? 10_000,
    };
  }

  stats(): DecoderStats {
    return { ...this.st, pendingNow: this.pending.length, byVersion: { ...this.st.byVersion }, dropped: { ...this.st.dropped } };
  }

  private drop(reason: DropReason, n = 1): void {
    this.st.dropped[reason] += n;
  }

  /**
   * Decodes one datagram from `exporter` received at `now` (ms). Appends records to `out` (and returns it),
   * including held data whose template this packet brought. Never throws on packet content.
   */
  decode(b: Buffer, exporter: string, now: number, out: FlowRecord[] = []): FlowRecord[] {
    this.st.packets++;
    if (now - this.lastExpiry >= 1000 || now < this.lastExpiry) this.expire(now);
    if (b.length < 4) { this.drop('truncated'); return out; }
    const version = (b[0] << 8) | b[1];
    try {
      if (version === 5) this.decodeV5(b, exporter, out);
      else if (version === 9) this.decodeV9(b, exporter, now, out);
      else if (version === 10) this.decodeIpfix(b, exporter, now, out);
      else this.drop('bad_version');
    } catch (_e) {
      // Bounds are checked before every read; a RangeError here would be a decoder bug. Count it, never crash.
      this.drop('truncated');
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------- v5

  private decodeV5(b: Buffer, exporter: string, out: FlowRecord[]): void {
    if (b.length < 24) { this.drop('truncated'); return; }
    const count = (b[2] << 8) | b[3];
    if (count === 0) { this.drop('bad_count'); return; }
    // Decode what the datagram holds (at most `count`, at most 30 by the format), as tshark does.
    const n = Math.min(count, Math.floor((b.length - 24) / 48), 30);
    if (n === 0) { this.drop('truncated'); return; }
    this.st.byVersion[5]++;
    const up = b.readUInt32BE(4);
    const exportMs = b.readUInt32BE(8) * 1000 + Math.floor(b.readUInt32BE(12) / 1e6);
    const si = (b[22] << 8) | b[23];
    const rate = si & 0x3fff;
    for (let i = 0; i < n; i++) {
      const o = 24 + i * 48;
      const first = b.readUInt32BE(o + 24);
      const last = b.readUInt32BE(o + 28);
      const rec: FlowRecord = {
        exporter,
        time_start: isoOr(exportMs + ((first - up) | 0), exportMs),
        time_end: isoOr(exportMs + ((last - up) | 0), exportMs),
        src_ip: formatIPv4(b, o),
        dst_ip: formatIPv4(b, o + 4),
        src_port: (b[o + 32] << 8) | b[o + 33],
        dst_port: (b[o + 34] << 8) | b[o + 35],
        protocol: b[o + 38],
        bytes: b.readUInt32BE(o + 20),
        packets: b.readUInt32BE(o + 16),
        input_if: (b[o + 12] << 8) | b[o + 13],
        output_if: (b[o + 14] << 8) | b[o + 15],
        tcp_flags: b[o + 37],
        version: 5,
      };
      if (rate > 1) rec.sampling_rate = rate;
      out.push(rec);
    }
    this.st.records += n;
  }

  // ------------------------------------------------------------------------------------ v9 and IPFIX

  private scope(exporter: string, version: 9 | 10, sourceId: number): Scope {
    const key = `${exporter}/${version}/${sourceId}`;
    let sc = this.scopes.get(key);
    if (!sc) {
      if (this.scopes.size >= this.o.maxScopes) {
        const oldest = this.scopes.keys().next().value as string;
        this.scopes.delete(oldest);
      }
      sc = { key, exporter, version, templates: new Map() };
      this.scopes.set(key, sc);
    }
    return sc;
  }

  private decodeV9(b: Buffer, exporter: string, now: number, out: FlowRecord[]): void {
    if (b.length < 20) { this.drop('truncated'); return; }
    this.st.byVersion[9]++;
    const count = (b[2] << 8) | b[3];
    const up = b.readUInt32BE(4);
    const exportMs = b.readUInt32BE(8) * 1000;
    const sc = this.scope(exporter, 9, b.readUInt32BE(16));
    let o = 20;
    let seen = 0;
    while (o + 4 <= b.length) {
      const id = (b[o] << 8) | b[o + 1];
      const len = (b[o + 2] << 8) | b[o + 3];
      if (count > 0 && seen >= count) {
        // the header's record count is reached: what follows is not trusted (tshark stops here too)
        if (len >= 4 && o + len <= b.length) this.drop('count_exceeded');
        return;
      }
      if (len < 4 || o + len > b.length) { this.drop('bad_length'); return; }
      const body = b.subarray(o + 4, o + len);
      if (id === 0) seen += this.templatesV9(sc, body, now, out, false);
      else if (id === 1) seen += this.templatesV9(sc, body, now, out, true);
      else if (id < 256) this.drop('reserved_set');
      else seen += this.dataSet(sc, id, body, exportMs, up, now, out);
      o += len;
    }
  }

  private decodeIpfix(b: Buffer, exporter: string, now: number, out: FlowRecord[]): void {
    if (b.length < 16) { this.drop('truncated'); return; }
    const msgLen = (b[2] << 8) | b[3];
    if (msgLen < 16 || msgLen > b.length) { this.drop('bad_length'); return; }
    this.st.byVersion[10]++;
    const exportMs = b.readUInt32BE(4) * 1000;
    const sc = this.scope(exporter, 10, b.readUInt32BE(12));
    let o = 16;
    while (o + 4 <= msgLen) {
      const id = (b[o] << 8) | b[o + 1];
      const len = (b[o + 2] << 8) | b[o + 3];
      if (len < 4 || o + len > msgLen) { this.drop('bad_length'); return; }
      const body = b.subarray(o + 4, o + len);
      if (id === 2) this.templatesIpfix(sc, body, now, out, false);
      else if (id === 3) this.templatesIpfix(sc, body, now, out, true);
      else if (id < 256) this.drop('reserved_set');
      else this.dataSet(sc, id, body, exportMs, 0, now, out);
      o += len;
    }
  }

  /** v9 template / options template set. Returns the number of template records read. */
  private templatesV9(sc: Scope, body: Buffer, now: number, out: FlowRecord[], options: boolean): number {
    let o = 0;
    let n = 0;
    while (o + 4 <= body.length) {
      const id = (body[o] << 8) | body[o + 1];
      if (!options) {
        const fc = (body[o + 2] << 8) | body[o + 3];
        if (id === 0 && fc === 0) break; // padding
        if (id < 256 || fc === 0 || o + 4 + fc * 4 > body.length) { this.drop('bad_template'); return n; }
        const acts = new Uint8Array(fc);
        const lens = new Uint16Array(fc);
        for (let i = 0; i < fc; i++) {
          const p = o + 4 + i * 4;
          const t = (body[p] << 8) | body[p + 1];
          const l = (body[p + 2] << 8) | body[p + 3];
          lens[i] = l;
          acts[i] = actionFor(t, l);
        }
        o += 4 + fc * 4;
        n++;
        if (!this.learn(sc, id, acts, lens, false, now, out, true)) return n;
      } else {
        if (o + 6 > body.length) break;
        const scopeLen = (body[o + 2] << 8) | body[o + 3];
        const optLen = (body[o + 4] << 8) | body[o + 5];
        if (id === 0 && scopeLen === 0) break; // padding
        if (id < 256 || scopeLen % 4 || optLen % 4 || scopeLen + optLen === 0 || o + 6 + scopeLen + optLen > body.length) {
          this.drop('bad_template'); return n;
        }
        const fc = (scopeLen + optLen) / 4;
        const acts = new Uint8Array(fc);
        const lens = new Uint16Array(fc);
        for (let i = 0; i < fc; i++) {
          const p = o + 6 + i * 4;
          const t = (body[p] << 8) | body[p + 1];
          const l = (body[p + 2] << 8) | body[p + 3];
          lens[i] = l;
          // v9 scope field types (System, Interface, ...) are not information elements
          acts[i] = i < scopeLen / 4 ? Act.Skip : actionFor(t, l);
        }
        o += 6 + scopeLen + optLen;
        n++;
        if (!this.learn(sc, id, acts, lens, true, now, out, true)) return n;
      }
    }
    return n;
  }

  /** IPFIX template / options template set, with withdrawals (field count 0). */
  private templatesIpfix(sc: Scope, body: Buffer, now: number, out: FlowRecord[], options: boolean): void {
    let o = 0;
    while (o + 4 <= body.length) {
      const id = (body[o] << 8) | body[o + 1];
      const fc = (body[o + 2] << 8) | body[o + 3];
      if (fc === 0) {
        if (id === 0) break; // padding
        this.st.templateWithdrawals++;
        if (id === 2 || id === 3) {
          // withdraw all (options) templates
          for (const [tid, t] of sc.templates) if (t.options === (id === 3)) sc.templates.delete(tid);
        } else sc.templates.delete(id);
        o += 4;
        continue;
      }
      let p = o + 4;
      let scopeCount = 0;
      if (options) {
        if (p + 2 > body.length) { this.drop('bad_template'); return; }
        scopeCount = (body[p] << 8) | body[p + 1];
        p += 2;
        if (scopeCount === 0 || scopeCount > fc) { this.drop('bad_template'); return; }
      }
      if (id < 256) { this.drop('bad_template'); return; }
      const acts = new Uint8Array(fc);
      const lens = new Uint16Array(fc);
      for (let i = 0; i < fc; i++) {
        if (p + 4 > body.length) { this.drop('bad_template'); return; }
        const raw = (body[p] << 8) | body[p + 1];
        const l = (body[p + 2] << 8) | body[p + 3];
        p += 4;
        lens[i] = l;
        if (raw & 0x8000) {
          if (p + 4 > body.length) { this.drop('bad_template'); return; }
          p += 4; // enterprise number: element skipped by its length
          acts[i] = Act.Skip;
        } else acts[i] = actionFor(raw, l);
      }
      o = p;
      if (!this.learn(sc, id, acts, lens, options, now, out, false)) return;
    }
  }

  /** Stores a compiled template and decodes data held for it. Returns false if the set must stop. */
  private learn(sc: Scope, id: number, acts: Uint8Array, lens: Uint16Array, options: boolean, now: number, out: FlowRecord[], v9: boolean): boolean {
    let minLen = 0;
    let fixed = true;
    for (let i = 0; i < lens.length; i++) {
      const l = lens[i];
      if (l === VAR) {
        if (v9) { this.drop('bad_template'); return false; }
        fixed = false; minLen += 1;
      } else minLen += l;
    }
    if (minLen === 0) { this.drop('bad_template'); return false; }
    const existing = sc.templates.get(id);
    if (!existing && sc.templates.size >= this.o.maxTemplatesPerScope) { this.drop('template_limit'); return false; }
    sc.templates.set(id, { id, options, acts, lens, minLen, fixedLen: fixed ? minLen : -1, lastSeen: now });
    if (options) this.st.optionTemplates++; else this.st.templates++;
    if (this.pending.length) this.release(sc, id, out);
    return true;
  }

  /** Decodes a data set. Returns the number of records read (for the v9 header count). */
  private dataSet(sc: Scope, id: number, body: Buffer, exportMs: number, up: number, now: number, out: FlowRecord[]): number {
    const t = sc.templates.get(id);
    if (t && now - t.lastSeen > this.o.templateTimeoutMs) sc.templates.delete(id);
    else if (t) return this.records(sc, t, body, exportMs, up, out);
    // hold until the template comes
    if (this.pending.length >= this.o.pendingMaxSets || this.pendingBytes + body.length > this.o.pendingMaxBytes) {
      this.drop('pending_overflow');
      return 0;
    }
    this.pending.push({ scope: sc, templateId: id, body: Buffer.from(body), exportMs, uptimeMs: up, heldAt: now });
    this.pendingBytes += body.length;
    return 0;
  }

  private release(sc: Scope, id: number, out: FlowRecord[]): void {
    let w = 0;
    for (let r = 0; r < this.pending.length; r++) {
      const p = this.pending[r];
      if (p.scope === sc && p.templateId === id) {
        this.pendingBytes -= p.body.length;
        this.st.pendingDecoded++;
        this.records(sc, sc.templates.get(id)!, p.body, p.exportMs, p.uptimeMs, out);
      } else this.pending[w++] = p;
    }
    this.pending.length = w;
  }

  /** Drops held data older than the hold time. */
  expire(now: number): void {
    this.lastExpiry = now;
    if (!this.pending.length) return;
    let w = 0;
    for (let r = 0; r < this.pending.length; r++) {
      const p = this.pending[r];
      if (now - p.heldAt > this.o.pendingMaxAgeMs) {
        this.pendingBytes -= p.body.length;
        this.drop('no_template');
      } else this.pending[w++] = p;
    }
    this.pending.length = w;
  }

  /** End of stream: whatever still waits for a template is dropped as `no_template`. */
  flush(): void {
    if (this.pending.length) this.drop('no_template', this.pending.length);
    this.pending.length = 0;
    this.pendingBytes = 0;
  }

  private records(sc: Scope, t: Template, body: Buffer, exportMs: number, up: number, out: FlowRecord[]): number {
    const s = this.s;
    const acts = t.acts;
    const lens = t.lens;
    const nf = acts.length;
    let o = 0;
    let n = 0;
    const end = body.length;
    while (o + t.minLen <= end) {
      s.reset(body);
      for (let i = 0; i < nf; i++) {
        let l = lens[i];
        if (l === VAR) {
          if (o >= end) { this.drop('bad_record'); return n; }
          l = body[o++];
          if (l === 255) {
            if (o + 2 > end) { this.drop('bad_record'); return n; }
            l = (body[o] << 8) | body[o + 1];
            o += 2;
          }
        }
        if (o + l > end) { this.drop('bad_record'); return n; }
        switch (acts[i]) {
          case Act.Skip: break;
          case Act.Src4: s.src4 = o; break;
          case Act.Dst4: s.dst4 = o; break;
          case Act.Src6: s.src6 = o; break;
          case Act.Dst6: s.dst6 = o; break;
          case Act.SrcPort: s.srcPort = readUint(body, o, l); break;
          case Act.DstPort: s.dstPort = readUint(body, o, l); break;
          case Act.Proto: s.proto = readUint(body, o, l); break;
          case Act.TcpFlags: s.flags = readUint(body, o, l); break;
          case Act.InIf: s.inIf = readUint(body, o, l); break;
          case Act.OutIf: s.outIf = readUint(body, o, l); break;
          case Act.OctetDelta: s.octDelta = readUint(body, o, l); break;
          case Act.OctetTotal: s.octTotal = readUint(body, o, l); break;
          case Act.PostOctetDelta: s.octPost = readUint(body, o, l); break;
          case Act.InitiatorOctets: s.octInit = readUint(body, o, l); break;
          case Act.ResponderOctets: s.octResp = readUint(body, o, l); break;
          case Act.PacketDelta: s.pktDelta = readUint(body, o, l); break;
          case Act.PacketTotal: s.pktTotal = readUint(body, o, l); break;
          case Act.PostPacketDelta: s.pktPost = readUint(body, o, l); break;
          case Act.InitiatorPackets: s.pktInit = readUint(body, o, l); break;
          case Act.ResponderPackets: s.pktResp = readUint(body, o, l); break;
          case Act.StartUptime: if (l === 4) s.startUp = body.readUInt32BE(o); break;
          case Act.EndUptime: if (l === 4) s.endUp = body.readUInt32BE(o); break;
          case Act.StartSec: s.start = readUint(body, o, l) * 1000; break;
          case Act.EndSec: s.end = readUint(body, o, l) * 1000; break;
          case Act.StartMs: s.start = readUint(body, o, l); break;
          case Act.EndMs: s.end = readUint(body, o, l); break;
          case Act.StartUs: case Act.StartNs: if (l === 8) s.start = ntpToMs(body, o); break;
          case Act.EndUs: case Act.EndNs: if (l === 8) s.end = ntpToMs(body, o); break;
          case Act.StartDeltaUs: s.startDeltaUs = readUint(body, o, l); break;
          case Act.EndDeltaUs: s.endDeltaUs = readUint(body, o, l); break;
          case Act.DurationMs: s.durMs = readUint(body, o, l); break;
          case Act.DurationUs: s.durMs = readUint(body, o, l) / 1000; break;
          case Act.SysInitMs: s.sysInit = readUint(body, o, l); break;
          case Act.SamplingInterval: s.sampInt = readUint(body, o, l); break;
          case Act.SamplerRandomInterval: s.sampRand = readUint(body, o, l); break;
          case Act.SamplingPacketInterval: s.sampPktInt = readUint(body, o, l); break;
          case Act.SamplingPacketSpace: s.sampPktSpace = readUint(body, o, l); break;
          case Act.SamplerId: s.samplerId = readUint(body, o, l); break;
          case Act.DataLinkFrameSize: s.dlSize = readUint(body, o, l); break;
          case Act.DataLinkFrameSection: s.dlOff = o; s.dlLen = l; break;
          case Act.IpHeaderSection: s.ipOff = o; s.ipLen = l; break;
          case Act.IcmpTypeCode: s.icmp = readUint(body, o, l); break;
        }
        o += l;
      }
      if (t.options) {
        this.options(sc, s);
        this.st.optionRecords++;
      } else {
        out.push(this.build(sc, s, exportMs, up, t.id));
        this.st.records++;
      }
      n++;
    }
    return n;
  }

  private rateOf(s: Scratch): number {
    if (s.sampInt > 0) return s.sampInt;
    if (s.sampRand > 0) return s.sampRand;
    if (s.sampPktInt > 0) return Math.round((s.sampPktInt + Math.max(0, s.sampPktSpace)) / s.sampPktInt);
    return -1;
  }

  private options(sc: Scope, s: Scratch): void {
    if (s.sysInit >= 0) sc.sysInitMs = s.sysInit;
    const rate = this.rateOf(s);
    if (rate <= 0) return;
    if (s.samplerId >= 0) (sc.samplers ??= new Map()).set(s.samplerId, rate);
    else sc.samplingRate = rate;
  }

  private build(sc: Scope, s: Scratch, exportMs: number, up: number, _tid: number): FlowRecord {
    const b = s.buf;
    if (s.dlOff >= 0 && s.dlLen > 0) parsePacketHeader(s, b, s.dlOff, s.dlLen, true);
    else if (s.ipOff >= 0 && s.ipLen > 0) parsePacketHeader(s, b, s.ipOff, s.ipLen, false);
    const src = s.src4 >= 0 ? formatIPv4(b, s.src4) : s.src6 >= 0 ? formatIPv6(b, s.src6) : s.hdrSrc;
    const dst = s.dst4 >= 0 ? formatIPv4(b, s.dst4) : s.dst6 >= 0 ? formatIPv6(b, s.dst6) : s.hdrDst;
    // byte and packet counters, by precedence (docs/FLOWS.md)
    let bytes = s.octDelta >= 0 ? s.octDelta : s.octTotal >= 0 ? s.octTotal : s.octPost >= 0 ? s.octPost
      : s.octInit >= 0 || s.octResp >= 0 ? Math.max(0, s.octInit) + Math.max(0, s.octResp) : -1;
    let packets = s.pktDelta >= 0 ? s.pktDelta : s.pktTotal >= 0 ? s.pktTotal : s.pktPost >= 0 ? s.pktPost
      : s.pktInit >= 0 || s.pktResp >= 0 ? Math.max(0, s.pktInit) + Math.max(0, s.pktResp) : -1;
    if (bytes < 0 && s.dlSize >= 0) { bytes = s.dlSize; if (packets < 0) packets = 1; }
    // times
    let start = s.start;
    let end = s.end;
    if (sc.version === 9 || s.sysInit >= 0 || sc.sysInitMs !== undefined) {
      if (sc.version === 9) {
        if (start < 0 && s.startUp >= 0) start = exportMs + ((s.startUp - up) | 0);
        if (end < 0 && s.endUp >= 0) end = exportMs + ((s.endUp - up) | 0);
      } else {
        const init = s.sysInit >= 0 ? s.sysInit : sc.sysInitMs!;
        if (start < 0 && s.startUp >= 0) start = init + s.startUp;
        if (end < 0 && s.endUp >= 0) end = init + s.endUp;
      }
    }
    if (start < 0 && s.startDeltaUs >= 0) start = exportMs - Math.floor(s.startDeltaUs / 1000);
    if (end < 0 && s.endDeltaUs >= 0) end = exportMs - Math.floor(s.endDeltaUs / 1000);
    if (s.durMs >= 0) {
      if (start >= 0 && end < 0) end = start + s.durMs;
      else if (end >= 0 && start < 0) start = end - s.durMs;
    }
    if (end < 0) end = start >= 0 ? start : exportMs;
    if (start < 0) start = end;
    let dport = s.dstPort >= 0 ? s.dstPort : 0;
    if (s.dstPort < 0 && s.icmp >= 0) dport = s.icmp;
    const rec: FlowRecord = {
      exporter: sc.exporter,
      time_start: isoOr(start, exportMs),
      time_end: isoOr(end, exportMs),
      src_ip: src,
      dst_ip: dst,
      src_port: s.srcPort,
      dst_port: dport,
      protocol: s.proto,
      bytes: bytes < 0 ? 0 : bytes,
      packets: packets < 0 ? 0 : packets,
      input_if: s.inIf,
      output_if: s.outIf,
      tcp_flags: s.flags,
      version: sc.version,
    };
    let rate = this.rateOf(s);
    if (rate <= 0 && s.samplerId >= 0) rate = sc.samplers?.get(s.samplerId) ?? -1;
    if (rate <= 0 && sc.samplingRate !== undefined) rate = sc.samplingRate;
    if (rate > 0) rec.sampling_rate = rate;
    return rec;
  }
}
