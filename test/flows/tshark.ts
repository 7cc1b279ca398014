/**
 * tshark as an independent oracle for NetFlow/IPFIX captures: runs `tshark -2 -T pdml` (two passes, so
 * data that comes before its template in the file is decoded too, as our collector does) and collects the
 * data records it decoded, leaving out options data (records of options templates, e.g. sampling tables).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OracleRecord {
  /** Set (template) id, or 0 for NetFlow v5. */
  setId: number;
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

/** Decodes one capture with tshark. */
export function tsharkDecode(file: string): OracleResult {
  const args = ['-2', '-r', file];
  for (const p of udpPorts(file)) args.push('-d', `udp.port==${p},cflow`);
  args.push('-T', 'pdml');
  const pdml = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  const optionTemplates = new Set<number>();
  const records: OracleRecord[] = [];
  let optionRecords = 0;
  // stack of open <field> elements: their `show` text and, for records, the record being filled
  const stack: { show: string; rec?: OracleRecord; option?: boolean }[] = [];
  const fieldRe = /^\s*<field name="([^"]*)"(?:[^>]*?) show="([^"]*)"/;
  for (const line of pdml.split('\n')) {
    const t = line.trim();
    if (t.startsWith('</field>')) { stack.pop(); continue; }
    if (t.startsWith('<packet>')) { stack.length = 0; continue; }
    if (!t.startsWith('<field')) continue;
    const m = fieldRe.exec(line);
    const name = m ? m[1] : '';
    const show = m ? unescapeXml(m[2]) : '';
    const selfClosing = t.endsWith('/>');
    const ot = /^Options Template \(Id = (\d+)\)/.exec(show);
    if (ot) optionTemplates.add(Number(ot[1]));
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
      if (optionTemplates.has(id)) { entry = { show, option: true }; optionRecords++; }
      else { entry = { show, rec: { setId: id, fields: new Map() } }; records.push(entry.rec!); }
    } else if (name === '' && /^pdu \d+\/\d+$/.test(show)) {
      entry = { show, rec: { setId: 0, fields: new Map() } };
      records.push(entry.rec!);
    }
    if (!selfClosing) stack.push(entry);
  }
  return { records, optionRecords };
}

/** Merges captures in the order given (`mergecap -a`) into a temporary file and decodes that. */
export function tsharkDecodeMerged(files: readonly string[]): OracleResult {
  if (files.length === 1) return tsharkDecode(files[0]);
  const dir = mkdtempSync(join(tmpdir(), 'tw-oracle-'));
  try {
    const merged = join(dir, 'merged.pcap');
    execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', merged, ...files], { stdio: 'ignore' });
    return tsharkDecode(merged);
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
