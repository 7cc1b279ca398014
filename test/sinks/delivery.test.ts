// Alert delivery sinks against real local receivers: an HTTP server (HMAC, retry, refusal, no blocking), a UDP
// socket (RFC 5424), a TCP server (CEF, octet counting) and a JSON Lines file (OCSF Detection Finding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Alert } from '../../src/model/alert.js';
import { deliveryFromSite } from '../../src/sinks/index.js';
import { DeliveryConfigError } from '../../src/sinks/delivery.js';
import { SyslogFramer } from '../../src/serve/framing.js';
import { parseLine } from '../../src/parsers/index.js';
import { metric, until } from '../serve/helpers.js';

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1b2c3d4e5f60718',
    time: '2026-11-23T04:05:06.123Z',
    detector: 'sigma',
    rule: { id: 'rule-ssh-pw', title: 'SSH password login | from "outside" = bad', level: 'high', tags: ['attack.t1078'] },
    severity: 'high',
    attack: ['T1078', 'T1136.001'],
    device: 'edge7',
    entities: { ips: ['203.0.113.66'], accounts: ['mallory'], devices: ['edge7'] },
    source: { file: 'syslog-tcp/127.0.0.1:5000', line: 12 },
    reasons: ['mallory logged in with a password from 203.0.113.66] (outside)', 'second line\nwith a newline'],
    ...over,
  };
}

interface Hit { headers: IncomingMessage['headers']; body: string }

async function httpServer(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(hits.length, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const hmac = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

test('webhook: JSON POST signed with HMAC-SHA256 over the body, retried with backoff after 503s, counted in metrics', async () => {
  const srv = await httpServer((n, _req, res) => { res.statusCode = n <= 2 ? 503 : 204; res.end(); });
  const registry = new Registry();
  const d = deliveryFromSite({ webhooks: [{ name: 'soc', url: srv.url, secret: 's3cret-key', retries: 3, backoff: '50ms' }] }, { registry, base: '/' });
  try {
    const t0 = performance.now();
    d.deliver([alert()]);
    assert.ok(performance.now() - t0 < 20, 'deliver() only enqueues');
    await d.idle();
    assert.equal(srv.hits.length, 3, 'two 503s, then accepted');
    for (const h of srv.hits) {
      assert.equal(h.headers['content-type'], 'application/json');
      assert.equal(h.headers['x-tidewatch-signature'], hmac('s3cret-key', h.body), 'the signature is the HMAC of the exact body');
      assert.notEqual(h.headers['x-tidewatch-signature'], hmac('other-key', h.body));
    }
    assert.equal(new Set(srv.hits.map((h) => h.headers['x-tidewatch-delivery'])).size, 1, 'retries carry the same delivery id');
    const body = JSON.parse(srv.hits[2].body) as Alert;
    assert.equal(body.id, 'a1b2c3d4e5f60718');
    assert.equal(body.rule.title, alert().rule.title);
    const text = await registry.metrics();
    assert.equal(metric(text, 'tidewatch_delivery_errors_total', { sink: 'soc', reason: 'http_503' }), 2);
    assert.equal(metric(text, 'tidewatch_alerts_delivered_total', { sink: 'soc' }), 1);
  } finally {
    await d.stop(0);
    await srv.close();
  }
});

test('webhook: a 400 is not retried, a dead target is given up after the configured retries; both are counted', async () => {
  const refuse = await httpServer((_n, _req, res) => { res.statusCode = 400; res.end('bad'); });
  const broken = await httpServer((_n, _req, res) => { res.statusCode = 500; res.end(); });
  const registry = new Registry();
  const d = deliveryFromSite({ webhooks: [{ name: 'refuse', url: refuse.url, retries: 5, backoff: '10ms' }, { name: 'broken', url: broken.url, retries: 2, backoff: '10ms' }] }, { registry, base: '/' });
  try {
    d.deliver([alert()]);
    await d.idle();
    assert.equal(refuse.hits.length, 1);
    assert.equal(broken.hits.length, 3, 'first attempt and two retries');
    const text = await registry.metrics();
    assert.equal(metric(text, 'tidewatch_alerts_undelivered_total', { sink: 'refuse', reason: 'rejected' }), 1);
    assert.equal(metric(text, 'tidewatch_alerts_undelivered_total', { sink: 'broken', reason: 'retries_exhausted' }), 1);
    assert.equal(metric(text, 'tidewatch_delivery_errors_total', { sink: 'broken', reason: 'http_500' }), 3);
  } finally {
    await d.stop(0);
    await refuse.close();
    await broken.close();
  }
});

test('webhook: a target that never answers does not hold up the caller; its queue is bounded and the overflow counted', async () => {
  const hang = await httpServer(() => undefined);
  const registry = new Registry();
  const { Gauge } = await import('prom-client');
  const queueDepth = new Gauge({ name: 'tidewatch_queue_depth', help: 'x', labelNames: ['queue'], registers: [registry] });
  const d = deliveryFromSite({ webhooks: [{ name: 'slow', url: hang.url, timeout: '5s', max_queue: 100 }] }, { registry, queueDepth, base: '/' });
  try {
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) d.deliver([alert({ id: `id${i}` })]);
    assert.ok(performance.now() - t0 < 200, `300 deliver() calls took ${performance.now() - t0} ms`);
    await until(() => hang.hits.length === 1, 5000, 'first POST');
    const text = await registry.metrics();
    // the 300 calls ran before the worker's first turn: 100 queued, 200 refused; then one went in flight
    assert.equal(metric(text, 'tidewatch_alerts_undelivered_total', { sink: 'slow', reason: 'queue_full' }), 200);
    assert.equal(metric(text, 'tidewatch_queue_depth', { queue: 'delivery:slow' }), 99);
  } finally {
    await hang.close();
    await d.stop(0);
  }
});

test('stop(0) with the worker in a backoff and nothing else open resolves and counts the batch as stopped', async () => {
  // a port nobody listens on: every attempt is refused, and the worker sleeps its (unreferenced) backoff
  const gone = createTcpServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', () => r()));
  const port = (gone.address() as { port: number }).port;
  await new Promise<void>((r) => gone.close(() => r()));
  const registry = new Registry();
  const d = deliveryFromSite({ webhooks: [{ name: 'gone', url: `http://127.0.0.1:${port}/hook`, retries: 5, backoff: '30s' }] }, { registry, base: '/' });
  d.deliver([alert()]);
  await until(async () => /tidewatch_delivery_errors_total\{[^}]*sink="gone"/.test(await registry.metrics()), 5000, 'first refused attempt');
  // Was: stop() raced idle() against an unreferenced 0 ms timer; with no other handle the event loop ended here,
  // stop() never resolved and node:test cancelled the test (seen in CI on the webhook test above)
  const t0 = performance.now();
  await d.stop(0);
  assert.ok(performance.now() - t0 < 2000, `stop(0) took ${performance.now() - t0} ms`);
  assert.equal(metric(await registry.metrics(), 'tidewatch_alerts_undelivered_total', { sink: 'gone', reason: 'stopped' }), 1);
});

test('syslog out over UDP: RFC 5424 with the alert in structured data, which our own syslog parser reads back', async () => {
  const sock = createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const registry = new Registry();
  const d = deliveryFromSite({ syslog: [{ name: 'siem', host: '127.0.0.1', port: sock.address().port, transport: 'udp', format: 'rfc5424', facility: 13, hostname: 'tw1' }] }, { registry, base: '/' });
  try {
    d.deliver([alert(), alert({ id: 'ffff', severity: 'critical' })]);
    await until(() => got.length === 2, 5000, 'two datagrams');
    const m = /^<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\S+) (\[.*?[^\\]\]) (.*)$/.exec(got[0]);
    assert.ok(m, got[0]);
    assert.equal(Number(m[1]), 13 * 8 + 3, 'facility 13, severity error for a high alert');
    assert.ok(!Number.isNaN(Date.parse(m[2])));
    assert.deepEqual([m[3], m[4], m[6]], ['tw1', 'tidewatch', 'sigma']);
    assert.match(m[7], /^\[tidewatch@32473 id="a1b2c3d4e5f60718" /);
    assert.match(m[7], /rule="rule-ssh-pw"/);
    assert.match(m[7], /attack="T1078,T1136.001"/);
    assert.equal(Number(/^<(\d+)>/.exec(got[1])![1]) % 8, 2, 'critical is syslog severity 2');
    assert.ok(!m[8].includes('\n'));
    // the message parses as RFC 5424 with our own parser
    const p = parseLine(got[0], { refMs: Date.now(), file: 'out' });
    assert.ok(p.event, JSON.stringify(p));
    assert.equal(p.event.host, 'tw1');
    assert.equal(p.event.program, 'tidewatch');
    assert.equal(p.event.severity, 3);
  } finally {
    await d.stop(0);
    sock.close();
  }
});

test('syslog out over TCP: CEF lines with escaped header and extension, octet-counted frames (RFC 6587)', async () => {
  const frames: string[] = [];
  const framer = new SyslogFramer();
  const server = createTcpServer((s) => s.on('data', (c: Buffer) => frames.push(...framer.push(c).lines)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const raw: Buffer[] = [];
  server.on('connection', (s) => s.on('data', (c: Buffer) => raw.push(c)));
  const registry = new Registry();
  const d = deliveryFromSite({ syslog: [{ host: '127.0.0.1', port: (server.address() as { port: number }).port, transport: 'tcp', format: 'cef' }] }, { registry, base: '/', version: '9.9.9' });
  try {
    d.deliver([alert(), alert({ id: 'b2', device: undefined })]);
    await until(() => frames.length === 2, 5000, 'two frames');
    assert.match(Buffer.concat(raw).toString('utf8'), /^\d+ <\d+>1 /, 'octet counting: LEN SP MSG');
    const cef = frames[0].slice(frames[0].indexOf('CEF:'));
    // split on unescaped pipes
    const parts = cef.split(/(?<!\\)\|/);
    assert.equal(parts.length, 8, cef);
    assert.deepEqual(parts.slice(0, 7), ['CEF:0', 'Tidewatch', 'Tidewatch', '9.9.9', 'rule-ssh-pw', 'SSH password login \\| from "outside" = bad', '8']);
    const ext: Record<string, string> = {};
    for (const m of parts[7].matchAll(/(\w+)=((?:[^=\\]|\\.)*?)(?= \w+=|$)/g)) ext[m[1]] = m[2];
    assert.equal(ext.externalId, 'a1b2c3d4e5f60718');
    assert.equal(ext.rt, String(Date.parse('2026-11-23T04:05:06.123Z')));
    assert.equal(ext.src, '203.0.113.66');
    assert.equal(ext.suser, 'mallory');
    assert.equal(ext.dvchost, 'edge7');
    assert.equal(ext.cs1, 'T1078,T1136.001');
    assert.ok(ext.msg.includes('\\n') && !ext.msg.includes('\n'), 'newlines escaped in the extension');
    assert.equal(metric(await registry.metrics(), 'tidewatch_alerts_delivered_total', { sink: 'syslog-1' }), 2);
  } finally {
    await d.stop(0);
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('JSON Lines with the OCSF shape: Detection Finding (class 2004) with OCSF 1.x fields; the file is reopened after rotation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-sink-'));
  const registry = new Registry();
  const d = deliveryFromSite({ jsonl: [{ path: 'out/alerts.jsonl', payload: 'ocsf' }] }, { registry, base: dir, version: '0.1.0' });
  const file = join(dir, 'out', 'alerts.jsonl');
  try {
    d.deliver([alert({ remediation: 'no username backdoor' })]);
    await d.idle();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const f = JSON.parse(lines[0]);
    assert.equal(f.class_uid, 2004);
    assert.equal(f.category_uid, 2);
    assert.equal(f.activity_id, 1);
    assert.equal(f.type_uid, 200401);
    assert.equal(f.severity_id, 4);
    assert.equal(f.severity, 'High');
    assert.equal(f.time, Date.parse('2026-11-23T04:05:06.123Z'));
    assert.match(f.metadata.version, /^1\.\d+\.\d+$/);
    assert.equal(f.metadata.product.name, 'Tidewatch');
    assert.equal(f.finding_info.uid, 'a1b2c3d4e5f60718');
    assert.equal(f.finding_info.analytic.uid, 'rule-ssh-pw');
    const t1078 = f.finding_info.attacks.find((a: { technique: { uid: string } }) => a.technique.uid === 'T1078');
    assert.equal(t1078.tactic.uid, 'TA0001');
    assert.equal(t1078.tactic.name, 'Initial Access');
    const sub = f.finding_info.attacks.find((a: { sub_technique?: { uid: string } }) => a.sub_technique?.uid === 'T1136.001');
    assert.equal(sub.technique.uid, 'T1136');
    assert.equal(sub.tactic.uid, 'TA0003');
    assert.deepEqual(f.observables.map((o: { type_id: number; value: string }) => [o.type_id, o.value]), [[1, 'edge7'], [2, '203.0.113.66'], [4, 'mallory']]);
    assert.equal(f.resources[0].name, 'edge7');
    assert.equal(f.remediation.desc, 'no username backdoor');
    // rotation: renamed away, the next alert starts a new file
    renameSync(file, file + '.1');
    d.deliver([alert({ id: 'second' })]);
    await d.idle();
    assert.equal(JSON.parse(readFileSync(file, 'utf8').trim()).finding_info.uid, 'second');
  } finally {
    await d.stop(0);
  }
});

test('delivery configuration errors name the entry and key', () => {
  const registry = () => new Registry();
  const build = (raw: Record<string, unknown>) => deliveryFromSite(raw, { registry: registry(), base: '/' });
  assert.throws(() => build({ pagers: [] }), (e: Error) => e instanceof DeliveryConfigError && /delivery\.pagers: unknown sink type/.test(e.message));
  assert.throws(() => build({ webhooks: [{ name: 'x' }] }), /delivery\.webhooks\[0\]\.url is required/);
  assert.throws(() => build({ webhooks: [{ url: 'ftp://x/' }] }), /must be http/);
  assert.throws(() => build({ webhooks: [{ url: 'http://x/', secret_env: 'TW_NO_SUCH_VAR_4711' }] }), /TW_NO_SUCH_VAR_4711 is not set/);
  assert.throws(() => build({ syslog: [{ host: 'h', format: 'leef' }] }), /delivery\.syslog\[0\]\.format must be rfc5424 or cef/);
  assert.throws(() => build({ jsonl: [{ path: 'a', payload: 'xml' }] }), /payload must be alert or ocsf/);
  assert.throws(() => build({ jsonl: [{ path: 'a', name: 'n' }, { path: 'b', name: 'n' }] }), /already used/);
});
