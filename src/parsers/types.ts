import type { Event } from '../model/event.js';

/** Platforms a parser recognises (also accepted as `--platform` hints). */
export const PLATFORMS = ['ios', 'iosxr', 'nxos', 'asa', 'junos', 'eos', 'linux', 'tac_plus', 'ise', 'jsonl', 'syslog'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const VENDOR_OF: Record<Platform, string | undefined> = {
  ios: 'cisco', iosxr: 'cisco', nxos: 'cisco', asa: 'cisco', ise: 'cisco', junos: 'juniper', eos: 'arista',
  linux: 'linux', tac_plus: undefined, jsonl: undefined, syslog: undefined,
};

/** What `parseLine` needs to know besides the text. */
export interface ParseContext {
  /** Input name, for error messages (`-` for stdin). */
  file?: string;
  /** 1-based line number, for error messages. */
  line?: number;
  /** Reference time (epoch ms) for stamps without a year: the file's modification time or the run's time. */
  refMs?: number;
  /** Platform hint: forces vendor/platform where a line alone cannot tell (EOS vs IOS, for instance). */
  platform?: Platform;
  /** JSON Lines: the field holding the event time (default `@timestamp`, `timestamp`, `time`). */
  timeField?: string;
  /** Treat every line as JSON (JSON Lines input) instead of sniffing `{`. */
  json?: boolean;
  /**
   * Syslog: the event may come back incomplete (only LAZY_ROUTE_FIELDS set; time, message and extracted fields
   * left for `completeEvent`). For a caller that completes or drops each event before it parses the next line.
   */
  lazy?: boolean;
}

export type ParseResult = { event: Event; error?: undefined } | { error: string; event?: undefined };

/** Event kinds stamped by the parsers (see docs/EVENTS.md). */
export type EventKind = 'command' | 'config' | 'login' | 'logout' | 'session' | 'accounting' | 'traffic' | 'account' | 'system';
