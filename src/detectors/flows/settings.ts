/**
 * Flow analytics settings: the thresholds live as data in rules/flows/settings.yml, and a site file may
 * override any of them under `flows:`. This module only validates and merges plain objects (no file access).
 */
export interface FlowSettings {
  device_prefixes: string[];
  exporters_are_devices: boolean;
  tunnel_protocols: number[];
  tunnel_udp_ports: number[];
  tunnel_critical_bytes: number;
  tunnel_repeat_s: number;
  management_tcp_ports: number[];
  management_udp_ports: number[];
  management_repeat_s: number;
  volume_window_s: number;
  volume_bytes: number;
  volume_learn: boolean;
  volume_learn_factor: number;
  volume_learn_min_windows: number;
  volume_min_bytes: number;
  volume_sampling_adjust: boolean;
  beacon_window_s: number;
  beacon_min_flows: number;
  beacon_max_cv: number;
  beacon_max_bytes_cv: number;
  beacon_max_mean_bytes: number;
  beacon_min_interval_s: number;
  beacon_min_distinct_src_ports: number;
  max_tracked: number;
}

type Kind = 'num' | 'bool' | 'nums' | 'strs';
const KINDS: Record<keyof FlowSettings, Kind> = {
  device_prefixes: 'strs', exporters_are_devices: 'bool',
  tunnel_protocols: 'nums', tunnel_udp_ports: 'nums', tunnel_critical_bytes: 'num', tunnel_repeat_s: 'num',
  management_tcp_ports: 'nums', management_udp_ports: 'nums', management_repeat_s: 'num',
  volume_window_s: 'num', volume_bytes: 'num', volume_learn: 'bool', volume_learn_factor: 'num',
  volume_learn_min_windows: 'num', volume_min_bytes: 'num', volume_sampling_adjust: 'bool',
  beacon_window_s: 'num', beacon_min_flows: 'num', beacon_max_cv: 'num', beacon_max_bytes_cv: 'num',
  beacon_max_mean_bytes: 'num', beacon_min_interval_s: 'num', beacon_min_distinct_src_ports: 'num',
  max_tracked: 'num',
};

export class FlowSettingsError extends Error {}

/** Merges `overrides` onto `base`, checking every key and type. `where` names the source in errors. */
export function mergeFlowSettings(base: Partial<FlowSettings>, overrides: unknown, where: string): Partial<FlowSettings> {
  if (overrides === undefined || overrides === null) return { ...base };
  if (typeof overrides !== 'object' || Array.isArray(overrides)) throw new FlowSettingsError(`${where}: flow settings must be a mapping`);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides as Record<string, unknown>)) {
    const kind = KINDS[k as keyof FlowSettings];
    if (!kind) throw new FlowSettingsError(`${where}: unknown flow setting \`${k}\` (known: ${Object.keys(KINDS).join(', ')})`);
    const bad = () => new FlowSettingsError(`${where}: \`${k}\` must be ${kind === 'num' ? 'a number' : kind === 'bool' ? 'true or false' : kind === 'nums' ? 'a list of numbers' : 'a list of strings'}`);
    if (kind === 'num') { if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(); }
    else if (kind === 'bool') { if (typeof v !== 'boolean') throw bad(); }
    else if (kind === 'nums') { if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0)) throw bad(); }
    else if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw bad();
    out[k] = kind === 'strs' ? (v as unknown[]).map(String) : v;
  }
  return out as Partial<FlowSettings>;
}

/** Checks that every setting is present (the shipped defaults file must define them all). */
export function completeFlowSettings(s: Partial<FlowSettings>, where: string): FlowSettings {
  const missing = Object.keys(KINDS).filter((k) => (s as Record<string, unknown>)[k] === undefined);
  if (missing.length) throw new FlowSettingsError(`${where}: missing flow settings: ${missing.join(', ')}`);
  return s as FlowSettings;
}
