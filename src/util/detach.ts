/**
 * A copy of a string that shares no memory with the string it was cut from. Parsers slice event fields out of the
 * input (cheap), and V8 keeps a slice's whole parent alive: a slice kept in a cache, a map key or a correlation
 * window would pin a megabyte-sized read chunk (bench/hunt saw the heap grow with the input). Concatenation forces
 * a fresh flat string; `slice(1)` of it drops the added character.
 */
export function detach(s: string): string {
  return (' ' + s).slice(1);
}
