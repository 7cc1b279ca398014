// `tidewatch hunt` benchmark: all shipped rules (rules/sigma) and the SigmaHQ corpus rules (../shared/corpus/sigma)
// over generated device syslog, on one core, through the same code path as `tidewatch hunt` (HuntEngine +
// huntFiles: file reader, parsers, logsource routing, literal prefilter, compiled rules, correlations).
// Reports lines/s, MB/s and peak RSS, beside `grep -E -c` with the rules' literal patterns over the same file.
// Target from issue 3: at least 500,000 lines/s.
//
// Usage: npm run bench -- hunt            (BENCH_HUNT_MB=1024 by default; BENCH_HUNT_MB=50 for a quick run)
//        node bench/hunt/run.mjs [--profile] [--stages]   (--profile writes a V8 CPU profile of the hunt into the cwd;
//        --stages also measures reading, reading + literal scan, reading + scan + parsing alone, each in its own child)
// The generated file is cached in os.tmpdir() (tidewatch-bench-hunt-<MB>mb-v1.log) and reused.
import { createWriteStream, existsSync, statSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');
const MB = Number(process.env.BENCH_HUNT_MB ?? 1024);
const TARGET = 500_000;
const FILE = join(tmpdir(), `tidewatch-bench-hunt-${MB}mb-v1.log`);

/** The shared corpus, found the way test/corpus.ts finds it. */
function sharedDir() {
  const c = [resolve(REPO, '../shared'), process.env.TIDEWATCH_SHARED, '/work/shared'].filter(Boolean);
  for (const d of c) if (existsSync(join(d, 'corpus'))) return d;
  throw new Error(`shared corpus not found; looked in ${c.join(', ')}`);
}
const SIGMA_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sharedDir(), 'corpus', 'sigma', d));

// ---- 1. generated device syslog ---------------------------------------------------------------------------
let seed = 20261207;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
const pick = (a) => a[rnd() % a.length];
const ip = () => `10.${rnd() % 256}.${rnd() % 256}.${1 + (rnd() % 254)}`;
const pub = () => `${11 + (rnd() % 180)}.${rnd() % 256}.${rnd() % 256}.${1 + (rnd() % 254)}`;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const USERS = ['netops', 'alice', 'bob', 'rancid', 'oxidized', 'svc-nms', 'carol'];
const HOSTS = Array.from({ length: 200 }, (_, i) => `${pick(['pe', 'p', 'agg', 'bng', 'fw', 'leaf'])}${i}-${pick(['nyc', 'chi', 'dal', 'sea'])}`);
const IFS = ['GigabitEthernet0/0/1', 'TenGigabitEthernet1/0/3', 'Bundle-Ether12', 'Ethernet1/49', 'HundredGigE0/0/0/2'];
const CMDS = ['show running-config', 'show ip bgp summary', 'show interfaces description', 'terminal length 0', 'show version',
  'interface GigabitEthernet0/0/1', 'description uplink to core', 'show logging', 'ping 10.1.1.1', 'show clock', 'write memory',
  'ip route 10.20.0.0 255.255.0.0 10.1.1.1', 'router bgp 65000', 'show ip ospf neighbor', 'exit'];
let clock = Date.UTC(2026, 10, 23, 0, 0, 0);

function line() {
  clock += rnd() % 40;
  const d = new Date(clock);
  const mon = MON[d.getUTCMonth()], day = String(d.getUTCDate()).padStart(2, ' ');
  const hms = d.toISOString().slice(11, 19), ms = d.toISOString().slice(19, 23);
  const host = pick(HOSTS);
  const r = rnd() % 1000;
  // roughly the mix a carrier's collector sees: interface and routing churn, ACL logging, logins, commands
  if (r < 180) return `<189>${rnd() % 9999999}: ${host}: ${mon} ${day} ${hms}${ms} UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface ${pick(IFS)}, changed state to ${pick(['up', 'down'])}`;
  if (r < 300) return `<190>${mon} ${day} ${hms} ${host} ${rnd() % 999999}: ${mon} ${day} ${hms}${ms}: %SEC-6-IPACCESSLOGP: list ${pick(['177', 'MGMT', 'EDGE-IN'])} ${pick(['denied', 'permitted'])} ${pick(['tcp', 'udp'])} ${pub()}(${rnd() % 65535}) -> ${ip()}(${pick([22, 23, 161, 443, 179])}), 1 packet`;
  if (r < 400) return `<189>${host}: ${mon} ${day} ${hms}${ms} UTC: %BGP-5-ADJCHANGE: neighbor ${ip()} ${pick(['Up', 'Down BGP Notification sent'])}`;
  if (r < 470) return `<189>${rnd() % 9999999}: ${host}: ${mon} ${day} ${hms}${ms} UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:${pick(USERS)}  logged command:${pick(CMDS)}`;
  if (r < 530) return `<189>${host}: ${mon} ${day} ${hms}${ms} UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: ${pick(USERS)}] [Source: ${ip()}] [localport: 22] at ${hms} UTC ${pick(['Mon', 'Tue'])} ${mon} ${day} 2026`;
  if (r < 560) return `<188>${host}: ${mon} ${day} ${hms}${ms} UTC: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: ${pick(USERS)}] [Source: ${ip()}] [localport: 22] [Reason: Login Authentication Failed] at ${hms} UTC Tue ${mon} ${day} 2026`;
  if (r < 590) return `<189>${host}: ${mon} ${day} ${hms}${ms} UTC: %SYS-5-CONFIG_I: Configured from console by ${pick(USERS)} on vty${rnd() % 5} (${ip()})`;
  if (r < 640) return `<190>${mon} ${day} ${hms} ${host} RP/0/RP0/CPU0:${mon} ${day} ${hms}${ms} UTC: ${pick(['bgp', 'ifmgr', 'config'])}[${1000 + (rnd() % 60000)}]: %ROUTING-BGP-5-ADJCHANGE : neighbor ${ip()} ${pick(['Up', 'Down - Hold timer expired'])} (VRF: default) (AS: ${64512 + (rnd() % 1000)})`;
  if (r < 690) return `<189>${host}: 2026 ${mon} ${day} ${hms} UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/${rnd() % 48} is down (Link failure)`;
  if (r < 740) return `${mon} ${day} ${hms} ${host} mgd[${rnd() % 99999}]: UI_CMDLINE_READ_LINE: User '${pick(USERS)}', command '${pick(CMDS)} '`;
  if (r < 780) return `${mon} ${day} ${hms} ${host} rpd[${rnd() % 9999}]: BGP_IO_ERROR_CLOSE_SESSION: BGP peer ${ip()} (External AS ${64512 + (rnd() % 1000)}): Error event Operation timed out(60) for I/O session - closing it`;
  if (r < 820) return `${mon} ${day} ${hms} ${host} Aaa: %ACCOUNTING-6-CMD: ${pick(USERS)} vty${rnd() % 9} ${ip()} stop task_id=${rnd() % 9999} start_time=1763856000.0 timezone=UTC service=shell priv-lvl=15 cmd=${pick(CMDS)} <cr>`;
  if (r < 900) return `${mon} ${day} 2026 ${hms} ${host} : %ASA-6-302013: Built ${pick(['inbound', 'outbound'])} TCP connection ${rnd()} for outside:${pub()}/${rnd() % 65535} (${pub()}/${rnd() % 65535}) to inside:${ip()}/443 (${ip()}/443)`;
  if (r < 940) return `<86>${mon} ${day} ${hms} tacsrv tac_plus[812]: ${ip()} ${pick(USERS)} tty${rnd() % 9} ${ip()} stop task_id=${rnd() % 99999} service=shell priv-lvl=15 cmd=${pick(CMDS)} <cr>`;
  if (r < 985) return `${mon} ${day} ${hms} jump${rnd() % 4} sshd[${rnd() % 99999}]: Accepted publickey for ${pick(USERS)} from ${ip()} port ${1024 + (rnd() % 60000)} ssh2: ED25519 SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG`;
  if (r < 998) return `${mon} ${day} ${hms} jump${rnd() % 4} sudo: ${pick(USERS)} : TTY=pts/${rnd() % 9} ; PWD=/home/${pick(USERS)} ; USER=root ; COMMAND=/usr/bin/systemctl status rsyslog`;
  // a sprinkle of intruder activity (0.2%) so rules fire and alert output is part of the cost
  return `<189>${rnd() % 9999999}: ${host}: ${mon} ${day} ${hms}${ms} UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:${pick(USERS)}  logged command:${pick(['access-list 20 permit host ' + pub(), 'monitor capture mycap start', 'copy running-config tftp://' + pub() + '/r.cfg', 'ip ssh port 22022 rotary 1', 'interface Tunnel' + (rnd() % 999)])}`;
}

async function generate() {
  const tmp = `${FILE}.${process.pid}.part`;
  const out = createWriteStream(tmp);
  const limit = MB * 1024 * 1024;
  let bytes = 0;
  process.stderr.write(`generating ${MB} MB of device syslog into ${FILE} ... `);
  while (bytes < limit) {
    const chunk = [];
    let n = 0;
    while (n < 1 << 20) { const l = line() + '\n'; chunk.push(l); n += l.length; }
    bytes += n;
    if (!out.write(chunk.join(''))) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  renameSync(tmp, FILE);
  process.stderr.write('done\n');
}

// ---- 2. the measured run (a child process, pinned to one core, so RSS and CPU are the hunt's own) -------------
async function measure() {
  const { HuntEngine, huntFiles, SHIPPED_RULES } = await import(join(REPO, 'dist/src/pipeline/hunt.js'));
  const t0 = performance.now();
  const engine = new HuntEngine({ rules: [SHIPPED_RULES(), ...SIGMA_DIRS] });
  const loadMs = performance.now() - t0;
  let alerts = 0;
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const sum = await huntFiles([FILE], { engine, onAlert: () => { alerts++; } });
  const s = (performance.now() - t1) / 1000;
  const hc = process.cpuUsage(c1);
  const ru = process.resourceUsage();
  const lits = engine.sigma.literals;
  process.stdout.write(JSON.stringify({
    rules: engine.sigma.ruleCount, rejected: engine.errors.length, loadMs, seconds: s, cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, huntCpuSeconds: (hc.user + hc.system) / 1e6,
    lines: sum.lines, events: sum.events, unparsed: sum.unparsed, alerts, maxRssMB: ru.maxRSS / 1024,
    stats: engine.sigma.stats, literals: lits, prefilterable: engine.sigma.rules.filter((r) => r.lits).length, detections: engine.sigma.rules.length,
  }) + '\n');
}

/**
 * --stages: what the hunt costs up to each stage, each in its own pinned child (CPU seconds): reading and
 * splitting lines; + the prefilter's literal scan of every line; + parsing every line; the whole hunt is the
 * main measurement. The difference between them is what each stage adds.
 */
async function measureStage(stage) {
  const { openInput, readLineTexts } = await import(join(REPO, 'dist/src/sources/lines.js'));
  const { parseEvent } = await import(join(REPO, 'dist/src/parsers/index.js'));
  const { HuntEngine } = await import(join(REPO, 'dist/src/pipeline/hunt.js'));
  const scanner = new HuntEngine({ rules: [SHIPPED_RULES_DIR, ...SIGMA_DIRS] }).sigma.scanner;
  const ctx = { file: FILE, refMs: statSync(FILE).mtimeMs };
  const scan = stage !== 'read', parse = stage === 'parse';
  const c0 = process.cpuUsage();
  let lines = 0, x = 0;
  for await (const b of readLineTexts(await openInput(FILE), 256)) {
    for (const t of b.texts) {
      lines++;
      if (scan) x += scanner.scan(t);
      if (parse && typeof parseEvent(t, ctx) !== 'string') x++;
    }
  }
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ stage, lines, cpuSeconds: (c.user + c.system) / 1e6, x }) + '\n');
}
const SHIPPED_RULES_DIR = join(REPO, 'rules', 'sigma');

if (process.argv.includes('--measure')) {
  await measure();
} else if (process.argv.includes('--measure-stage')) {
  await measureStage(process.argv[process.argv.indexOf('--measure-stage') + 1]);
} else {
  if (!existsSync(join(REPO, 'dist/src/pipeline/hunt.js'))) throw new Error('build first: npx tsc -p tsconfig.json');
  if (!existsSync(FILE)) await generate();
  const size = statSync(FILE).size;
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0 ? ['taskset', '-c', '0'] : [];
  const profile = process.argv.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir=.'] : [];
  const cmd = [...pin, process.execPath, ...profile, fileURLToPath(import.meta.url), '--measure'];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`measured run failed (${r.status})`);
  const m = JSON.parse(r.stdout);

  // reference: grep -E -c over the same file with the rules' literal patterns (what the prefilter scans for)
  const patFile = join(tmpdir(), `tidewatch-bench-hunt-patterns-${process.pid}.txt`);
  writeFileSync(patFile, m.literals.map((l) => l.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&')).join('\n') + '\n');
  const g0 = performance.now();
  const g = spawnSync(...(pin.length ? ['taskset', ['-c', '0', 'grep', '-E', '-c', '-i', '-f', patFile, FILE]] : ['grep', ['-E', '-c', '-i', '-f', patFile, FILE]]), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const gs = (performance.now() - g0) / 1000;
  rmSync(patFile, { force: true });
  const grepLines = Number(g.stdout.trim());

  const f = (n) => Math.round(n).toLocaleString('en-US');
  const lps = m.lines / m.seconds, mbps = size / 1048576 / m.seconds;
  const glps = m.lines / gs, gmbps = size / 1048576 / gs;
  console.log(`input           ${FILE} (${(size / 1048576).toFixed(0)} MB, ${f(m.lines)} lines; ${f(m.unparsed)} unparsed)`);
  console.log(`rules           ${m.rules} loaded (${m.detections} detections, ${m.prefilterable} prefiltered on ${m.literals.length} literals), ${m.rejected} rejected, compiled in ${m.loadMs.toFixed(0)} ms`);
  console.log(`tidewatch hunt  ${f(lps)} lines/s, ${mbps.toFixed(1)} MB/s, ${m.seconds.toFixed(1)} s wall, ${m.cpuSeconds.toFixed(1)} s CPU, peak RSS ${m.maxRssMB.toFixed(0)} MB, ${f(m.alerts)} alerts`);
  console.log(`                ${f(m.stats.evaluated)} rule evaluations after routing, ${f(m.stats.prefiltered)} skipped by the prefilter`);
  console.log(`grep -E -c -i   ${f(glps)} lines/s, ${gmbps.toFixed(1)} MB/s, ${gs.toFixed(1)} s (${f(grepLines)} lines hold a literal; LC_ALL=C, ${m.literals.length} patterns${g.status > 1 ? `, grep failed: ${g.stderr.trim()}` : ''})`);
  console.log(`ratio           tidewatch takes ${(m.seconds / gs).toFixed(2)}x grep's time`);
  console.log(`target          ${f(TARGET)} lines/s: ${lps >= TARGET ? 'met' : 'NOT met'}${pin.length ? ' (pinned to CPU 0 with taskset)' : ' (taskset not found: not pinned)'}`);
  console.log(`per CPU-second  ${f(m.lines / m.huntCpuSeconds)} lines/s (${(m.huntCpuSeconds * 1e6 / m.lines).toFixed(2)} us of CPU per line; ${m.huntCpuSeconds.toFixed(2)} s CPU in huntFiles, after loading the rules)`);
  if (process.argv.includes('--stages')) {
    const st = {};
    for (const stage of ['read', 'scan', 'parse']) {
      const c = [...pin, process.execPath, fileURLToPath(import.meta.url), '--measure-stage', stage];
      const sr = spawnSync(c[0], c.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (sr.status !== 0) throw new Error(`stage ${stage} failed (${sr.status})`);
      st[stage] = JSON.parse(sr.stdout).cpuSeconds;
    }
    const us = (sec) => (sec * 1e6 / m.lines).toFixed(2);
    console.log(`stages (CPU)    read + split ${st.read.toFixed(2)} s (${us(st.read)} us/line); + literal scan ${(st.scan - st.read).toFixed(2)} s (${us(st.scan - st.read)}); + parse ${(st.parse - st.scan).toFixed(2)} s (${us(st.parse - st.scan)}); the rest of the hunt (routing, rules, correlations, alerts) ${(m.huntCpuSeconds - st.parse).toFixed(2)} s (${us(m.huntCpuSeconds - st.parse)})`);
  }
}
