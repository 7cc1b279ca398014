import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from '../model/site.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { IncidentManager } from '../correlation/manager.js';
import { ConfigError, endpointText, isLoopback, loadTls, resolveListeners, type Endpoint, type ListenerName } from './config.js';
import type { ApiContext, Capabilities } from './context.js';
import { buildHttp, consoleDistDir } from './http.js';
import { Metrics } from './metrics.js';
import { TokenStore } from './tokens.js';

export interface ServeOptions {
  site: SiteConfig;
  data: string;
  /** `--listen NAME=HOST:PORT` overrides. */
  listen?: readonly string[];
  /** Where `listening NAME HOST:PORT` lines and logs go (stderr by default). */
  log?: (line: string) => void;
  /** Console folder to serve at `/` (default: console/dist when built; null: none). */
  consoleDir?: string | null;
}

/**
 * `tidewatch serve`: one process running sources -> parse -> detect -> correlate -> store/sinks, with the HTTP API.
 * Each stage is a separate object joined by queues (docs/SERVE.md), so the scale-out roles can put a bus between them.
 */
export class Service {
  readonly bound: Partial<Record<ListenerName, Endpoint>> = {};
  private http?: FastifyInstance;
  private accepting = false;
  private stopped = false;

  private constructor(
    readonly opts: ServeOptions,
    readonly store: Store,
    readonly tokens: TokenStore,
    readonly metrics: Metrics,
    readonly incidents: IncidentManager,
  ) {}

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(l + '\n')))(line);
  }

  static async start(opts: ServeOptions): Promise<Service> {
    const listeners = resolveListeners(opts.site, opts.listen ?? []);
    const tls = loadTls(opts.site);
    const tokens = TokenStore.forData(opts.data);
    const http = listeners.http;
    if (http !== 'off' && !isLoopback(http.host)) {
      const missing = [!tls ? 'TLS (serve.tls in the site file)' : '', tokens.count === 0 ? `API tokens (tidewatch token create --data ${opts.data})` : ''].filter(Boolean);
      if (missing.length) {
        throw new ConfigError(`refusing to serve HTTP on ${endpointText(http)}, which is not a loopback address, without ${missing.join(' and ')}`);
      }
    }
    const store = await openStore({ data: opts.data });
    let svc: Service | undefined;
    try {
      const metrics = new Metrics({ store, openIncidents: () => svc?.incidents.openCount ?? 0 });
      const incidents = await IncidentManager.open(store, {
        site: opts.site,
        events: {
          onAlerts: (alerts) => { for (const a of alerts) metrics.alerts.inc({ detector: a.detector }); },
        },
      });
      svc = new Service(opts, store, tokens, metrics, incidents);
      await svc.startListeners(listeners, tls);
      metrics.startRates();
      svc.accepting = true;
      return svc;
    } catch (e) {
      await svc?.stop().catch(() => undefined);
      if (!svc) await store.close().catch(() => undefined);
      throw e;
    }
  }

  private capabilities(): Capabilities {
    return {};
  }

  private async startListeners(listeners: Record<ListenerName, Endpoint | 'off'>, tls: ReturnType<typeof loadTls>): Promise<void> {
    const http = listeners.http;
    if (http !== 'off') {
      const ctx: ApiContext = {
        store: this.store, tokens: this.tokens, incidents: this.incidents, metrics: this.metrics,
        consoleDir: this.opts.consoleDir === null ? undefined : (this.opts.consoleDir ?? consoleDistDir()),
        health: () => (this.accepting ? { status: 'ok' } : { status: 'starting' }),
        capabilities: this.capabilities(),
      };
      this.http = await buildHttp(ctx, {
        logger: { level: 'warn', stream: process.stderr } as never,
        ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
      });
      await this.http.listen({ host: http.host, port: http.port });
      const addr = this.http.server.address();
      if (addr && typeof addr === 'object') this.announce('http', { host: http.host, port: addr.port });
    }
  }

  private announce(name: ListenerName, e: Endpoint): void {
    this.bound[name] = e;
    this.log(`listening ${name} ${endpointText(e)}`);
  }

  /** Stops listeners, drains the pipeline, closes the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.accepting = false;
    this.metrics.stop();
    await this.http?.close();
    await this.incidents.idle();
    await this.store.close();
  }
}
