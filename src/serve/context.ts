import type { FastifyInstance } from 'fastify';
import type { IncidentManager } from '../correlation/manager.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { TokenStore } from './tokens.js';
import type { Alert } from '../model/alert.js';
import type { Incident } from '../model/incident.js';

/** The device document the service keeps per audited device (written by the config-folder watcher). */
export interface DeviceDoc {
  name: string;
  platform?: string;
  version?: string;
  file?: string;
  last_audit?: string;
  /** Current findings (as alerts) of the latest audit. */
  findings: Alert[];
  /** Drift between successive versions, newest first. */
  history: { time: string; file?: string; changes: { section: string; added: string[]; removed: string[] }[] }[];
}

/** Optional capabilities: present once their engineers' code is wired into the service. */
export interface Capabilities {
  /** Indicators (intel). */
  indicators?: {
    list(q: { q?: string; type?: string; limit: number; offset: number }): Promise<{ total: number; items: unknown[] }>;
    import(text: string, by: string): Promise<{ added: number; updated: number; skipped: number; rejected: { reason: string }[] }>;
  };
  /** Lawful-intercept / call-record operator models (access). */
  access?: {
    operators(): Promise<{ operator: string; profile: unknown }[]>;
  };
  /** Incident report renderer. */
  report?: (inc: Incident, alerts: Alert[], format: 'html' | 'md' | 'json') => { contentType: string; body: string };
}

/** Everything the HTTP API reads or changes. */
export interface ApiContext {
  store: Store;
  tokens: TokenStore;
  incidents: IncidentManager;
  metrics: Metrics;
  consoleDir?: string;
  health(): { status: string; [k: string]: unknown };
  capabilities: Capabilities;
  /** Plugins other capabilities bring (TAXII under /taxii2/). */
  mounts?: ((app: FastifyInstance) => Promise<void>)[];
}
