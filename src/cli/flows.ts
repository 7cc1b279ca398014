import type { Command } from 'commander';
import type { Alert } from '../model/alert.js';
import type { FlowRecord } from '../model/flow.js';
import { dataDir, loadSite } from '../site/load.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { loadIntelOption } from './intel.js';
import { FlowAnalytics, FlowDecoder, readFlowFiles, type FlowReadStats, type DecoderStats } from '../pipeline/flows.js';
import { CaptureError } from '../sources/pcap.js';
import { receiveBufferText, udpKernelStats } from '../sources/udp-stats.js';
import { UdpReader, yieldToReceiveThread } from '../sources/udp-reader.js';
import { FlowSettingsError } from '../detectors/flows/settings.js';
import { parseDuration } from '../correlation/rules.js';
import { JsonlWriter, parseFormat, renderTable, warn, writeOut, type Column } from './output.js';
import { EXIT_FOUND, UsageError } from './exit.js';
import { Progress } from './progress.js';

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmpv6', 4: 'ipip', 41: 'ipv6ip', 132: 'sctp' };

const FLOW_COLUMNS: Column<FlowRecord>[] = [
  { header: 'start', get: (f) => f.time_start },
  { header: 'end', get: (f) => f.time_end },
  { header: 'exporter', get: (f) => f.exporter },
  { header: 'proto', get: (f) => PROTO[f.protocol] ?? f.protocol },
  { header: 'src', get: (f) => f.src_ip, max: 39 },
  { header: 'sport', get: (f) => f.src_port },
  { header: 'dst', get: (f) => f.dst_ip, max: 39 },
  { header: 'dport', get: (f) => f.dst_port },
  { header: 'bytes', get: (f) => f.bytes },
  { header: 'pkts', get: (f) => f.packets },
  { header: 'in', get: (f) => f.input_if },
  { header: 'out', get: (f) => f.output_if },
  { header: 'v', get: (f) => f.version },
  { header: 'sampling', get: (f) => f.sampling_rate },
];

const ALERT_COLUMNS: Column<Alert>[] = [
  { header: 'time', get: (a) => a.time },
  { header: 'severity', get: (a) => a.severity },
  { header: 'rule', get: (a) => a.rule.id },
  { header: 'attack', get: (a) => a.attack },
  { header: 'title', get: (a) => a.rule.title, max: 60 },
  { header: 'ips', get: (a) => a.entities?.ips, max: 50 },
];

interface CommonOpts { site?: string; data?: string; db?: string; format?: string; alerts?: boolean; iocs?: string[]; intel?: boolean; stats?: boolean }

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function defaultFormat(): 'table' | 'jsonl' {
  return process.stdout.isTTY ? 'table' : 'jsonl';
}

async function analyticsFor(opts: CommonOpts, site: ReturnType<typeof loadSite>): Promise<FlowAnalytics | undefined> {
  if (!opts.alerts && !opts.iocs?.length && !opts.intel) return undefined;
  try {
    const a = new FlowAnalytics({ site });
    // indicators (STIX, MISP or lists from --iocs, and with --intel the store's): both ends of every flow
    const intel = await loadIntelOption({ iocs: opts.iocs, intel: opts.intel, data: opts.data, db: opts.db, site });
    if (intel) a.addMatcher((f) => intel.matchFlow(f));
    return a;
  } catch (e) {
    if (e instanceof FlowSettingsError) throw new UsageError(e.message);
    throw e;
  }
}

async function storeFor(opts: CommonOpts, site: ReturnType<typeof loadSite>): Promise<Store | undefined> {
  if (!opts.db && !opts.data) return undefined;
  return openStore({ data: dataDir(opts.data, site), db: opts.db });
}

/** Human summary of the counters, for stderr. */
export function statsText(s: { decoder: DecoderStats } & Partial<FlowReadStats>): string {
  const d = s.decoder;
  const drops = Object.entries(d.dropped).filter(([, n]) => n > 0).map(([r, n]) => `${r}=${n}`).join(' ') || 'none';
  const lines = [
    ...(s.files !== undefined ? [`files ${s.files}, frames ${s.frames}, udp datagrams ${s.datagrams}`] : []),
    `packets ${d.packets} (v5 ${d.byVersion[5]}, v9 ${d.byVersion[9]}, ipfix ${d.byVersion[10]}), records ${d.records}, options records ${d.optionRecords}`,
    `templates ${d.templates}, options templates ${d.optionTemplates}, withdrawals ${d.templateWithdrawals}, held then decoded ${d.pendingDecoded}`,
    `dropped: ${drops}`,
  ];
  if (s.capture) {
    const sk = Object.entries(s.capture).filter(([, n]) => n > 0).map(([r, n]) => `${r}=${n}`).join(' ');
    if (sk) lines.push(`capture frames skipped: ${sk}`);
  }
  if (s.alerts !== undefined) lines.push(`alerts ${s.alerts}`);
  return lines.map((l) => `stats: ${l}`).join('\n') + '\n';
}

export function register(program: Command): void {
  const flows = program
    .command('flows')
    .description('NetFlow v5/v9 and IPFIX: decode captures, collect over UDP, find tunnels, strangers on the management plane, exfiltration and beacons')
    .addHelpText('after', `
Examples:
  tidewatch flows read --format jsonl capture.pcap
  tidewatch flows read --alerts --site tidewatch.yml templates.pcap data.pcap
  tidewatch flows collect --listen udp://127.0.0.1:2055 --db flows.duckdb --alerts
  tidewatch flows top --by pair --since 24h --db flows.duckdb

See docs/FLOWS.md for the record fields, the detections and the counters.`);

  flows
    .command('read')
    .description('Decode NetFlow/IPFIX inside capture files (pcap, pcapng, raw datagrams), read as one stream in the order given')
    .argument('<file...>', 'capture files; templates learned from one decode data in the next')
    .option('--format <fmt>', 'table, json or jsonl (default: table on a terminal, else jsonl)')
    .option('--alerts', 'run the flow analytics and print alerts too (jsonl: lines with "kind":"alert"); exit 1 when any')
    .option('--iocs <file>', 'indicators (STIX 2.1 bundle, MISP event or list of IPs/CIDRs): alert on flows to or from them (implies --alerts; repeatable)', collect)
    .option('--intel', 'also match the indicators imported into the store (tidewatch intel import; implies --alerts)')
    .option('--site <file>', 'site file (default ./tidewatch.yml)')
    .option('--data <dir>', 'data directory; with it (or --db) flows and alerts are stored')
    .option('--db <file>', 'DuckDB store file to add the flows (and alerts) to')
    .option('--stats', 'print decoder counters (records, templates, drops by reason) on stderr')
    .addHelpText('after', `
Output (jsonl): one flow per line with exporter, time_start, time_end, src_ip, dst_ip, src_port, dst_port,
protocol, bytes, packets, input_if, output_if, tcp_flags, version (5, 9 or 10) and sampling_rate when known.
With --alerts, alerts follow as lines with "kind":"alert".

Examples:
  tidewatch flows read --format jsonl nfv5.pcap
  tidewatch flows read --stats --format jsonl template.pcap data.pcap > flows.jsonl
  tidewatch flows read --alerts --iocs bad-ips.txt --site tidewatch.yml --db flows.duckdb capture.pcapng

Exit status: 0 no alerts (or --alerts not given), 1 alerts found, 2 usage or input error.`)
    .action(async (files: string[], opts: CommonOpts) => {
      const format = parseFormat(opts.format, ['table', 'json', 'jsonl'], defaultFormat());
      const site = loadSite(opts.site);
      const analytics = await analyticsFor(opts, site);
      const store = await storeFor(opts, site);
      const out = new JsonlWriter();
      const tableFlows: FlowRecord[] = [];
      const allAlerts: Alert[] = [];
      const progress = new Progress('reading');
      let result;
      try {
        result = await readFlowFiles(files, {
          analytics,
          onDatagram: (f) => progress.tick(1, f),
          onRecords: async (batch) => {
            if (store) await store.insertFlows(batch);
            if (format === 'jsonl') for (const r of batch) await out.write(r);
            else for (const r of batch) tableFlows.push(r);
          },
          onAlerts: async (batch) => {
            for (const a of batch) allAlerts.push(a);
          },
        });
      } catch (e) {
        if (e instanceof CaptureError) throw new UsageError(e.message);
        throw e;
      } finally {
        progress.end();
      }
      if (store && allAlerts.length) await store.insertAlerts(allAlerts);
      if (store) await store.close();
      if (format === 'jsonl') {
        for (const a of allAlerts) await out.write({ kind: 'alert', ...a });
        await out.flush();
      } else if (format === 'json') {
        const doc: Record<string, unknown> = { flows: tableFlows };
        if (analytics) doc.alerts = allAlerts;
        if (opts.stats) doc.stats = result.stats;
        await writeOut(JSON.stringify(doc, null, 2) + '\n');
      } else {
        await writeOut(renderTable(tableFlows, FLOW_COLUMNS));
        if (analytics) {
          await writeOut(allAlerts.length ? '\n' + renderTable(allAlerts, ALERT_COLUMNS) : '\nno alerts\n');
        }
      }
      for (const p of result.stats.problems) warn(p);
      if (opts.stats) process.stderr.write(statsText(result.stats));
      if (analytics && allAlerts.length) process.exitCode = EXIT_FOUND;
    });

  flows
    .command('collect')
    .description('Listen for NetFlow/IPFIX over UDP, decode, run analytics, print and/or store the flows')
    .requiredOption('--listen <url>', 'udp://HOST:PORT to listen on (port 0 picks a free port)')
    .option('--format <fmt>', 'table or jsonl for printed records (default: jsonl)')
    .option('--quiet', 'print no records (store them, count them)')
    .option('--alerts', 'run the flow analytics; alerts print as "kind":"alert" lines and are stored')
    .option('--iocs <file>', 'indicators (STIX 2.1 bundle, MISP event or list of IPs/CIDRs; implies --alerts; repeatable)', collect)
    .option('--intel', 'also match the indicators imported into the store (implies --alerts)')
    .option('--site <file>', 'site file (default ./tidewatch.yml)')
    .option('--data <dir>', 'data directory; with it (or --db) flows and alerts are stored')
    .option('--db <file>', 'DuckDB store file')
    .option('--rcvbuf <bytes>', 'socket receive buffer (default 8388608, capped by the kernel)', '8388608')
    .option('--stats', 'print counters on stderr every 10 s and at exit')
    .option('--no-receive-first', 'keep decoding at normal priority (by default the thread that decodes and analyses runs at nice 10, below the receive thread, so the socket is emptied first)')
    .addHelpText('after', `
Stops on SIGINT or SIGTERM, after storing what it holds; prints "listening udp://HOST:PORT" on stderr once bound.

Examples:
  tidewatch flows collect --listen udp://127.0.0.1:2055 --format jsonl
  tidewatch flows collect --listen udp://0.0.0.0:4739 --quiet --alerts --site tidewatch.yml --db flows.duckdb --stats`)
    .action(async (opts: CommonOpts & { listen: string; quiet?: boolean; rcvbuf: string; receiveFirst?: boolean }) => {
      const m = /^udp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(opts.listen);
      if (!m) throw new UsageError(`--listen must look like udp://HOST:PORT (got "${opts.listen}")`);
      const host = m[1].replace(/^\[|\]$/g, '');
      const port = Number(m[2]);
      if (port > 65535) throw new UsageError(`--listen: port ${port} is out of range`);
      const format = parseFormat(opts.format, ['table', 'jsonl'], 'jsonl');
      const site = loadSite(opts.site);
      const analytics = await analyticsFor(opts, site);
      const store = await storeFor(opts, site);
      const decoder = new FlowDecoder();
      const out = new JsonlWriter();
      let scheduled = false;
      let storeQueue: FlowRecord[] = [];
      let alertQueue: Alert[] = [];
      let printFlows: FlowRecord[] = [];
      let printAlerts: Alert[] = [];
      let storing: Promise<void> = Promise.resolve();
      let storeDropped = 0;
      const STORE_MAX = 2_000_000;
      // hot path: analytics run synchronously on batches of about 512 records as they are decoded, so a batch's
      // records die young (batches of tens of thousands of records outlived young-generation collections: garbage
      // collection was a third of this thread in a profile at 400 k records/s); printing and the store come after
      const take = (b: FlowRecord[]) => {
        const alerts = analytics ? analytics.process(b) : [];
        if (store) {
          if (storeQueue.length + b.length > STORE_MAX) storeDropped += b.length;
          else for (const r of b) storeQueue.push(r);
          for (const a of alerts) alertQueue.push(a);
        }
        if (!opts.quiet) for (const r of b) printFlows.push(r);
        for (const a of alerts) printAlerts.push(a);
        if ((printFlows.length || printAlerts.length) && !scheduled) { scheduled = true; setImmediate(() => void drain()); }
      };
      const drain = async () => {
        scheduled = false;
        const b = printFlows;
        const alerts = printAlerts;
        printFlows = [];
        printAlerts = [];
        if (b.length) {
          if (format === 'jsonl') for (const r of b) await out.write(r);
          else await writeOut(renderTable(b, FLOW_COLUMNS));
        }
        if (alerts.length) {
          if (format === 'jsonl') for (const a of alerts) await out.write({ kind: 'alert', ...a });
          else await writeOut(renderTable(alerts, ALERT_COLUMNS));
        }
        await out.flush();
      };
      const flushStore = () => {
        if (!store) return storing;
        storing = storing.then(async () => {
          const rows = storeQueue; storeQueue = [];
          const al = alertQueue; alertQueue = [];
          if (rows.length) await store.insertFlows(rows);
          if (al.length) await store.insertAlerts(al);
        }).catch((e) => warn(`store: ${(e as Error).message}`));
        return storing;
      };
      // the socket is read in its own thread (src/sources/udp-reader.ts), so it keeps being drained while this
      // thread decodes and runs the analytics; at most 256 MiB of datagrams wait here, beyond that they are dropped
      // and counted (stats: "dropped by the receive thread")
      let reader: UdpReader;
      try {
        reader = await UdpReader.start({ host, port, recvBuffer: Number(opts.rcvbuf) || 0, maxPending: 256 * 2 ** 20, peerPort: false, onError: (e) => warn(`socket: ${e.message}`) }, (data, lengths, peers) => {
          // hot path: one call per batch of up to 2,048 datagrams
          const now = Date.now();
          let batch: FlowRecord[] = [];
          let off = 0;
          for (let i = 0; i < lengths.length; i++) {
            decoder.feedInto(batch, data.subarray(off, off + lengths[i]), peers[i], now);
            off += lengths[i];
            if (batch.length >= 512) { take(batch); batch = []; }
          }
          if (batch.length) take(batch);
        }, `--listen ${opts.listen}`);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      // the receive thread goes first (see yieldToReceiveThread); --no-receive-first keeps the decoder's priority
      if (opts.receiveFirst !== false) yieldToReceiveThread();
      // SIGINT/SIGTERM handled from before "listening" is printed: a supervisor (or test) that stops the collector
      // as soon as it is announced must get the orderly stop, not the default kill
      const stopped = new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const addr = reader.address();
      process.stderr.write(`listening udp://${reader.v6 ? `[${addr.host}]` : addr.host}:${addr.port}\n`);
      // the kernel's side of loss: the buffer it granted (capped by net.core.rmem_max) and the datagrams it dropped
      const asked = Number(opts.rcvbuf) || 0;
      const sockText = () => `stats: ${receiveBufferText(reader.recvBufferSize(), asked, udpKernelStats(addr.port, reader.v6))}\nstats: socket read by ${reader.receivePath()}\n`;
      const timers = [
        setInterval(() => { decoder.tick(); void flushStore(); }, 1000),
        ...(opts.stats ? [setInterval(() => process.stderr.write(statsText({ decoder: decoder.stats(), alerts: analytics?.alerts }) + sockText()), 10_000)] : []),
      ];
      await stopped;
      for (const t of timers) clearInterval(t);
      const finalSock = opts.stats ? sockText() : '';
      await reader.close();
      await drain();
      decoder.flush();
      await flushStore();
      if (store) await store.close();
      await out.flush();
      if (opts.stats) {
        process.stderr.write(statsText({ decoder: decoder.stats(), alerts: analytics?.alerts }) + finalSock);
        if (reader.queueDrops()) process.stderr.write(`stats: datagrams dropped by the receive thread because decoding fell 256 MiB behind: ${reader.queueDrops()}\n`);
        if (storeDropped) process.stderr.write(`stats: records not stored because the store fell behind: ${storeDropped}\n`);
      }
    });

  flows
    .command('top')
    .description('Top talkers from the stored flows, by bytes')
    .requiredOption('--by <key>', 'src, dst, pair or port')
    .option('--since <duration>', 'how far back: a duration (30m, 24h, 7d) before now, an ISO time, or "all"', '24h')
    .option('--until <time>', 'ISO time the window ends (default: now)')
    .option('--limit <n>', 'rows (1-1000)', '10')
    .option('--format <fmt>', 'table, json or jsonl')
    .option('--site <file>', 'site file (default ./tidewatch.yml)')
    .option('--data <dir>', 'data directory holding the store')
    .option('--db <file>', 'DuckDB store file')
    .addHelpText('after', `
Examples:
  tidewatch flows top --by src --since 1h --db flows.duckdb
  tidewatch flows top --by port --since all --format jsonl --db flows.duckdb`)
    .action(async (opts: CommonOpts & { by: string; since: string; until?: string; limit: string }) => {
      const by = opts.by;
      if (by !== 'src' && by !== 'dst' && by !== 'pair' && by !== 'port') throw new UsageError(`--by must be one of src, dst, pair, port (got "${by}")`);
      const format = parseFormat(opts.format, ['table', 'json', 'jsonl'], process.stdout.isTTY ? 'table' : 'jsonl');
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be an integer from 1 to 1000 (got "${opts.limit}")`);
      let since: string | undefined;
      if (opts.since !== 'all') {
        const d = parseDuration(opts.since);
        if (d !== undefined) since = new Date(Date.now() - d).toISOString();
        else if (!Number.isNaN(Date.parse(opts.since))) since = new Date(opts.since).toISOString();
        else throw new UsageError(`--since must be a duration like 30m, 24h, 7d, an ISO time or "all" (got "${opts.since}")`);
      }
      let until: string | undefined;
      if (opts.until) {
        if (Number.isNaN(Date.parse(opts.until))) throw new UsageError(`--until must be an ISO time (got "${opts.until}")`);
        until = new Date(opts.until).toISOString();
      }
      const site = loadSite(opts.site);
      const store = await openStore({ data: dataDir(opts.data, site), db: opts.db });
      let rows;
      try {
        rows = await store.flowTop({ by, since, until, limit });
      } finally {
        await store.close();
      }
      if (format === 'json') await writeOut(JSON.stringify({ by, since: since ?? null, until: until ?? null, items: rows }, null, 2) + '\n');
      else if (format === 'jsonl') await writeOut(rows.map((r) => JSON.stringify(r) + '\n').join(''));
      else await writeOut(renderTable(rows, [
        { header: by, get: (r) => r.key, max: 83 }, { header: 'bytes', get: (r) => r.bytes }, { header: 'packets', get: (r) => r.packets }, { header: 'flows', get: (r) => r.flows },
      ]));
    });
}
