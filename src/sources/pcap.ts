/**
 * Reads UDP datagrams out of capture files: classic pcap (both byte orders, micro- and nanosecond
 * timestamps) and pcapng (section, interface and enhanced/simple packet blocks, per-interface timestamp
 * resolution), over Ethernet (with 802.1Q/802.1ad tags), Linux cooked capture v1/v2, BSD loopback and raw IP.
 * IPv4 fragments are reassembled (bounded). A file that is neither pcap nor pcapng but starts like a
 * NetFlow/IPFIX message is taken as one raw datagram (the `.dat` test fixtures of other collectors).
 *
 * Files are read in chunks with synchronous reads, so multi-gigabyte captures stream in constant memory.
 * Problems (truncated records, unknown link types, non-UDP frames) are counted, never thrown, except for a
 * file that is not a capture at all; errors name the file and the byte offset.
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { formatIPv4, formatIPv6 } from '../parsers/netflow/decoder.js';

export interface CapturedDatagram {
  /** Capture time, ms since the epoch. */
  timeMs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  /** 1-based frame number in the file, and the byte offset of its record. */
  frame: number;
  offset: number;
}

export type CaptureSkip = 'not_ip' | 'not_udp' | 'truncated_frame' | 'truncated_file' | 'unknown_linktype' | 'fragment_incomplete' | 'bad_block';

export interface CaptureStats {
  frames: number;
  datagrams: number;
  skipped: Record<CaptureSkip, number>;
  /** The first problem met, with the file and offset (for messages). */
  firstProblem?: string;
}

export class CaptureError extends Error {
  constructor(readonly file: string, readonly offset: number, message: string) {
    super(`${file}: ${message} (offset ${offset})`);
  }
}

const CHUNK = 4 * 1024 * 1024;
const MAX_RECORD = 256 * 1024 * 1024;

/** Sequential reader with a sliding buffer over a file descriptor. */
class ByteSource {
  private buf = Buffer.alloc(0);
  private bufStart = 0; // file offset of buf[0]
  private fileSize: number;
  constructor(private readonly fd: number) {
    this.fileSize = fstatSync(fd).size;
  }
  get size(): number { return this.fileSize; }
  /** Returns `len` bytes at file offset `off`, or undefined at end of file. The view is valid until the next call. */
  get(off: number, len: number): Buffer | undefined {
    if (off + len > this.fileSize) return undefined;
    if (off < this.bufStart || off + len > this.bufStart + this.buf.length) {
      const want = Math.max(len, CHUNK);
      const nb = Buffer.allocUnsafe(Math.min(want, this.fileSize - off));
      let got = 0;
      while (got < nb.length) {
        const r = readSync(this.fd, nb, got, nb.length - got, off + got);
        if (r <= 0) break;
        got += r;
      }
      this.buf = nb.subarray(0, got);
      this.bufStart = off;
      if (got < len) return undefined;
    }
    return this.buf.subarray(off - this.bufStart, off - this.bufStart + len);
  }
}

interface Frag { parts: { off: number; data: Buffer }[]; total: number; have: number; firstHdr?: Buffer; at: number }

/** Decodes link, IP (with fragment reassembly) and UDP headers of captured frames. */
class FrameDecoder {
  private frags = new Map<string, Frag>();
  constructor(private readonly stats: CaptureStats) {}

  skip(reason: CaptureSkip): undefined {
    this.stats.skipped[reason]++;
    return undefined;
  }

  frame(linktype: number, f: Buffer, timeMs: number, frame: number, offset: number): CapturedDatagram | undefined {
    let o = 0;
    let etype = -1;
    switch (linktype) {
      case 1: { // Ethernet
        if (f.length < 14) return this.skip('truncated_frame');
        etype = f.readUInt16BE(12);
        o = 14;
        while ((etype === 0x8100 || etype === 0x88a8 || etype === 0x9100) && o + 4 <= f.length) {
          etype = f.readUInt16BE(o + 2);
          o += 4;
        }
        break;
      }
      case 113: // Linux cooked v1
        if (f.length < 16) return this.skip('truncated_frame');
        etype = f.readUInt16BE(14); o = 16; break;
      case 276: // Linux cooked v2
        if (f.length < 20) return this.skip('truncated_frame');
        etype = f.readUInt16BE(0); o = 20; break;
      case 0: case 108: { // BSD loopback: 4-byte address family, host or network order
        if (f.length < 4) return this.skip('truncated_frame');
        const af = linktype === 108 ? f.readUInt32BE(0) : (f.readUInt32LE(0) < 256 ? f.readUInt32LE(0) : f.readUInt32BE(0));
        etype = af === 2 ? 0x0800 : (af === 24 || af === 28 || af === 30 || af === 10) ? 0x86dd : -1;
        o = 4;
        break;
      }
      case 101: case 12: case 14: case 228: case 229: // raw IP
        if (f.length < 1) return this.skip('truncated_frame');
        etype = f[0] >> 4 === 6 ? 0x86dd : 0x0800;
        break;
      default:
        return this.skip('unknown_linktype');
    }
    if (etype === 0x0800) return this.ipv4(f, o, timeMs, frame, offset);
    if (etype === 0x86dd) return this.ipv6(f, o, timeMs, frame, offset);
    return this.skip('not_ip');
  }

  private ipv4(f: Buffer, o: number, timeMs: number, frame: number, offset: number): CapturedDatagram | undefined {
    if (o + 20 > f.length || f[o] >> 4 !== 4) return this.skip('truncated_frame');
    const ihl = (f[o] & 15) * 4;
    const total = f.readUInt16BE(o + 2);
    if (ihl < 20 || o + ihl > f.length) return this.skip('truncated_frame');
    const end = Math.min(f.length, o + Math.max(total, ihl));
    const proto = f[o + 9];
    if (proto !== 17) return this.skip('not_udp');
    const src = formatIPv4(f, o + 12);
    const dst = formatIPv4(f, o + 16);
    const flags = f[o + 6] >> 5;
    const fragOff = (((f[o + 6] & 0x1f) << 8) | f[o + 7]) * 8;
    let udp: Buffer = f.subarray(o + ihl, end);
    if ((flags & 1) || fragOff) {
      const key = `${src}|${dst}|${f.readUInt16BE(o + 4)}`;
      const got = this.fragment(key, fragOff, (flags & 1) === 1, udp, timeMs);
      if (!got) return undefined;
      udp = got;
    }
    return this.udp(udp, src, dst, timeMs, frame, offset);
  }

  private fragment(key: string, off: number, more: boolean, data: Buffer, now: number): Buffer | undefined {
    // drop stale reassemblies (older than 30 s of capture time) and bound the table
    if (this.frags.size > 1024) {
      for (const [k, v] of this.frags) if (now - v.at > 30_000 || this.frags.size > 1024) { this.frags.delete(k); this.stats.skipped.fragment_incomplete++; }
    }
    let fr = this.frags.get(key);
    if (!fr) { fr = { parts: [], total: -1, have: 0, at: now }; this.frags.set(key, fr); }
    if (fr.have + data.length > 65535) { this.frags.delete(key); return this.skip('fragment_incomplete'); }
    fr.parts.push({ off, data: Buffer.from(data) });
    fr.have += data.length;
    if (!more) fr.total = off + data.length;
    if (fr.total < 0 || fr.have < fr.total) return undefined;
    this.frags.delete(key);
    const out = Buffer.alloc(fr.total);
    for (const p of fr.parts) if (p.off + p.data.length <= out.length) p.data.copy(out, p.off);
    return out;
  }

  private ipv6(f: Buffer, o: number, timeMs: number, frame: number, offset: number): CapturedDatagram | undefined {
    if (o + 40 > f.length) return this.skip('truncated_frame');
    let next = f[o + 6];
    const plen = f.readUInt16BE(o + 4);
    const src = formatIPv6(f, o + 8);
    const dst = formatIPv6(f, o + 24);
    const end = Math.min(f.length, o + 40 + plen);
    let p = o + 40;
    // skip hop-by-hop, routing and destination options headers
    let guard = 0;
    while ((next === 0 || next === 43 || next === 60) && p + 8 <= end && guard++ < 8) {
      next = f[p];
      p += (f[p + 1] + 1) * 8;
    }
    if (next !== 17) return this.skip('not_udp');
    return this.udp(f.subarray(p, end), src, dst, timeMs, frame, offset);
  }

  private udp(u: Buffer, src: string, dst: string, timeMs: number, frame: number, offset: number): CapturedDatagram | undefined {
    if (u.length < 8) return this.skip('truncated_frame');
    const len = u.readUInt16BE(4);
    if (len < 8) return this.skip('truncated_frame');
    const payload = u.subarray(8, Math.min(u.length, len));
    if (len > u.length) this.stats.skipped.truncated_frame++; // snapped: decode what was captured
    this.stats.datagrams++;
    return { timeMs, src, dst, srcPort: u.readUInt16BE(0), dstPort: u.readUInt16BE(2), payload, frame, offset };
  }
}

export function newCaptureStats(): CaptureStats {
  return { frames: 0, datagrams: 0, skipped: { not_ip: 0, not_udp: 0, truncated_frame: 0, truncated_file: 0, unknown_linktype: 0, fragment_incomplete: 0, bad_block: 0 } };
}

function problem(stats: CaptureStats, file: string, offset: number, what: string): void {
  stats.firstProblem ??= `${file}: ${what} (offset ${offset})`;
}

/**
 * Yields the UDP datagrams of a capture file in file order. `stats` is updated as it goes.
 * Throws CaptureError only when the file is not a capture (or cannot be opened).
 */
export function* readCapture(file: string, stats: CaptureStats = newCaptureStats()): Generator<CapturedDatagram> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new CaptureError(file, 0, `cannot open: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const src = new ByteSource(fd);
    const head = src.get(0, Math.min(src.size, 24));
    if (!head || head.length < 4) throw new CaptureError(file, 0, 'empty or too short to be a capture');
    const m = head.readUInt32LE(0);
    const dec = new FrameDecoder(stats);
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) {
      yield* readPcap(file, src, dec, stats);
    } else if (m === 0x0a0d0d0a) {
      yield* readPcapng(file, src, dec, stats);
    } else {
      const v = head.readUInt16BE(0);
      if ((v === 5 || v === 9 || v === 10) && src.size <= 65535) {
        const payload = Buffer.from(src.get(0, src.size)!);
        stats.frames++;
        stats.datagrams++;
        yield { timeMs: Date.now(), src: '0.0.0.0', dst: '0.0.0.0', srcPort: 0, dstPort: 0, payload, frame: 1, offset: 0 };
        return;
      }
      throw new CaptureError(file, 0, 'not a pcap or pcapng capture (nor a raw NetFlow/IPFIX datagram)');
    }
  } finally {
    closeSync(fd);
  }
}

function* readPcap(file: string, src: ByteSource, dec: FrameDecoder, stats: CaptureStats): Generator<CapturedDatagram> {
  const h = src.get(0, 24);
  if (!h) { stats.skipped.truncated_file++; problem(stats, file, 0, 'pcap global header truncated'); return; }
  const magic = h.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linktype = u32(h, 20) & 0x0fffffff;
  let off = 24;
  let frame = 0;
  while (off < src.size) {
    const rh = src.get(off, 16);
    if (!rh) { stats.skipped.truncated_file++; problem(stats, file, off, 'record header truncated'); return; }
    const sec = u32(rh, 0);
    const frac = u32(rh, 4);
    const incl = u32(rh, 8);
    if (incl > MAX_RECORD) { stats.skipped.truncated_file++; problem(stats, file, off, `record length ${incl} is not plausible`); return; }
    const data = src.get(off + 16, incl);
    if (!data) { stats.skipped.truncated_file++; problem(stats, file, off, 'record data truncated'); return; }
    frame++;
    stats.frames++;
    const timeMs = sec * 1000 + (nano ? Math.floor(frac / 1e6) : Math.floor(frac / 1000));
    const d = dec.frame(linktype, data, timeMs, frame, off);
    if (d) yield d;
    off += 16 + incl;
  }
}

function* readPcapng(file: string, src: ByteSource, dec: FrameDecoder, stats: CaptureStats): Generator<CapturedDatagram> {
  let off = 0;
  let le = true;
  let ifaces: { linktype: number; tsDiv: number; tsMul: number }[] = [];
  let frame = 0;
  while (off < src.size) {
    const bh = src.get(off, 12);
    if (!bh) { stats.skipped.truncated_file++; problem(stats, file, off, 'block header truncated'); return; }
    let type = le ? bh.readUInt32LE(0) : bh.readUInt32BE(0);
    if (type === 0x0a0d0d0a) {
      const bom = bh.readUInt32LE(8);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else { stats.skipped.bad_block++; problem(stats, file, off, 'bad byte-order magic'); return; }
      ifaces = [];
      type = 0x0a0d0d0a;
    }
    const len = le ? bh.readUInt32LE(4) : bh.readUInt32BE(4);
    if (len < 12 || len % 4 || len > MAX_RECORD) { stats.skipped.bad_block++; problem(stats, file, off, `block length ${len} is not valid`); return; }
    const blk = src.get(off, len);
    if (!blk) { stats.skipped.truncated_file++; problem(stats, file, off, 'block truncated'); return; }
    const u32 = (o: number) => (le ? blk.readUInt32LE(o) : blk.readUInt32BE(o));
    const u16 = (o: number) => (le ? blk.readUInt16LE(o) : blk.readUInt16BE(o));
    if (type === 1) { // Interface Description Block
      const linktype = u16(8);
      let tsDiv = 1000; // microseconds by default -> ms
      let tsMul = 1;
      // options: if_tsresol (9)
      let p = 16;
      while (p + 4 <= len - 4) {
        const code = u16(p);
        const olen = u16(p + 2);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const r = blk[p + 4];
          const units = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** (r & 0x7f); // units per second
          tsDiv = units / 1000;
          tsMul = 1;
          if (tsDiv < 1) { tsMul = 1 / tsDiv; tsDiv = 1; }
        }
        p += 4 + Math.ceil(olen / 4) * 4;
      }
      ifaces.push({ linktype, tsDiv, tsMul });
    } else if (type === 6 || type === 2) { // Enhanced Packet Block, obsolete Packet Block
      if (len < 32) { stats.skipped.bad_block++; problem(stats, file, off, 'packet block too short'); off += len; continue; }
      const ifId = type === 6 ? u32(8) : u16(8);
      const hi = u32(12);
      const lo = u32(16);
      const capLen = u32(20);
      if (28 + capLen > len - 4) { stats.skipped.bad_block++; problem(stats, file, off, 'captured length beyond block'); off += len; continue; }
      const ifc = ifaces[ifId];
      frame++;
      stats.frames++;
      if (!ifc) { stats.skipped.bad_block++; problem(stats, file, off, `packet for undeclared interface ${ifId}`); off += len; continue; }
      const ts = hi * 4294967296 + lo;
      const timeMs = Math.floor((ts / ifc.tsDiv) * ifc.tsMul);
      const d = dec.frame(ifc.linktype, blk.subarray(28, 28 + capLen), timeMs, frame, off);
      if (d) yield d;
    } else if (type === 3) { // Simple Packet Block
      const ifc = ifaces[0];
      const origLen = u32(8);
      const capLen = Math.min(origLen, len - 16);
      frame++;
      stats.frames++;
      if (ifc) {
        const d = dec.frame(ifc.linktype, blk.subarray(12, 12 + capLen), 0, frame, off);
        if (d) yield d;
      } else stats.skipped.bad_block++;
    }
    off += len;
  }
}
