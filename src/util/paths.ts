import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package root (the folder holding package.json, rules/ and console/dist), found from this file's location. */
export function packageRoot(): string {
  if (root) return root;
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('package root not found above ' + fileURLToPath(import.meta.url));
    d = up;
  }
  root = d;
  return d;
}

/** A path under the shipped rules/ folder. */
export function rulesPath(...parts: string[]): string {
  return join(packageRoot(), 'rules', ...parts);
}
