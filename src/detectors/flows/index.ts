/** Flow analytics detectors: pure, stateful over the flows they are shown, no I/O. */
import type { Alert } from '../../model/alert.js';
import type { FlowRecord } from '../../model/flow.js';
import type { SiteConfig } from '../../model/site.js';
import { BeaconDetector } from './beacons.js';
import { FlowContext } from './context.js';
import type { FlowMatcher } from './iocs.js';
import { ManagementAccessDetector } from './management.js';
import type { FlowSettings } from './settings.js';
import { TunnelDetector } from './tunnels.js';
import { VolumeDetector } from './volume.js';
import { loadFields, saveFields } from '../../util/state.js';

export { FlowContext } from './context.js';
export { ipIndicatorMatcher, parseIocList, type FlowMatcher, type IocList } from './iocs.js';
export { mergeFlowSettings, completeFlowSettings, FlowSettingsError, type FlowSettings } from './settings.js';

/** Runs every flow detector, then the per-flow matchers, over batches of flows. */
export class FlowDetectors {
  readonly ctx: FlowContext;
  private readonly tunnels: TunnelDetector;
  private readonly mgmt: ManagementAccessDetector;
  private readonly volume: VolumeDetector;
  private readonly beacons: BeaconDetector;
  readonly matchers: FlowMatcher[] = [];

  constructor(site: SiteConfig, settings: FlowSettings, matchers: readonly FlowMatcher[] = []) {
    this.ctx = new FlowContext(site, settings);
    this.tunnels = new TunnelDetector(this.ctx);
    this.mgmt = new ManagementAccessDetector(this.ctx);
    this.volume = new VolumeDetector(this.ctx);
    this.beacons = new BeaconDetector(this.ctx);
    this.matchers.push(...matchers);
  }

  /** What the detectors remember (windows, series, already-alerted keys), as JSON: see src/util/state.ts. */
  snapshot(): unknown {
    return {
      ctx: saveFields(this.ctx, ['exporters']),
      tunnels: saveFields(this.tunnels, ['repeats']),
      mgmt: saveFields(this.mgmt, ['repeats']),
      volume: saveFields(this.volume, ['win', 'cur', 'base', 'untracked']),
      beacons: saveFields(this.beacons, ['pairs', 'repeats']),
    };
  }

  restore(state: unknown): void {
    const s = (state ?? {}) as Record<string, unknown>;
    loadFields(this.ctx, ['exporters'], s.ctx);
    loadFields(this.tunnels, ['repeats'], s.tunnels);
    loadFields(this.mgmt, ['repeats'], s.mgmt);
    loadFields(this.volume, ['win', 'cur', 'base', 'untracked'], s.volume);
    loadFields(this.beacons, ['pairs', 'repeats'], s.beacons);
    this.volume.upgradeRestored();
    this.beacons.upgradeRestored();
  }

  process(flows: readonly FlowRecord[], out: Alert[] = []): Alert[] {
    const ms = this.matchers;
    for (const f of flows) {
      this.ctx.noteExporter(f.exporter);
      this.tunnels.check(f, out);
      this.mgmt.check(f, out);
      // hot path: the outbound test (four or more prefix lookups) and the time parse are done once for both
      if (this.ctx.isOutbound(f)) {
        const t = Date.parse(f.time_start);
        this.volume.observe(f, t, out);
        this.beacons.observe(f, t, out);
      }
      for (let i = 0; i < ms.length; i++) {
        const a = ms[i](f);
        for (let j = 0; j < a.length; j++) out.push(a[j]);
      }
    }
    return out;
  }
}
