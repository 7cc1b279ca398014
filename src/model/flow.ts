/** One decoded flow record (NetFlow v5/v9, IPFIX), the shape `tidewatch flows read --format jsonl` prints. */
export interface FlowRecord {
  exporter: string;
  time_start: string;
  time_end: string;
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  bytes: number;
  packets: number;
  input_if: number;
  output_if: number;
  tcp_flags: number;
  version: 5 | 9 | 10;
  sampling_rate?: number;
}
