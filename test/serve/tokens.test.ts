import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenStore, roleAllows } from '../../src/serve/tokens.js';

test('tokens are stored only as hashes, verified, seen by another instance, and revoked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-tok-'));
  const a = TokenStore.forData(dir);
  const { token, info } = a.create('analyst', 'alice');
  const file = readFileSync(join(dir, 'tokens.json'), 'utf8');
  assert.ok(!file.includes(token), 'the token text must not be stored');
  assert.equal(statSync(join(dir, 'tokens.json')).mode & 0o077, 0, 'token file is private');
  assert.equal(a.verify(token)?.role, 'analyst');
  assert.equal(a.verify(token + 'x'), undefined);
  // a second process (here: a second instance) sees the token and the revocation
  const b = TokenStore.forData(dir);
  assert.equal(b.verify(token)?.id, info.id);
  assert.equal(b.revoke('alice')?.id, info.id);
  assert.equal(TokenStore.forData(dir).verify(token), undefined);
  assert.ok(roleAllows('admin', 'analyst'));
  assert.ok(!roleAllows('viewer', 'analyst'));
});
