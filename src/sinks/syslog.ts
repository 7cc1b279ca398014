/**
 * Syslog-out sink: alerts as RFC 5424 messages (structured data carrying the alert's fields) or as CEF (ArcSight
 * Common Event Format) lines in an RFC 5424 header, over UDP (one message per datagram), TCP or TLS (RFC 6587
 * octet counting by default, or LF framing).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/severity.js';
import { DeliveryConfigError, DeliveryError, commonOf, dur, int, str, type Raw, type SinkFactory, type SinkTarget } from './delivery.js';

/** Syslog severity of an alert (RFC 5424 section 6.2.1). */
const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
/** CEF severity 0-10. */
const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };
/** Private enterprise number for the structured-data id (32473 is the one RFC 5612 reserves for documentation). */
export const SD_ID = 'tidewatch@32473';
/** Longest UDP message sent; longer MSG parts are cut. */
const MAX_UDP = 8192;

export type SyslogFormat = 'rfc5424' | 'cef';

const sdEscape = (v: string) => v.replace(/[\\"\]]/g, (c) => `\\${c}`);
const cefHeaderEscape = (v: string) => v.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
const cefExtEscape = (v: string) => v.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
/** RFC 5424 header fields: printable US-ASCII, no spaces, bounded length; `-` when empty. */
const headerField = (v: string | undefined, max: number) => (v ? v.replace(/[^\x21-\x7e]/g, '_').slice(0, max) : '-') || '-';

export interface SyslogOptions {
  format: SyslogFormat;
  facility: number;
  appName: string;
  hostname: string;
  version?: string;
}

function entities(a: Alert): { ip?: string; user?: string } {
  return { ip: a.entities?.ips?.[0], user: a.entities?.accounts?.[0] };
}

/** One alert as an RFC 5424 message (without transport framing). */
export function formatRfc5424(a: Alert, o: SyslogOptions, now = new Date()): string {
  const pri = o.facility * 8 + SYSLOG_SEVERITY[a.severity];
  const { ip, user } = entities(a);
  const params: [string, string | undefined][] = [
    ['id', a.id], ['time', a.time], ['detector', a.detector], ['rule', a.rule.id], ['severity', a.severity],
    ['device', a.device], ['src', ip], ['user', user], ['attack', a.attack.join(',') || undefined],
    ['file', a.source?.file], ['line', a.source?.line === undefined ? undefined : String(a.source.line)],
  ];
  const sd = `[${SD_ID} ${params.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}="${sdEscape(v!)}"`).join(' ')}]`;
  const msg = [a.rule.title, ...(a.reasons ?? [])].join(' - ').replace(/[\r\n]+/g, ' ');
  return `<${pri}>1 ${now.toISOString()} ${headerField(o.hostname, 255)} ${headerField(o.appName, 48)} ${process.pid} ${headerField(a.detector, 32)} ${sd} ${msg}`;
}

/** One alert as a CEF line (`CEF:0|Tidewatch|Tidewatch|VERSION|RULE|TITLE|SEVERITY|EXTENSION`). */
export function formatCef(a: Alert, o: Pick<SyslogOptions, 'version'>): string {
  const { ip, user } = entities(a);
  const t = Date.parse(a.time);
  const ext: [string, string | undefined][] = [
    ['rt', Number.isFinite(t) ? String(t) : undefined],
    ['externalId', a.id],
    ['cat', a.detector],
    ['dvchost', a.device],
    [ip && isIP(ip) === 6 ? 'c6a2' : 'src', ip],
    ...(ip && isIP(ip) === 6 ? [['c6a2Label', 'source address'] as [string, string]] : []),
    ['suser', user],
    ['cs1Label', a.attack.length ? 'ATT&CK' : undefined],
    ['cs1', a.attack.join(',') || undefined],
    ['cs2Label', a.source?.file ? 'source' : undefined],
    ['cs2', a.source?.file ? `${a.source.file}${a.source.line !== undefined ? `:${a.source.line}` : ''}` : undefined],
    ['msg', a.reasons?.length ? a.reasons.join(' ') : undefined],
  ];
  const extension = ext.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${cefExtEscape(v!)}`).join(' ');
  return `CEF:0|Tidewatch|Tidewatch|${cefHeaderEscape(o.version ?? '0')}|${cefHeaderEscape(a.rule.id)}|${cefHeaderEscape(a.rule.title)}|${CEF_SEVERITY[a.severity]}|${extension}`;
}

/** CEF carried in an RFC 5424 header (no structured data). */
export function formatCefSyslog(a: Alert, o: SyslogOptions, now = new Date()): string {
  const pri = o.facility * 8 + SYSLOG_SEVERITY[a.severity];
  return `<${pri}>1 ${now.toISOString()} ${headerField(o.hostname, 255)} ${headerField(o.appName, 48)} ${process.pid} ${headerField(a.detector, 32)} - ${formatCef(a, o)}`;
}

export interface SyslogTarget {
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  framing: 'octet' | 'lf';
  timeoutMs: number;
  ca?: Buffer;
}

export class SyslogSink implements SinkTarget {
  readonly kind = 'syslog' as const;
  private udp?: UdpSocket;
  private tcp?: Socket;
  private connecting?: Promise<Socket>;

  constructor(private readonly t: SyslogTarget, private readonly o: SyslogOptions) {}

  format(a: Alert): string {
    return this.o.format === 'cef' ? formatCefSyslog(a, this.o) : formatRfc5424(a, this.o);
  }

  async send(alerts: Alert[]): Promise<void> {
    const msgs = alerts.map((a) => this.format(a));
    if (this.t.transport === 'udp') return this.sendUdp(msgs);
    const frames = msgs.map((m) => (this.t.framing === 'octet' ? `${Buffer.byteLength(m)} ${m}` : `${m.replace(/\n/g, ' ')}\n`)).join('');
    const sock = await this.connect();
    await new Promise<void>((res, rej) => {
      sock.write(frames, (e) => (e ? rej(new DeliveryError('write', `${this.where}: ${e.message}`)) : res()));
    }).catch((e) => {
      this.dropTcp();
      throw e;
    });
  }

  private get where(): string {
    return `${this.t.transport}://${this.t.host}:${this.t.port}`;
  }

  private async sendUdp(msgs: string[]): Promise<void> {
    if (!this.udp) {
      this.udp = createSocket(isIP(this.t.host) === 6 ? 'udp6' : 'udp4');
      this.udp.on('error', () => undefined);
      this.udp.unref();
    }
    for (const m of msgs) {
      let buf = Buffer.from(m);
      if (buf.length > MAX_UDP) buf = buf.subarray(0, MAX_UDP);
      await new Promise<void>((res, rej) => this.udp!.send(buf, this.t.port, this.t.host, (e) => (e ? rej(new DeliveryError('send', `${this.where}: ${e.message}`)) : res())));
    }
  }

  private connect(): Promise<Socket> {
    if (this.tcp && !this.tcp.destroyed) return Promise.resolve(this.tcp);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<Socket>((res, rej) => {
      const opts = { host: this.t.host, port: this.t.port };
      const sock: Socket = this.t.transport === 'tls'
        ? tlsConnect({ ...opts, ca: this.t.ca, servername: isIP(this.t.host) ? undefined : this.t.host })
        : tcpConnect(opts);
      const timer = setTimeout(() => sock.destroy(new Error(`no connection within ${this.t.timeoutMs} ms`)), this.t.timeoutMs);
      const ready = this.t.transport === 'tls' ? 'secureConnect' : 'connect';
      sock.once(ready, () => {
        clearTimeout(timer);
        sock.setNoDelay(true);
        sock.on('error', () => this.dropTcp());
        sock.on('close', () => { if (this.tcp === sock) this.tcp = undefined; });
        // the receiver is not supposed to talk; read and ignore anything it sends
        sock.on('data', () => undefined);
        this.tcp = sock;
        res(sock);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        rej(new DeliveryError('connect', `${this.where}: ${e.code ?? e.message}`));
      });
    }).finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  private dropTcp(): void {
    this.tcp?.destroy();
    this.tcp = undefined;
  }

  async close(): Promise<void> {
    this.udp?.close();
    this.udp = undefined;
    if (this.tcp) await new Promise<void>((r) => { this.tcp!.end(() => r()); setTimeout(r, 1000).unref(); });
    this.dropTcp();
  }
}

export const syslogFactory: SinkFactory = {
  key: 'syslog',
  build(where: string, o: Raw, i: number, ctx: { base: string; shaper: { version?: string } }) {
    const host = str(`${where}.host`, o.host)!;
    const port = int(`${where}.port`, o.port, 514, 1, 65535);
    const transport = String(o.transport ?? 'udp');
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw new DeliveryConfigError(`${where}.transport must be udp, tcp or tls`);
    const format = String(o.format ?? 'rfc5424');
    if (format !== 'rfc5424' && format !== 'cef') throw new DeliveryConfigError(`${where}.format must be rfc5424 or cef`);
    const framing = String(o.framing ?? 'octet');
    if (framing !== 'octet' && framing !== 'lf') throw new DeliveryConfigError(`${where}.framing must be octet or lf`);
    let ca: Buffer | undefined;
    if (o.ca !== undefined) {
      try {
        ca = readFileSync(resolve(ctx.base, String(o.ca)));
      } catch (e) {
        throw new DeliveryConfigError(`${where}.ca: ${(e as Error).message}`);
      }
    }
    const common = commonOf(where, o, `syslog-${i + 1}`, { batch: 100 });
    return {
      common,
      target: new SyslogSink(
        { host, port, transport, framing, timeoutMs: dur(`${where}.timeout`, o.timeout, '10s'), ca },
        { format, facility: int(`${where}.facility`, o.facility, 13, 0, 23), appName: str(`${where}.app_name`, o.app_name, false) ?? 'tidewatch', hostname: str(`${where}.hostname`, o.hostname, false) ?? hostname(), version: ctx.shaper.version },
      ),
    };
  },
};
