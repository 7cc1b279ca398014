/**
 * Flows to or from addresses on an indicator list (threat model FLOW-13). The list is plain text, one IP or
 * CIDR per line (`#` starts a comment). This is one of FlowAnalytics' per-flow matchers; the intel
 * subsystem plugs its own indicator store in through the same `FlowMatcher` shape.
 */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import { PrefixSet } from '../../util/ipset.js';
import { bucket, flowEvent, makeAlert, Repeats } from './context.js';

/** A per-flow matcher: looks at one flow, returns the alerts it raises (usually none). */
export type FlowMatcher = (flow: FlowRecord) => Alert[];

export interface IocList {
  entries: string[];
  /** Lines that are neither blank, comment, IP nor CIDR: 1-based line number and text. */
  errors: { line: number; text: string }[];
}

export function parseIocList(text: string): IocList {
  const entries: string[] = [];
  const errors: { line: number; text: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].replace(/#.*$/, '').trim();
    if (!t) continue;
    const one = new PrefixSet([t]);
    if (one.size === 1) entries.push(t);
    else errors.push({ line: i + 1, text: lines[i].trim() });
  }
  return { entries, errors };
}

export interface IocMatcherOptions {
  /** Name of the list (file) for the alert reasons. */
  name: string;
  /** One alert per (indicator, src, dst) per this period (s). Default 3600. */
  repeatS?: number;
}

/** Builds a matcher over IP/CIDR indicators. */
export function ipIndicatorMatcher(entries: readonly string[], opts: IocMatcherOptions): FlowMatcher {
  const set = new PrefixSet(entries);
  const repeats = new Repeats(200_000);
  const period = opts.repeatS ?? 3600;
  return (f: FlowRecord): Alert[] => {
    const hs = set.match(f.src_ip);
    const hd = hs === undefined ? set.match(f.dst_ip) : undefined;
    const hit = hs ?? hd;
    if (hit === undefined) return [];
    const ip = hs !== undefined ? f.src_ip : f.dst_ip;
    // both directions of one conversation make one alert
    const pair = f.src_ip < f.dst_ip ? `${f.src_ip}|${f.dst_ip}` : `${f.dst_ip}|${f.src_ip}`;
    const key = `${hit}|${pair}|${bucket(Date.parse(f.time_start), period)}`;
    if (!repeats.first(key)) return [];
    return [makeAlert({
      rule: 'flows.ioc', title: 'Flow with an address on an indicator list', kind: 'ioc_match',
      severity: 'high', attack: ['T1071'], tactic: 'command-and-control',
      key, time: f.time_start, ips: [f.src_ip, f.dst_ip], exporter: f.exporter, event: flowEvent(f),
      correlation: { indicator: hit, list: opts.name, direction: hs !== undefined ? 'from' : 'to' },
      reasons: [`${hs !== undefined ? 'source' : 'destination'} ${ip} matches indicator ${hit} from ${opts.name}`],
      remediation: 'Block the address at the edge and look for other traffic from the same internal hosts.',
    })];
  };
}
