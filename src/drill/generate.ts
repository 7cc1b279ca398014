/**
 * `tidewatch drill generate`: builds the carrier, weeks of normal telemetry, plays a campaign into it and
 * writes the dataset with its ground truth. Layout of the output folder (docs/DRILL.md):
 *
 *   tidewatch.yml                       the carrier's site file
 *   configs/current/<host>.cfg          latest config of every device
 *   configs/history/<host>/<stamp>.cfg  every snapshot the config backup took (first = initial)
 *   syslog/<host>.log                   device syslog as the collector received it
 *   tacacs/tac_plus.acct                TACACS+ accounting (tac_plus format)
 *   jumphost/<host>.log                 sshd logs of the NOC and LI jump hosts
 *   access/<system>.jsonl               LI / call-record access audit (issue 6 JSON Lines)
 *   access/warrants.json                the warrant register
 *   flows/<day>.pcap                    NetFlow v9 / IPFIX export packets, one capture per day
 *   intel/indicators.txt                the indicator list the carrier imported from advisories
 *   truth.jsonl                         every planted action (interfaces.md)
 *   manifest.json                       seed, scenario, sizes, counts
 */
import { mkdirSync, rmSync, utimesSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { buildCarrier, type Carrier } from './carrier.js';
import { initialConfig } from './configs.js';
import { DeviceLogs } from './devlog.js';
import { Emitter, iso, type Planted, type TruthRecord } from './emit.js';
import { FlowPlan } from './flowplan.js';
import { generateNormal } from './normal.js';
import { generateAccessNormal } from './access-normal.js';
import { Rng } from './rng.js';
import { loadScenario, type Scenario } from './scenario.js';
import { playScenario } from './campaign.js';
import { ConfigTimeline } from './timeline.js';
import { writeFlowCaptures } from './flows-out.js';

export interface GenerateOptions {
  seed: string;
  /** Scenario name (rules/drills), path, or `none`. */
  scenario: string;
  devices: number;
  days: number;
  out: string;
  /** Called with progress messages (stderr in the CLI). */
  log?: (msg: string) => void;
}

export interface GenerateResult {
  out: string;
  scenario: string;
  planted: number;
  files: number;
  lines: Record<string, number>;
  flows: number;
  start: string;
  end: string;
  campaign?: { start: string; end: string; skipped: number };
}

/** Published indicators the carrier imported (advisory lists); the scenarios decide which of their own addresses are in it. */
const ADVISORY_DECOYS = ['1.222.84.29', '23.227.202.253', '45.125.67.144', '103.91.64.214', '158.247.222.165', '165.154.227.192', '139.59.108.43', '185.105.1.243'];

export function siteObject(c: Carrier): Record<string, unknown> {
  return {
    organization: { name: `${c.name} SOC (drill)`, contact: `soc@${c.domain}` },
    internal_prefixes: c.internalPrefixes,
    management_hosts: ['10.40.0.0/24'],
    aaa_servers: c.aaa.map((h) => h.ip),
    syslog_servers: c.syslog.map((h) => h.ip),
    ntp_servers: c.ntp.map((h) => h.ip),
    snmp_managers: c.nms.map((h) => h.ip),
    approved_accounts: [c.breakglass, 'admin', 'netops', 'remote'],
    tunnel_peers: c.tunnelPeers,
    backup_servers: [c.backup.ip],
    service_accounts: [c.backupUser],
    flow_collectors: [c.collector.ip],
    devices: c.devices.map((d) => ({
      name: d.name, address: d.mgmt, role: d.role, platform: d.platform,
      addresses: d.ifaces.filter((i) => i.ip).map((i) => i.ip as string),
    })),
    flows: {
      // loopbacks, management and core links, and the edges' internet-facing addresses are device addresses
      device_prefixes: ['10.0.0.0/16', '10.20.0.0/16', '10.1.0.0/16', ...c.devices.filter((d) => d.publicIp).map((d) => d.publicIp as string)],
    },
    access: {
      jump_hosts: c.li.jumpHosts.flatMap((h) => [h.name, h.ip]),
      operators: c.li.operators.map((o) => ({ name: o.name, status: o.status, role: o.role })),
      bulk_export_bytes: 50_000_000,
      systems: c.li.systems.map((s) => s.name),
    },
  };
}

export async function generateDataset(opts: GenerateOptions): Promise<GenerateResult> {
  const log = opts.log ?? (() => undefined);
  const scenario: Scenario | undefined = opts.scenario === 'none' ? undefined : loadScenario(opts.scenario);
  const carrier = buildCarrier({ seed: opts.seed, devices: opts.devices, days: opts.days });
  const rng = new Rng(`drill:${opts.seed}`);
  const out = new Emitter();
  const logs = new DeviceLogs(carrier, out, rng.fork('logs'));
  const flows = new FlowPlan(carrier, rng.fork('flows'));
  const timelines = new Map<string, ConfigTimeline>();
  for (const d of carrier.devices) timelines.set(d.name, new ConfigTimeline(d, initialConfig(carrier, d, rng.fork(`cfg:${d.name}`)), carrier.start));

  log(`carrier: ${carrier.devices.length} devices in ${carrier.pops.length} points of presence, ${carrier.days} days from ${iso(carrier.start)}`);
  const ctx = { carrier, out, logs, timelines, flows, rng: rng.fork('normal') };
  generateNormal(ctx);
  generateAccessNormal({ ...ctx, rng: rng.fork('access') });
  flows.background();
  let campaign: GenerateResult['campaign'];
  if (scenario) {
    const r = playScenario({ ...ctx, rng: rng.fork('campaign') }, scenario);
    campaign = { start: iso(r.start), end: iso(r.end), skipped: r.skipped };
    log(`campaign ${scenario.name}: ${iso(r.start)} to ${iso(r.end)}${r.skipped ? `, ${r.skipped} step(s) past the end of the dataset were skipped` : ''}`);
  }

  // write
  const dir = opts.out;
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} is not empty and is not a drill dataset; refusing to overwrite it`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  // a manifest first, so an interrupted run still leaves a folder that the next run may replace
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ tool: 'tidewatch drill generate', status: 'incomplete' }) + '\n');
  const written: string[] = [];
  const write = (rel: string, text: string | Uint8Array) => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    written.push(rel);
  };
  const tagLines = new Map<string, { file: string; line: number }[]>();
  const addTag = (tag: string, file: string, line: number) => {
    const a = tagLines.get(tag) ?? [];
    a.push({ file, line });
    tagLines.set(tag, a);
  };
  const lines: Record<string, number> = {};
  for (const f of out.fileNames()) {
    const r = out.take(f);
    write(f, r.text);
    const stream = f.split('/')[0];
    lines[stream] = (lines[stream] ?? 0) + r.lines;
    for (const [tag, ls] of r.tags) for (const l of ls) addTag(tag, f, l);
  }
  for (const [name, tl] of timelines) {
    const snaps = tl.snapshots(carrier.end);
    const seen = new Set<string>();
    for (const s of snaps) {
      write(s.file, s.text);
      for (const [tag, ls] of s.tags) {
        if (seen.has(tag)) continue;
        seen.add(tag);
        for (const l of ls) addTag(tag, s.file, l);
      }
    }
    const last = snaps[snaps.length - 1];
    write(`configs/current/${name}.cfg`, last.text);
    for (const [tag, ls] of last.tags) for (const l of ls) addTag(tag, `configs/current/${name}.cfg`, l);
    lines.config = (lines.config ?? 0) + snaps.length;
  }
  const fl = await writeFlowCaptures(carrier, flows.flows, (rel, bytes) => write(rel, bytes));
  for (const [tag, ls] of fl.tags) for (const l of ls) addTag(tag, l.file, l.line);
  lines.flows = fl.records;

  write('tidewatch.yml', `# Site file of the synthetic carrier ${carrier.name} (tidewatch drill, seed ${opts.seed}).\n` + toYaml(siteObject(carrier)));
  write('access/warrants.json', JSON.stringify(carrier.li.warrants, null, 1) + '\n');
  const intel = [...new Set([...(scenario?.actor.in_intel ?? []), ...ADVISORY_DECOYS])].sort();
  write('intel/indicators.txt', '# Indicators imported from public advisories (drill dataset)\n' + intel.join('\n') + '\n');

  const truth: TruthRecord[] = [];
  const order = (p: Planted) => p.t;
  for (const p of [...out.planted].sort((a, b) => order(a) - order(b) || Number(a.id.slice(1)) - Number(b.id.slice(1)))) {
    const ls = [...(tagLines.get(p.id) ?? []), ...p.extra];
    if (ls.length === 0) continue;
    ls.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    truth.push({ time: iso(p.t), device: p.device, stream: p.stream, technique: p.technique, lines: ls, action: p.action, id: p.id, step: p.step });
  }
  write('truth.jsonl', truth.map((t) => JSON.stringify(t)).join('\n') + (truth.length ? '\n' : ''));
  const manifest = {
    tool: 'tidewatch drill generate',
    seed: opts.seed,
    scenario: scenario?.name ?? 'none',
    scenario_title: scenario?.title,
    stealth: scenario?.stealth,
    devices: carrier.devices.length,
    days: carrier.days,
    start: iso(carrier.start),
    end: iso(carrier.end),
    campaign,
    // the end of the learning history: the campaign's earliest possible start (midnight of its first day)
    learn_until: scenario ? iso(carrier.start + Math.floor(carrier.days * scenario.start.at) * 86400_000) : undefined,
    actor: scenario ? { addresses: scenario.actor.addresses, in_intel: scenario.actor.in_intel } : undefined,
    planted: truth.length,
    lines,
    files: written.length + 1,
  };
  write('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  // file times: the end of the dataset, so year-less syslog stamps resolve to the right year
  const mt = new Date(carrier.end);
  for (const f of written) utimesSync(join(dir, f), mt, mt);
  return {
    out: dir, scenario: manifest.scenario, planted: truth.length, files: written.length, lines, flows: fl.records,
    start: manifest.start, end: manifest.end, campaign,
  };
}
