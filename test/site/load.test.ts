import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite, siteFromObject, SiteError } from '../../src/site/load.js';

test('without a site file, RFC 1918/6598 is assumed and the assumption is recorded', () => {
  const s = siteFromObject({});
  assert.ok(s.internal_prefixes.includes('100.64.0.0/10'));
  assert.equal(s.assumptions.length, 1);
});

test('declared prefixes replace the default and are validated', () => {
  const s = siteFromObject({ internal_prefixes: ['198.51.100.0/24'], management_hosts: ['198.51.100.10'] });
  assert.deepEqual(s.internal_prefixes, ['198.51.100.0/24']);
  assert.equal(s.assumptions.length, 0);
  assert.throws(() => siteFromObject({ management_hosts: ['10.0.0.300'] }), SiteError);
});

test('loadSite reports bad YAML and missing explicit files with the file name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-site-'));
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'internal_prefixes: [10.0.0.0/8\n');
  assert.throws(() => loadSite(bad), (e: Error) => e.message.startsWith(bad) && /YAML/.test(e.message));
  assert.throws(() => loadSite(join(dir, 'nope.yml')), /not found/);
});
