/**
 * Which capabilities this build wires into the live service, in one place: the parsers and detectors of the other
 * areas (src/pipeline/*) become pipeline stages, API capabilities and background tasks here.
 */
import { resolve } from 'node:path';
import type { SiteConfig } from '../model/site.js';
import type { IncidentManager } from '../correlation/manager.js';
import type { Store } from '../store/store.js';
import { FlowAnalytics, FlowDecoder } from '../pipeline/flows.js';
import { pullTaxii } from '../sources/taxii.js';
import { parseDuration } from '../correlation/rules.js';
import { ConfigError } from './config.js';
import { ConfigWatcher } from './configs.js';
import type { Capabilities } from './context.js';
import { IntelHolder } from './intel.js';
import type { Metrics } from './metrics.js';
import type { EventDetector, Stages } from './pipeline.js';
import { sigmaStage, type SigmaStageInfo } from './roles/stages.js';
import { AccessTail, accessOperators, accessSettings } from './access.js';
import { parseLiveLine } from './stored-events.js';

export interface Background {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface Wiring {
  stages: Stages;
  capabilities: Capabilities;
  background: Background[];
  intel: IntelHolder;
  /** What the Sigma stage loaded (undefined: no rules, the stage is off). */
  sigma?: SigmaStageInfo;
  access?: AccessTail;
}

interface TaxiiPull {
  url: string;
  collection: string;
  everyMs: number;
  token?: string;
  user?: string;
  password?: string;
}

/** `serve.taxii_pulls: [{url, collection, every: 1h, token? | user?+password?}]` */
function taxiiPulls(site: SiteConfig): TaxiiPull[] {
  const raw = site.serve?.taxii_pulls;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError('serve.taxii_pulls must be a list of {url, collection, every}');
  return raw.map((p, i) => {
    const o = (p ?? {}) as Record<string, unknown>;
    if (typeof o.url !== 'string' || typeof o.collection !== 'string') throw new ConfigError(`serve.taxii_pulls[${i}] needs url and collection`);
    const everyMs = parseDuration(o.every ?? '1h');
    if (!everyMs || everyMs < 60_000) throw new ConfigError(`serve.taxii_pulls[${i}].every must be a duration of at least 1m (got ${String(o.every)})`);
    return {
      url: o.url, collection: o.collection, everyMs,
      token: typeof o.token === 'string' ? o.token : undefined,
      user: typeof o.user === 'string' ? o.user : undefined,
      password: typeof o.password === 'string' ? o.password : undefined,
    };
  });
}

export async function buildWiring(o: { site: SiteConfig; store: Store; metrics: Metrics; incidents: IncidentManager; log: (l: string) => void; shippedRules?: string }): Promise<Wiring> {
  const { site, store, metrics, incidents, log } = o;
  // intel: the indicator matcher over events, flows and configs; reloaded when indicators change
  const intel = new IntelHolder(store, log);
  await intel.reload();

  // flows: decoder (templates per exporter) and analytics with the intel matcher plugged in
  const decoder = new FlowDecoder();
  const analytics = new FlowAnalytics({ site, matchers: [intel.flowMatcher()] });

  // hunt: the Sigma rules (shipped plus hunt.rules), the same stage the scale-out detector runs
  const sigma = sigmaStage(site, log, o.shippedRules);
  if (sigma.info && sigma.detector) log(`tidewatch: Sigma: ${sigma.info.rules} rules and ${sigma.info.correlations} correlations from ${sigma.info.files} files${sigma.info.errors ? ` (${sigma.info.errors} rejected)` : ''}`);
  const eventDetectors: EventDetector[] = [intel.eventDetector()];
  if (sigma.detector) eventDetectors.unshift(sigma.detector);

  const stages: Stages = {
    parseLine: parseLiveLine,
    eventDetectors,
    flowDecoder: {
      decode: (packet, exporter, receivedMs) => decoder.feed(packet, exporter, receivedMs),
      drops: () => decoder.dropDeltas(),
    },
    flowDetectors: [{ name: 'flows', process: (flows) => analytics.process(flows), flush: () => analytics.flush() }],
  };

  const background: Background[] = [];
  // audit: the watched config folder
  const configsDir = site.serve?.configs;
  if (configsDir !== undefined) {
    if (typeof configsDir !== 'string') throw new ConfigError('serve.configs must be a folder path');
    const dir = site.path ? resolve(site.path, '..', configsDir) : resolve(configsDir);
    const interval = parseDuration(site.serve?.configs_poll ?? '5s') ?? 5000;
    const w = new ConfigWatcher({ dir, site, store, incidents, metrics, intel, intervalMs: interval, log });
    background.push({ name: `configs ${dir}`, start: () => w.start(), stop: () => w.stop() });
  }
  // access: tailed access-audit files through the access monitor
  let access: AccessTail | undefined;
  const acc = accessSettings(site);
  if (acc) {
    const tail = new AccessTail({ settings: acc, site, store, incidents, metrics, log });
    access = tail;
    background.push({ name: `access ${acc.files.join(', ')}`, start: () => tail.start(), stop: () => tail.stop() });
  }
  // intel: scheduled TAXII pulls, then a matcher reload
  for (const p of taxiiPulls(site)) {
    let timer: NodeJS.Timeout | undefined;
    const auth = p.token ? { token: p.token } : p.user ? { user: p.user, password: p.password ?? '' } : undefined;
    const run = async () => {
      try {
        const r = await pullTaxii(store, { url: p.url, collection: p.collection, ...(auth ? { auth } : {}) });
        log(`tidewatch: TAXII pull ${p.url} ${p.collection}: ${r.added} added, ${r.updated} updated, ${r.skipped} skipped, ${r.rejected.length} rejected`);
        if (r.added || r.updated) await intel.reload();
      } catch (e) {
        log(`tidewatch: TAXII pull ${p.url} ${p.collection} failed: ${(e as Error).message}`);
      }
    };
    background.push({
      name: `taxii ${p.url}`,
      start: () => { void run(); timer = setInterval(() => void run(), p.everyMs); timer.unref(); },
      stop: () => { if (timer) clearInterval(timer); },
    });
  }

  const capabilities: Capabilities = {
    indicators: { list: (q) => intel.list(q), import: (text, by) => intel.import(text, by) },
    access: { operators: () => accessOperators(store) },
  };
  return { stages, capabilities, background, intel, sigma: sigma.detector ? sigma.info : undefined, access };
}
