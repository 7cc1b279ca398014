import { createRequire } from 'node:module';
import { isIP } from 'node:net';

/**
 * The native UDP receive path (native/udp-recv/udp_recv.c: recvmmsg, Linux only), built by `npm ci` through
 * scripts/build-native.mjs. Own code on a hot path because it is measurably faster than Node's dgram (about 10 µs of
 * CPU per datagram in dgram, 1-2 µs here; docs/BENCHMARKS.md, flows). Optional: where it is missing, or
 * TIDEWATCH_UDP_NATIVE=0 is set, the receive thread uses dgram, and `whyNoNativeUdp()` says why.
 */
export interface UdpNative {
  /** Creates and binds a socket: [fd, bound host, bound port, receive buffer granted]. Throws "bind EADDRINUSE h:p (...)". */
  open(host: string, port: number, v6: boolean, recvBuffer: number): [number, string, number, number];
  /**
   * Receives up to `lengths.length - start` datagrams, waiting at most `timeoutUs` for the first: back to back into `out`
   * from byte `off`, lengths at `lengths[start + i]`, senders at `peers[start + i]`. Returns how many. Takes only as
   * many as surely fit in `out` (64 KiB each), so none is lost for want of room, and makes no further system call once
   * `maxBytes` are taken (one call takes at most 64 datagrams).
   */
  recv(fd: number, out: Uint8Array, off: number, lengths: Int32Array, start: number, peers: string[], timeoutUs: number, peerPort: boolean, maxBytes: number): number;
  close(fd: number): void;
}

let loaded: UdpNative | undefined;
let why = '';
let tried = false;

function load(): void {
  tried = true;
  if (process.env.TIDEWATCH_UDP_NATIVE === '0') { why = 'TIDEWATCH_UDP_NATIVE=0'; return; }
  if (process.platform !== 'linux') { why = `recvmmsg needs Linux, this is ${process.platform}`; return; }
  try {
    // dist/src/sources/ -> the package root
    const req = createRequire(import.meta.url);
    loaded = req(new URL('../../../native/udp-recv/build/Release/udp_recv.node', import.meta.url).pathname) as UdpNative;
  } catch (e) {
    why = `not built (npm run build:native): ${(e as Error).message.split('\n')[0]}`;
  }
}

/** The native receive path, or undefined (then `whyNoNativeUdp()` says why). */
export function udpNative(): UdpNative | undefined {
  if (!tried) load();
  return loaded;
}

/** Why the native path is not used ('' when it is). */
export function whyNoNativeUdp(): string {
  if (!tried) load();
  return why;
}

/** Why a listener on `host` cannot use the native path ('' when it can): it binds IP literals only. */
export function whyNoNativeUdpFor(host: string): string {
  // names go through dgram's lookup, zone ids (fe80::1%eth0) through dgram's interface resolution
  if (!isIP(host) || host.includes('%')) return 'host is not a plain IP address';
  return whyNoNativeUdp();
}

/** The native path for a listener on `host`, if it can take it (else `whyNoNativeUdpFor(host)` says why). */
export function nativeUdpFor(host: string): UdpNative | undefined {
  return whyNoNativeUdpFor(host) ? undefined : udpNative();
}
