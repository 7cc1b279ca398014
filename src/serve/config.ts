import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve, dirname } from 'node:path';
import type { SiteConfig } from '../model/site.js';

export const LISTENER_NAMES = ['syslog-udp', 'syslog-tcp', 'syslog-tls', 'netflow', 'http'] as const;
export type ListenerName = (typeof LISTENER_NAMES)[number];

/** Defaults (interfaces.md): all on loopback, unprivileged ports. */
export const DEFAULT_LISTENERS: Record<ListenerName, string> = {
  'syslog-udp': '127.0.0.1:5514',
  'syslog-tcp': '127.0.0.1:5514',
  'syslog-tls': '127.0.0.1:6514',
  netflow: '127.0.0.1:2055',
  http: '127.0.0.1:8470',
};

export interface Endpoint {
  host: string;
  port: number;
}

export class ConfigError extends Error {}

/** Parses `HOST:PORT`, `[v6]:PORT` or `off`. */
export function parseEndpoint(name: string, v: string): Endpoint | 'off' {
  const s = v.trim();
  if (s === 'off') return 'off';
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) throw new ConfigError(`listener ${name}: "${v}" is not HOST:PORT (or off)`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`listener ${name}: port ${m[2]} is out of range`);
  const host = m[1];
  if (!isIP(host) && host !== 'localhost') throw new ConfigError(`listener ${name}: "${host}" is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or an interface address)`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Listeners from defaults, then the site file's `listeners:`, then each `--listen NAME=HOST:PORT`. */
export function resolveListeners(site: SiteConfig, overrides: readonly string[]): Record<ListenerName, Endpoint | 'off'> {
  const out = {} as Record<ListenerName, Endpoint | 'off'>;
  const known = (n: string): n is ListenerName => (LISTENER_NAMES as readonly string[]).includes(n);
  for (const n of LISTENER_NAMES) out[n] = parseEndpoint(n, DEFAULT_LISTENERS[n]);
  for (const [n, v] of Object.entries(site.listeners ?? {})) {
    if (!known(n)) throw new ConfigError(`${site.path ?? 'site file'}: unknown listener "${n}" (known: ${LISTENER_NAMES.join(', ')})`);
    out[n] = parseEndpoint(n, v);
  }
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq < 0) throw new ConfigError(`--listen expects NAME=HOST:PORT or NAME=off (got "${o}")`);
    const n = o.slice(0, eq);
    if (!known(n)) throw new ConfigError(`--listen: unknown listener "${n}" (known: ${LISTENER_NAMES.join(', ')})`);
    out[n] = parseEndpoint(n, o.slice(eq + 1));
  }
  return out;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  /** Client certificates for syslog-tls: required (mutual TLS), optional (verified when given) or none. */
  clientCert: 'required' | 'optional' | 'none';
}

/** `serve.tls: {cert, key, ca?, client_cert?}` from the site file (paths relative to the site file). */
export function loadTls(site: SiteConfig): TlsFiles | undefined {
  const t = (site.serve?.tls ?? undefined) as Record<string, unknown> | undefined;
  if (!t) return undefined;
  const base = site.path ? dirname(resolve(site.path)) : process.cwd();
  const read = (k: string, required: boolean): Buffer | undefined => {
    const v = t[k];
    if (v === undefined || v === null) {
      if (required) throw new ConfigError(`serve.tls.${k} is required when serve.tls is set`);
      return undefined;
    }
    try {
      return readFileSync(resolve(base, String(v)));
    } catch (e) {
      throw new ConfigError(`serve.tls.${k}: cannot read ${String(v)}: ${(e as Error).message}`);
    }
  };
  const cc = String(t.client_cert ?? 'none');
  if (cc !== 'required' && cc !== 'optional' && cc !== 'none') throw new ConfigError('serve.tls.client_cert must be required, optional or none');
  const files: TlsFiles = { cert: read('cert', true)!, key: read('key', true)!, ca: read('ca', cc !== 'none'), clientCert: cc };
  return files;
}

/** Format for the `listening NAME HOST:PORT` lines. */
export function endpointText(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
