import type { FastifyInstance } from 'fastify';
import { ClickHouseStore } from '../../store/clickhouse/clickhouse-store.js';
import { IncidentManager } from '../../correlation/manager.js';
import { endpointText, loadTls, resolveListeners, type Endpoint } from '../config.js';
import type { Capabilities } from '../context.js';
import { buildHttp, consoleDistDir } from '../http.js';
import { Metrics } from '../metrics.js';
import { TokenStore } from '../tokens.js';
import type { RoleOptions } from './collector.js';
import { IntelHolder } from '../intel.js';
import { taxiiMount } from '../taxii-mount.js';

/**
 * `tidewatch serve --role api`: the same HTTP API and console as the single process, over ClickHouse. Tokens are
 * checked against this process's own --data (made with `tidewatch token create --data DIR`).
 */
export class ApiRole {
  readonly bound: { http?: Endpoint } = {};
  private constructor(readonly store: ClickHouseStore, readonly http: FastifyInstance, readonly metrics: Metrics) {}

  static async start(o: RoleOptions & { capabilities?: Capabilities; consoleDir?: string | null }): Promise<ApiRole> {
    const store = await ClickHouseStore.open({ url: o.scaleout.clickhouse! });
    const holder: { incidents?: IncidentManager } = {};
    const metrics = new Metrics({ store, openIncidents: () => holder.incidents?.openCount ?? 0 });
    const incidents = (holder.incidents = await IncidentManager.open(store, { site: o.site }));
    const tls = loadTls(o.site);
    // indicators are imported into ClickHouse here; detectors reload them from there (scaleout.intel_reload)
    const intel = new IntelHolder(store, o.log);
    const capabilities: Capabilities = { indicators: { list: (q) => intel.list(q), import: (text, by) => intel.import(text, by) }, ...(o.capabilities ?? {}) };
    const app = await buildHttp({
      store, tokens: TokenStore.forData(o.data), incidents, metrics,
      consoleDir: o.consoleDir === null ? undefined : (o.consoleDir ?? consoleDistDir()),
      health: () => ({ status: 'ok', role: 'api' }),
      capabilities,
      mounts: [taxiiMount(store, o.site)],
    }, { logger: false, ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}) });
    const role = new ApiRole(store, app, metrics);
    const at = resolveListeners(o.site, o.listen).http;
    if (at !== 'off') {
      await app.listen({ host: at.host, port: at.port });
      const addr = app.server.address();
      role.bound.http = { host: at.host, port: addr && typeof addr === 'object' ? addr.port : at.port };
      o.log(`listening http ${endpointText(role.bound.http)}`);
    }
    return role;
  }

  async stop(): Promise<void> {
    await this.http.close();
    await this.store.close();
  }
}
