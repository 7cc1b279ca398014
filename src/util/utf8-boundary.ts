/**
 * Whether a chunk of UTF-8 ends on a character boundary, so that a `StringDecoder` that has just decoded it holds
 * no partial character. Used by the line readers (sources/lines.ts, serve/framing.ts) to go back to their ASCII fast
 * path after a chunk that was not ASCII. Conservative: `false` when it cannot tell (no lead byte in the last four
 * bytes, a chunk of continuation bytes only), which only keeps the reader on its decoder path, always correct.
 */
export function endsOnCharBoundary(buf: Uint8Array): boolean {
  const n = buf.length;
  if (n === 0) return false; // says nothing about what the decoder held before
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = buf[i];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    // a lead byte (or ASCII): the bytes its sequence needs must all be here
    const need = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return n - i >= need;
  }
  return false;
}
