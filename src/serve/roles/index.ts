import type { SiteConfig } from '../../model/site.js';
import { collectorStages, detectorStages } from './stages.js';
import { ApiRole } from './api.js';
import { CollectorRole } from './collector.js';
import { DetectorRole } from './detector.js';
import { scaleoutSettings, type ServeRole } from './options.js';
import { StoreRole } from './store.js';

export interface StartedRole {
  stop(): Promise<void>;
}

/** Starts one scale-out role of `tidewatch serve` (`all` is the single process, started by the Service). */
export async function startRole(role: Exclude<ServeRole, 'all'>, o: {
  site: SiteConfig; data: string; listen: readonly string[]; nats?: string[]; clickhouse?: string; log?: (l: string) => void; id?: string;
}): Promise<StartedRole> {
  const scaleout = scaleoutSettings(o.site, role, { nats: o.nats, clickhouse: o.clickhouse });
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const base = { site: o.site, data: o.data, listen: o.listen, scaleout, log, id: o.id };
  switch (role) {
    case 'collector':
      return CollectorRole.start({ ...base, stages: collectorStages() });
    case 'detector':
      return DetectorRole.start({ ...base, stages: detectorStages(o.site), makeStages: () => detectorStages(o.site) });
    case 'store':
      return StoreRole.start({ ...base, stages: { eventDetectors: [], flowDetectors: [] } });
    case 'api':
      return ApiRole.start({ ...base, stages: { eventDetectors: [], flowDetectors: [] } });
  }
}
