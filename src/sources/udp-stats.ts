import { readFileSync } from 'node:fs';

/**
 * What the kernel says about a bound UDP socket (Linux): datagrams it dropped because the receive buffer was full,
 * and the ceiling `net.core.rmem_max` that caps a requested receive buffer. Read from /proc; undefined where there
 * is no /proc (other systems) or the socket is not listed. Not on a hot path: read at --stats intervals.
 */
export interface UdpKernelStats {
  /** Datagrams dropped for this socket (the `drops` column of /proc/net/udp or udp6). */
  drops?: number;
  /** net.core.rmem_max in bytes. */
  rmemMax?: number;
}

/** Drops of the socket bound to `port` (IPv4 or IPv6 table) from the text of /proc/net/udp or /proc/net/udp6. */
export function dropsFromProcNetUdp(text: string, port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let total: number | undefined;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    if (f.length < 13) continue;
    const local = f[1];
    if (local.slice(local.lastIndexOf(':') + 1).toUpperCase() !== hexPort) continue;
    const d = Number(f[f.length - 1]);
    if (Number.isFinite(d)) total = (total ?? 0) + d;
  }
  return total;
}

export function udpKernelStats(port: number, v6: boolean): UdpKernelStats {
  const out: UdpKernelStats = {};
  try {
    out.drops = dropsFromProcNetUdp(readFileSync(v6 ? '/proc/net/udp6' : '/proc/net/udp', 'utf8'), port);
  } catch { /* no /proc */ }
  try {
    const n = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    if (Number.isFinite(n)) out.rmemMax = n;
  } catch { /* no /proc */ }
  return out;
}

/** The stats line: the buffer the kernel granted, what was asked, its cap, and the kernel's drops. */
export function receiveBufferText(granted: number, asked: number, k: UdpKernelStats): string {
  // Linux doubles the requested size for its bookkeeping and caps the request at rmem_max first
  const capped = k.rmemMax !== undefined && asked > k.rmemMax;
  return `receive buffer ${granted} bytes (asked ${asked}${capped ? `; capped by net.core.rmem_max ${k.rmemMax}, raise it with sysctl -w net.core.rmem_max=${asked}` : ''}), kernel drops ${k.drops ?? 'unknown'}`;
}
