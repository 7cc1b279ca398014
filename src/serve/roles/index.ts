import type { SiteConfig } from '../../model/site.js';
import { collectorStages, detectorStages } from './stages.js';
import { ApiRole } from './api.js';
import { CollectorRole } from './collector.js';
import { DetectorRole } from './detector.js';
import { scaleoutSettings, type ServeRole } from './options.js';
import { StoreRole } from './store.js';
import { ClickHouseStore } from '../../store/clickhouse/clickhouse-store.js';
import { IntelHolder } from '../intel.js';

export interface StartedRole {
  stop(): Promise<void>;
}

/** Starts one scale-out role of `tidewatch serve` (`all` is the single process, started by the Service). */
export async function startRole(role: Exclude<ServeRole, 'all'>, o: {
  site: SiteConfig; data: string; listen: readonly string[]; nats?: string[]; clickhouse?: string; log?: (l: string) => void; id?: string;
  /** Store role: correlate alerts into incidents (exactly one store process does); false inserts events and flows only. */
  correlate?: boolean;
}): Promise<StartedRole> {
  const scaleout = scaleoutSettings(o.site, role, { nats: o.nats, clickhouse: o.clickhouse });
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const base = { site: o.site, data: o.data, listen: o.listen, scaleout, log, id: o.id };
  switch (role) {
    case 'collector':
      return CollectorRole.start({ ...base, stages: collectorStages() });
    case 'detector': {
      // Indicators live in the shared store: a detector given ClickHouse matches them, reloading on a schedule so
      // an import through any api process reaches every detector (scaleout.intel_reload, default 60s).
      let intel: IntelHolder | undefined;
      let timer: NodeJS.Timeout | undefined;
      let store: ClickHouseStore | undefined;
      if (scaleout.clickhouse) {
        store = await ClickHouseStore.open({ url: scaleout.clickhouse });
        intel = new IntelHolder(store, log);
        await intel.reload();
        log(`tidewatch detector: ${intel.size} indicators loaded; reloading every ${scaleout.intelReloadMs / 1000}s`);
        timer = setInterval(() => void intel!.reload(), scaleout.intelReloadMs);
        timer.unref();
      } else {
        log('tidewatch detector: no --clickhouse given, so indicator matching is off in this detector');
      }
      const role = await DetectorRole.start({
        ...base, stages: detectorStages(o.site, intel), makeStages: () => detectorStages(o.site, intel),
        health: () => ({ indicators: intel?.size ?? null, indicators_loaded_at: intel?.loadedAt ?? null }),
      });
      return {
        stop: async () => {
          if (timer) clearInterval(timer);
          await role.stop();
          await store?.close();
        },
      };
    }
    case 'store':
      return StoreRole.start({ ...base, stages: { eventDetectors: [], flowDetectors: [] }, correlate: o.correlate ?? true });
    case 'api':
      return ApiRole.start({ ...base, stages: { eventDetectors: [], flowDetectors: [] } });
  }
}
