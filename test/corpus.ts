import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/..., sources live in test/...). */
export const REPO_ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('repository root not found');
    d = up;
  }
  return d;
})();

/**
 * The shared folder with the real corpus: `../shared` beside the clone (as CI lays it out), else
 * the TIDEWATCH_SHARED environment variable, else /work/shared (developer worktrees).
 */
export const SHARED_DIR = (() => {
  const candidates = [resolve(REPO_ROOT, '../shared'), process.env.TIDEWATCH_SHARED, '/work/shared'].filter((x): x is string => Boolean(x));
  for (const c of candidates) if (existsSync(join(c, 'corpus'))) return c;
  throw new Error(`shared corpus not found; looked in ${candidates.join(', ')}`);
})();

export const CORPUS = join(SHARED_DIR, 'corpus');
export function corpusPath(...parts: string[]): string {
  return join(CORPUS, ...parts);
}
