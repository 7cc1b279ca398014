/**
 * Partitioning of the event stream: every event of one device goes to the same partition, so the detector that
 * owns the partition sees all of that device's events in order (Sigma correlations group by device, user or
 * source address; on network telemetry the device is the key that keeps those groups together).
 */
export function partitionOf(key: string, partitions: number): number {
  // FNV-1a, 32 bit: stable across processes and versions (never change it: it decides where state lives).
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
