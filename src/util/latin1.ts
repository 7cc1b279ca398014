/**
 * `buf.toString('latin1', start, end)` without its argument checks and encoding lookup (10 of 75 ns per line in
 * bench/hunt round 9): the `latin1Slice` method Buffer.prototype has carried since Node 6 and toString calls. Falls
 * back to toString if a Node version drops it. The line readers (sources/lines.ts, serve/framing.ts) decode each
 * ASCII line with it as its own flat string.
 */
export const latin1: (buf: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as unknown as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (buf, start, end) => (buf as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, end)
    : (buf, start, end) => buf.toString('latin1', start, end);
