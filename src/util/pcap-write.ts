/**
 * Writes classic pcap files (libpcap format, microsecond timestamps, LINKTYPE_ETHERNET) holding UDP
 * datagrams in Ethernet/IPv4 (or IPv6)/UDP framing. The drill generator writes synthetic NetFlow/IPFIX
 * captures with it; tests and benchmarks use it to build inputs that tshark and `tidewatch flows read`
 * both understand.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseIp } from './ip.js';

export interface UdpDatagram {
  /** Capture time of the packet. */
  time: Date;
  /** Sender (exporter) and receiver (collector) addresses: both IPv4 or both IPv6. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  /** IPv4 identification field; default: a process-wide counter (pass one for byte-identical output across runs). */
  ipId?: number;
}

const SRC_MAC = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
const DST_MAC = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x02]);

/** The 24-byte pcap global header. */
export function pcapGlobalHeader(snaplen = 65535): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8);
  b.writeUInt32LE(0, 12);
  b.writeUInt32LE(snaplen, 16);
  b.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  return b;
}

function addrBytes(s: string): { family: 4 | 6; bytes: Buffer } {
  const ip = parseIp(s);
  if (!ip) throw new Error(`pcap-write: "${s}" is not an IP address`);
  const bytes = Buffer.alloc(ip.family === 4 ? 4 : 16);
  let v = ip.value;
  for (let i = bytes.length - 1; i >= 0; i--) { bytes[i] = Number(v & 0xffn); v >>= 8n; }
  return { family: ip.family, bytes };
}

function ipv4Checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

let ipId = 1;

/** One Ethernet frame carrying the datagram (UDP checksum 0 for IPv4, computed for IPv6 where it is mandatory). */
export function udpFrame(d: UdpDatagram): Buffer {
  const src = addrBytes(d.src);
  const dst = addrBytes(d.dst);
  if (src.family !== dst.family) throw new Error(`pcap-write: ${d.src} and ${d.dst} are not the same address family`);
  const udpLen = 8 + d.payload.length;
  if (udpLen > 65535) throw new Error(`pcap-write: payload of ${d.payload.length} bytes does not fit a UDP datagram`);
  const ipHdrLen = src.family === 4 ? 20 : 40;
  const frame = Buffer.alloc(14 + ipHdrLen + udpLen);
  DST_MAC.copy(frame, 0);
  SRC_MAC.copy(frame, 6);
  frame.writeUInt16BE(src.family === 4 ? 0x0800 : 0x86dd, 12);
  const ip = frame.subarray(14, 14 + ipHdrLen);
  if (src.family === 4) {
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udpLen, 2);
    ip.writeUInt16BE((d.ipId ?? ipId++) & 0xffff, 4);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip[8] = 64;
    ip[9] = 17;
    src.bytes.copy(ip, 12);
    dst.bytes.copy(ip, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
  } else {
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(udpLen, 4);
    ip[6] = 17;
    ip[7] = 64;
    src.bytes.copy(ip, 8);
    dst.bytes.copy(ip, 24);
  }
  const udp = frame.subarray(14 + ipHdrLen);
  udp.writeUInt16BE(d.srcPort & 0xffff, 0);
  udp.writeUInt16BE(d.dstPort & 0xffff, 2);
  udp.writeUInt16BE(udpLen, 4);
  d.payload.copy(udp, 8);
  if (src.family === 6) {
    // pseudo-header checksum
    let sum = 0;
    const add = (b: Buffer) => { for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0); };
    add(src.bytes); add(dst.bytes);
    sum += udpLen + 17;
    add(udp);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const c = ~sum & 0xffff;
    udp.writeUInt16BE(c === 0 ? 0xffff : c, 6);
  }
  return frame;
}

/** The 16-byte per-record header plus the frame. */
export function pcapRecord(d: UdpDatagram): Buffer {
  const frame = udpFrame(d);
  const h = Buffer.alloc(16);
  const t = d.time.getTime();
  const sec = Math.floor(t / 1000);
  h.writeUInt32LE(sec >>> 0, 0);
  h.writeUInt32LE((t - sec * 1000) * 1000, 4);
  h.writeUInt32LE(frame.length, 8);
  h.writeUInt32LE(frame.length, 12);
  return Buffer.concat([h, frame]);
}

/** A whole pcap file in memory. */
export function pcapBuffer(datagrams: Iterable<UdpDatagram>): Buffer {
  const parts = [pcapGlobalHeader()];
  for (const d of datagrams) parts.push(pcapRecord(d));
  return Buffer.concat(parts);
}

/** Writes a pcap file of the datagrams (overwrites). */
export function writePcap(path: string, datagrams: Iterable<UdpDatagram>): void {
  const w = new PcapWriter(path);
  try {
    for (const d of datagrams) w.write(d);
  } finally {
    w.close();
  }
}

/** Streaming writer for large captures: one record at a time, synchronous. */
export class PcapWriter {
  private fd: number | undefined;
  packets = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, pcapGlobalHeader());
  }
  write(d: UdpDatagram): void {
    if (this.fd === undefined) throw new Error(`pcap-write: ${this.path} is closed`);
    writeSync(this.fd, pcapRecord(d));
    this.packets++;
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
