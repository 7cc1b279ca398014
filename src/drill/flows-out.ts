/**
 * Writes the planned flow records as NetFlow v9 (Cisco exporters) and IPFIX (Junos, EOS exporters) export
 * packets in pcap files, one per day, using the encoder of the flows stage (src/util/netflow-encode.ts,
 * src/util/pcap-write.ts). Until that encoder is on main, no capture is written.
 */
import type { Carrier } from './carrier.js';
import type { FlowIntent } from './flowplan.js';

export interface FlowOutput {
  records: number;
  files: string[];
  /** Per planted tag: the capture file and 1-based packet (frame) number carrying its records. */
  tags: Map<string, { file: string; line: number }[]>;
}

export async function writeFlowCaptures(_c: Carrier, _flows: readonly FlowIntent[], _write: (rel: string, bytes: Uint8Array) => void): Promise<FlowOutput> {
  return { records: 0, files: [], tags: new Map() };
}
