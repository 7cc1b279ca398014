import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog } from '../../src/serve/wal.js';

test('the write-ahead log replays everything after the checkpoint, and only that', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-wal-'));
  let w = new WriteAheadLog(dir);
  assert.deepEqual(w.recover(undefined), []);
  w.append('syslog-tcp', '10.0.0.1:5000', 1000, ['<13>a', 'has\nnewline', '\\starts with backslash']);
  w.append('netflow', '10.0.0.2:2055', 1001, [Buffer.from([0, 9, 1, 2]).toString('base64')]);
  const first = w.flush();
  assert.equal(first.length, 2);
  w.append('syslog-udp', '10.0.0.3:514', 1002, ['<13>c']);
  const second = w.flush();
  w.close();

  w = new WriteAheadLog(dir);
  const all = w.recover(undefined);
  assert.deepEqual(all.map((b) => b.records), [['<13>a', 'has\nnewline', '\\starts with backslash'], ['AAkBAg=='], ['<13>c']]);
  assert.deepEqual(all[0], { ...first[0], end: first[0].end });
  w.close();

  // from the checkpoint after the first flush: only the last block
  w = new WriteAheadLog(dir);
  const after = w.recover(first[1].end);
  assert.deepEqual(after.map((b) => b.source), ['syslog-udp']);
  assert.deepEqual(after[0].end, second[0].end);
  w.close();
});

test('a torn tail (power loss mid-write) is cut off; whole blocks before it survive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-wal-'));
  const w = new WriteAheadLog(dir);
  w.recover(undefined);
  w.append('syslog-tcp', 'p', 1, ['one', 'two']);
  w.flush();
  w.close();
  const seg = join(dir, readdirSync(dir)[0]);
  const whole = statSync(seg).size;
  appendFileSync(seg, '\u001eB\tsyslog-tcp\t2\tp\t3\nonly-one-of-three\n');
  const r = new WriteAheadLog(dir);
  const blocks = r.recover(undefined);
  assert.deepEqual(blocks.map((b) => b.records), [['one', 'two']]);
  assert.equal(statSync(seg).size, whole);
  r.close();
});

test('segments roll over and those wholly before a checkpoint are deleted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-wal-'));
  const w = new WriteAheadLog(dir, { segmentBytes: 100 });
  w.recover(undefined);
  let last;
  for (let i = 0; i < 10; i++) {
    w.append('syslog-tcp', 'p', i, ['x'.repeat(60)]);
    last = w.flush()[0];
  }
  assert.ok(readdirSync(dir).length >= 5);
  w.truncateBefore(last!.end);
  assert.equal(readdirSync(dir).length, 1);
  assert.equal(w.backlogBytes(last!.end), 0);
  w.close();
});
