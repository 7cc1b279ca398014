/**
 * tshark as an independent oracle for NetFlow/IPFIX captures: runs `tshark -2 -T pdml` (two passes, so
 * data that comes before its template in the file is decoded too, as our collector does) and collects the
 * data records it decoded, leaving out options data (records of options templates, e.g. sampling tables).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../../src/util/pcap-write.js';

export interface OracleRecord {
  /** Set (template) id, or 0 for NetFlow v5. */
  setId: number;
  /** UDP source port of the packet that carried it (identifies the stream in tsharkDecodeStreams). */
  srcPort: number;
  /** Field name -> values shown by tshark (strings), in order. */
  fields: Map<string, string[]>;
}

export interface OracleResult {
  records: OracleRecord[];
  /** Options data records seen (not counted in records). */
  optionRecords: number;
}

export function tsharkAvailable(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** UDP destination ports in a capture (so tshark can be told to decode them as NetFlow/IPFIX). */
function udpPorts(file: string): number[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'udp.dstport'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return [...new Set(out.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0))];
}

function unescapeXml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Decodes one capture with tshark; `ports` are the UDP ports to decode as NetFlow/IPFIX (found with tshark if not given). */
export function tsharkDecode(file: string, ports?: readonly number[]): OracleResult {
  const args = ['-2', '-r', file];
  for (const p of ports ?? udpPorts(file)) args.push('-d', `udp.port==${p},cflow`);
  args.push('-T', 'pdml');
  const pdml = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return parsePdml(pdml);
}

function parsePdml(pdml: string): OracleResult {
  let srcPort = -1;
  const optionTemplates = new Set<string>();
  const records: OracleRecord[] = [];
  let optionRecords = 0;
  // stack of open <field> elements: their `show` text and, for records, the record being filled
  const stack: { show: string; rec?: OracleRecord; option?: boolean }[] = [];
  const fieldRe = /^\s*<field name="([^"]*)"(?:[^>]*?) show="([^"]*)"/;
  for (const line of pdml.split('\n')) {
    const t = line.trim();
    if (t.startsWith('</field>')) { stack.pop(); continue; }
    if (t.startsWith('<packet>')) { stack.length = 0; srcPort = -1; continue; }
    if (!t.startsWith('<field')) continue;
    const m = fieldRe.exec(line);
    const name = m ? m[1] : '';
    const show = m ? unescapeXml(m[2]) : '';
    const selfClosing = t.endsWith('/>');
    if (name === 'udp.srcport' && srcPort < 0) srcPort = Number(show);
    const ot = /^Options Template \(Id = (\d+)\)/.exec(show);
    if (ot) optionTemplates.add(`${srcPort}/${ot[1]}`);
    // the innermost open record (a "Flow N" of a data set, or a v5 "pdu i/n")
    const holder = [...stack].reverse().find((s) => s.rec || s.option);
    if (holder?.rec && name) {
      const arr = holder.rec.fields.get(name) ?? [];
      arr.push(show);
      holder.rec.fields.set(name, arr);
    }
    let entry: { show: string; rec?: OracleRecord; option?: boolean } = { show };
    if (name === '' && /^Flow \d+$/.test(show)) {
      const parent = [...stack].reverse().find((s) => /^(Set|FlowSet) \d+ \[id=\d+\]/.test(s.show));
      const id = parent ? Number(/\[id=(\d+)\]/.exec(parent.show)![1]) : -1;
      if (optionTemplates.has(`${srcPort}/${id}`)) { entry = { show, option: true }; optionRecords++; }
      else { entry = { show, rec: { setId: id, srcPort, fields: new Map() } }; records.push(entry.rec!); }
    } else if (name === '' && /^pdu \d+\/\d+$/.test(show)) {
      entry = { show, rec: { setId: 0, srcPort, fields: new Map() } };
      records.push(entry.rec!);
    }
    if (!selfClosing) stack.push(entry);
  }
  return { records, optionRecords };
}

/** Merges captures in the order given (`mergecap -a`) into a temporary file and decodes that. */
export function tsharkDecodeMerged(files: readonly string[], ports?: readonly number[]): OracleResult {
  if (files.length === 1) return tsharkDecode(files[0], ports);
  const dir = mkdtempSync(join(tmpdir(), 'tw-oracle-'));
  try {
    const merged = join(dir, 'merged.pcap');
    execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', merged, ...files], { stdio: 'ignore' });
    return tsharkDecode(merged, ports);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** First numeric value of the first field present, or 0. */
export function num(rec: OracleRecord, ...names: string[]): number {
  for (const n of names) {
    const v = rec.fields.get(n);
    if (v && v.length) return Number(v[0]);
  }
  return 0;
}

/**
 * Bytes of a record by the precedence docs/FLOWS.md gives (octetDeltaCount, octetTotalCount,
 * postOctetDeltaCount, initiator + responder octets, else the sampled frame size), from tshark's fields.
 */
export function oracleBytes(r: OracleRecord): number {
  for (const n of ['cflow.octets', 'cflow.permanent_octets', 'cflow.post_octets']) if (r.fields.has(n)) return num(r, n);
  if (r.fields.has('cflow.initiator_octets') || r.fields.has('cflow.responder_octets')) return num(r, 'cflow.initiator_octets') + num(r, 'cflow.responder_octets');
  return num(r, 'cflow.data_link_frame_size');
}

/** Packets by the same precedence; a sampled packet report (frame size, no counter) is one packet. */
export function oraclePackets(r: OracleRecord): number {
  for (const n of ['cflow.packets', 'cflow.permanent_packets', 'cflow.post_packets']) if (r.fields.has(n)) return num(r, n);
  if (r.fields.has('cflow.initiator_packets') || r.fields.has('cflow.responder_packets')) return num(r, 'cflow.initiator_packets') + num(r, 'cflow.responder_packets');
  const octets = ['cflow.octets', 'cflow.permanent_octets', 'cflow.post_octets', 'cflow.initiator_octets', 'cflow.responder_octets'].some((n) => r.fields.has(n));
  return r.fields.has('cflow.data_link_frame_size') && !octets ? 1 : 0;
}

/**
 * Decodes several independent streams of datagrams in one tshark run (tshark starts slowly): each stream is
 * written with its own UDP source port, which tshark's template cache keys on, so streams do not share
 * templates. Returns one result per stream.
 */
export function tsharkDecodeStreams(streams: readonly { src: string; timeMs: number; payload: Buffer }[][]): OracleResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'tw-oracle-'));
  try {
    const file = join(dir, 'streams.pcap');
    const base = 20000;
    writePcap(file, streams.flatMap((st, i) => st.map((d) => ({
      time: new Date(d.timeMs), src: d.src, dst: d.src.includes(':') ? '::1' : '127.0.0.1',
      srcPort: base + i, dstPort: 2055, payload: d.payload,
    }))));
    const all = tsharkDecode(file, [2055]);
    return streams.map((_s, i) => ({
      records: all.records.filter((r) => r.srcPort === base + i),
      optionRecords: -1,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
