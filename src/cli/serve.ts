import type { Command } from 'commander';
import { dataDir, loadSite } from '../site/load.js';
import { ConfigError } from '../serve/config.js';
import { Service } from '../serve/service.js';
import { UsageError } from './exit.js';
import { ROLES, type ServeRole } from '../serve/roles/options.js';
import { startRole } from '../serve/roles/index.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the live service: syslog/NetFlow listeners, detection, incidents, HTTP API and console')
    .option('--site <file>', 'site file', undefined)
    .option('--data <dir>', 'data directory (store, tokens, write-ahead log)')
    .option('--listen <name=host:port>', 'listener address; names: syslog-udp, syslog-tcp, syslog-tls, netflow, http; port 0 picks a free port; NAME=off turns one off (repeatable)',
      (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--role <role>', 'all (single process), or a scale-out role: collector, detector, store, api (docs/DEPLOY.md)', 'all')
    .option('--nats <url>', 'NATS server for the scale-out roles (repeatable; default: scaleout.nats in the site file)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--clickhouse <url>', 'ClickHouse HTTP endpoint, with user:password@ if needed (default: scaleout.clickhouse in the site file)')
    .option('--no-correlate', 'with --role store: insert events and flows only, beside the one store process that correlates alerts into incidents (to spread inserts over more processes)')
    .addHelpText('after', `
Defaults (all on 127.0.0.1): syslog UDP and TCP 5514, TLS 6514, NetFlow/IPFIX 2055, HTTP 8470.
The bound addresses are printed on stderr, one "listening NAME HOST:PORT" line each.
GET /health answers without a token; everything else needs "Authorization: Bearer TOKEN" (tidewatch token create).

Examples:
  tidewatch token create --role admin --name soc-lead
  tidewatch serve --site tidewatch.yml
  tidewatch serve --data /var/lib/tidewatch --listen http=127.0.0.1:0 --listen syslog-tls=off
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8470/api/v1/incidents?state=open

Scale-out (NATS JetStream + ClickHouse, docs/DEPLOY.md):
  tidewatch serve --role collector --nats nats://10.0.0.5:4222 --data /var/lib/tidewatch/collector
  tidewatch serve --role detector  --nats nats://10.0.0.5:4222 --data /var/lib/tidewatch/detector
  tidewatch serve --role store     --nats nats://10.0.0.5:4222 --clickhouse http://default:pw@10.0.0.6:8123
  tidewatch serve --role store --no-correlate --nats nats://10.0.0.5:4222 --clickhouse http://default:pw@10.0.0.6:8123   # more inserts
  tidewatch serve --role api       --clickhouse http://default:pw@10.0.0.6:8123 --listen http=0.0.0.0:8470`)
    .action(async (opts: { site?: string; data?: string; listen: string[]; role: string; nats: string[]; clickhouse?: string; correlate: boolean }) => {
      const site = loadSite(opts.site);
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${opts.role}")`);
      if (!opts.correlate && opts.role !== 'store') throw new UsageError('--no-correlate goes with --role store only');
      let svc: { stop(): Promise<void> };
      try {
        svc = opts.role === 'all'
          ? await Service.start({ site, data: dataDir(opts.data, site), listen: opts.listen })
          : await startRole(opts.role as Exclude<ServeRole, 'all'>, { site, data: dataDir(opts.data, site), listen: opts.listen, nats: opts.nats, clickhouse: opts.clickhouse, correlate: opts.correlate });
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (sig: string) => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(`tidewatch: ${sig}: stopping (draining the pipeline)\n`);
          svc.stop().then(resolve, (e) => {
            process.stderr.write(`tidewatch: error while stopping: ${(e as Error).message}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
