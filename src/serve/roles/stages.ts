import type { SiteConfig } from '../../model/site.js';
import { parseLine } from '../../parsers/index.js';
import { FlowAnalytics, FlowDecoder } from '../../pipeline/flows.js';
import { HuntEngine } from '../../pipeline/hunt.js';
import type { IntelHolder } from '../intel.js';
import type { Stages } from '../pipeline.js';

/** What a collector runs: the line parser and the NetFlow/IPFIX decoder (no detectors). */
export function collectorStages(): Stages {
  const decoder = new FlowDecoder();
  return {
    parseLine: (line, ctx) => parseLine(line, { refMs: ctx.refMs, file: ctx.source }),
    eventDetectors: [],
    flowDecoder: { decode: (packet, exporter, receivedMs) => decoder.feed(packet, exporter, receivedMs), drops: () => decoder.dropDeltas() },
    flowDetectors: [],
  };
}

/**
 * What a detector runs per partition: the shipped Sigma rules (HuntEngine, with correlation state that moves with
 * the partition), indicator matching (when the detector was given the shared store to read indicators from) and
 * the flow analytics with the same indicator matcher plugged in. The same detectors as the single process.
 */
export function detectorStages(site: SiteConfig, intel?: IntelHolder): Stages {
  const analytics = new FlowAnalytics({ site, matchers: intel ? [intel.flowMatcher()] : [] });
  let hunt: HuntEngine | undefined;
  try {
    hunt = new HuntEngine();
  } catch (e) {
    // no shipped rules in this build: say so once per partition and run the other detectors
    process.stderr.write(`tidewatch detector: Sigma rules not loaded: ${(e as Error).message}\n`);
  }
  return {
    eventDetectors: [
      ...(hunt ? [{ name: 'sigma', process: hunt.process.bind(hunt), flush: () => hunt.flush(), snapshot: () => hunt.snapshot(), restore: (s: unknown) => hunt.restore(s) }] : []),
      ...(intel ? [intel.eventDetector()] : []),
    ],
    flowDetectors: [{ name: 'flows', process: (flows) => analytics.process(flows), flush: () => analytics.flush(), snapshot: () => analytics.snapshot(), restore: (s) => analytics.restore(s) }],
  };
}
