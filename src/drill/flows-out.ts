/**
 * Writes the planned flow records as the exporters would have sent them: NetFlow v9 from the Cisco devices
 * (IOS XE, IOS XR, NX-OS), IPFIX from Junos and EOS, UDP from each exporter's management address to the
 * collector (10.40.0.71:2055), one pcap per day (`flows/<YYYY-MM-DD>.pcap`). Records leave the exporter at
 * the first export tick after they end (a one-minute cache); each exporter sends its templates at the start
 * of every file and every 30 minutes, and keeps its own sequence numbers and uptime across files, so the
 * captures read in order form one stream. Packet building is the flows stage's encoder
 * (src/util/netflow-encode.ts) and pcap writer (src/util/pcap-write.ts).
 */
import type { Carrier, Device } from './carrier.js';
import type { FlowIntent } from './flowplan.js';
import type { FlowRecord } from '../model/flow.js';
import { encodeFlows, encodeTemplates } from '../util/netflow-encode.js';
import { pcapGlobalHeader, pcapRecord } from '../util/pcap-write.js';

export interface FlowOutput {
  records: number;
  files: string[];
  packets: number;
  /** Per planted tag: the capture file and the 1-based packet (frame) number carrying its records. */
  tags: Map<string, { file: string; line: number }[]>;
}

export const COLLECTOR = { ip: '10.40.0.71', port: 2055 };
/** Data records per export packet (the encoder's v9/IPFIX maximum is 24; fewer keeps packets well under the MTU). */
const PER_PACKET = 20;
const TEMPLATE_EVERY_MS = 30 * 60_000;

export function flowVersion(d: Device): 9 | 10 {
  return d.platform === 'junos' || d.platform === 'eos' ? 10 : 9;
}

interface ExporterState {
  device: Device;
  version: 9 | 10;
  sequence: number;
  boot: number;
  lastTemplate: number;
  lastFile: string;
  port: number;
}

interface Pending {
  exportAt: number;
  exporter: string;
  intents: FlowIntent[];
}

export async function writeFlowCaptures(c: Carrier, flows: readonly FlowIntent[], write: (rel: string, bytes: Uint8Array) => void): Promise<FlowOutput> {
  const byName = new Map(c.devices.map((d) => [d.name, d]));
  const states = new Map<string, ExporterState>();
  for (const d of c.devices) {
    if (!d.exportsFlows) continue;
    states.set(d.name, {
      device: d, version: flowVersion(d), sequence: 1000 + d.seq * 97, boot: c.start - (2 + (d.seq % 10)) * 86400_000 - d.seq * 3_600_000,
      lastTemplate: -Infinity, lastFile: '', port: 50000 + d.seq,
    });
  }
  // batch by (exporter, export tick)
  const batches = new Map<string, Pending>();
  for (const f of flows) {
    const st = states.get(f.exporter);
    if (!st) continue;
    const tick = Math.ceil((f.end + 1) / 60_000) * 60_000 + (st.device.seq % 40) * 1300;
    if (tick >= c.end) continue;
    const key = `${tick}|${f.exporter}`;
    let b = batches.get(key);
    if (!b) {
      b = { exportAt: tick, exporter: f.exporter, intents: [] };
      batches.set(key, b);
    }
    b.intents.push(f);
  }
  const ordered = [...batches.values()].sort((a, b) => a.exportAt - b.exportAt || (a.exporter < b.exporter ? -1 : a.exporter > b.exporter ? 1 : 0));

  const tags = new Map<string, { file: string; line: number }[]>();
  const files: string[] = [];
  let records = 0;
  let packets = 0;
  let file = '';
  let parts: Buffer[] = [];
  let frame = 0;
  let ipId = 1;
  const flush = () => {
    if (file) write(file, Buffer.concat(parts));
  };
  for (const b of ordered) {
    const day = new Date(b.exportAt).toISOString().slice(0, 10);
    const name = `flows/${day}.pcap`;
    if (name !== file) {
      flush();
      file = name;
      files.push(name);
      parts = [pcapGlobalHeader()];
      frame = 0;
    }
    const st = states.get(b.exporter)!;
    const d = byName.get(b.exporter)!;
    // a 32-bit millisecond uptime wraps after 49.7 days: long datasets see the exporter restart its clock
    if (b.exportAt - st.boot > 45 * 86400_000) st.boot = b.exportAt - 2 * 3_600_000;
    const uptime = b.exportAt - st.boot;
    const send = (payload: Buffer, at: number) => {
      parts.push(pcapRecord({ time: new Date(at), src: d.mgmt, dst: COLLECTOR.ip, srcPort: st.port, dstPort: COLLECTOR.port, payload, ipId: ipId++ & 0xffff }));
      frame++;
      packets++;
    };
    const opts = { sourceId: d.seq, exportTime: new Date(b.exportAt), sysUptimeMs: uptime };
    if (st.lastFile !== file || b.exportAt - st.lastTemplate >= TEMPLATE_EVERY_MS) {
      send(encodeTemplates(st.version, { ...opts, sequence: st.sequence }), b.exportAt);
      if (st.version === 9) st.sequence++;
      st.lastTemplate = b.exportAt;
      st.lastFile = file;
    }
    const intents = b.intents.sort((x, y) => x.end - y.end || x.t - y.t);
    for (let i = 0; i < intents.length; i += PER_PACKET) {
      const chunk = intents.slice(i, i + PER_PACKET);
      const recs: FlowRecord[] = chunk.map((f) => ({
        exporter: d.mgmt,
        time_start: new Date(f.t).toISOString(),
        time_end: new Date(f.end).toISOString(),
        src_ip: f.src, dst_ip: f.dst, src_port: f.sport, dst_port: f.dport, protocol: f.proto,
        bytes: f.bytes, packets: f.packets, input_if: f.inIf, output_if: f.outIf, tcp_flags: f.flags, version: st.version,
      }));
      const pkts = encodeFlows(st.version, recs, { ...opts, sequence: st.sequence, templates: 'none', recordsPerPacket: PER_PACKET });
      const at = b.exportAt + Math.floor(i / PER_PACKET) * 3;
      for (const p of pkts) send(p, at);
      st.sequence += st.version === 9 ? pkts.length : recs.length;
      records += recs.length;
      // with PER_PACKET records per call the encoder yields one packet; name that frame for the planted records
      for (const f of chunk) {
        if (!f.tag) continue;
        const a = tags.get(f.tag) ?? [];
        const ref = { file, line: frame - pkts.length + 1 };
        if (!a.some((x) => x.file === ref.file && x.line === ref.line)) a.push(ref);
        tags.set(f.tag, a);
      }
    }
  }
  flush();
  return { records, files, packets, tags };
}
