/**
 * The site file (`tidewatch.yml`): the carrier's own facts that detectors consult. Documented in
 * docs/SITE.md. Every section is optional; src/site/load.ts fills defaults and records what it assumed.
 */
export interface SiteConfig {
  /** Reporting organization (STIX identity for shared sightings). */
  organization?: { name: string; contact?: string };
  /** Data directory for the embedded store and learned models. */
  data?: string;
  /** Prefixes that count as ours. Default: RFC 1918 + RFC 6598 (and ULA/link-local for v6). */
  internal_prefixes: string[];
  /** Hosts or prefixes allowed to reach device management planes (SSH, SNMP, NETCONF, HTTPS). */
  management_hosts: string[];
  aaa_servers: string[];
  syslog_servers: string[];
  ntp_servers: string[];
  snmp_managers: string[];
  /** Local account names allowed on devices. */
  approved_accounts: string[];
  /** Addresses or prefixes allowed as GRE/IPsec/other tunnel peers. */
  tunnel_peers: string[];
  /** Device inventory (optional): hostname to role/address. */
  devices: { name: string; address?: string; role?: string; platform?: string }[];
  access: {
    jump_hosts: string[];
    operators: { name: string; status: 'active' | 'disabled'; role?: string }[];
    bulk_export_bytes?: number;
    systems?: string[];
  };
  /** Listener addresses for `tidewatch serve`, e.g. {"syslog-udp": "127.0.0.1:5514"}. */
  listeners: Record<string, string>;
  /** Service settings that are not listeners (TLS files, delivery targets, feeds). Open-ended by design. */
  serve?: Record<string, unknown>;
  scaleout?: { nats?: string[]; clickhouse?: string; partitions?: number; lease_ms?: number; intel_reload?: string; retention?: Record<string, string> };
  /** Hunting settings: `rules` are extra Sigma rule files or folders (relative to the site file) loaded beside the shipped ones. */
  hunt?: { rules?: string[] };
  /** Alert delivery targets of `tidewatch serve` (webhooks, syslog out, JSON Lines files); see docs/SERVE.md. Validated by src/sinks. */
  delivery?: Record<string, unknown>;
  /** Flow analytics overrides of rules/flows/settings.yml (thresholds, device prefixes); see docs/FLOWS.md. */
  flows?: Record<string, unknown>;
  /** What the loader assumed because the file did not say (printed in reports). */
  assumptions: string[];
  /** The file it came from, if any. */
  path?: string;
}
