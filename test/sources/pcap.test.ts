import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureError, newCaptureStats, readCapture } from '../../src/sources/pcap.js';
import { pcapGlobalHeader, udpFrame } from '../../src/util/pcap-write.js';
import { readFlowFiles } from '../../src/pipeline/flows.js';
import { corpusPath } from '../corpus.js';

const editcap = (() => { try { execFileSync('editcap', ['-h'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const files = ['akvorado__nfv5.pcap', 'akvorado__data+templates.pcap', 'logstash-netflow__ipfix_test_mikrotik_data258.pcap'].map((f) => corpusPath('flows', f));

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tw-pcap-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('classic pcap: datagrams with addresses, ports and capture times', () => {
  const d = [...readCapture(files[0])];
  assert.equal(d.length, 1);
  assert.equal(d[0].src, '10.19.144.41');
  assert.equal(d[0].dstPort, 9990);
  assert.equal(d[0].timeMs, 1680655485099);
  assert.equal(d[0].payload.readUInt16BE(0), 5);
});

test('pcapng and nanosecond pcap (converted by editcap) give the same datagrams', { skip: editcap ? false : 'editcap not installed' }, () => {
  withDir((dir) => {
    for (const f of files) {
      const want = [...readCapture(f)].map((x) => [x.src, x.dst, x.srcPort, x.dstPort, x.timeMs, x.payload.toString('hex')]);
      for (const fmt of ['pcapng', 'nsecpcap']) {
        const out = join(dir, `x.${fmt}`);
        execFileSync('editcap', ['-F', fmt, f, out]);
        const got = [...readCapture(out)].map((x) => [x.src, x.dst, x.srcPort, x.dstPort, x.timeMs, x.payload.toString('hex')]);
        assert.deepEqual(got, want, `${fmt} of ${f}`);
      }
    }
  });
});

test('several files read as one stream in order: templates in one file decode data in the next', async () => {
  const tpl = corpusPath('flows', 'akvorado__template.pcap');
  const data = corpusPath('flows', 'akvorado__data.pcap');
  assert.equal((await readFlowFiles([tpl, data])).records.length, 4);
  // data first: held for the template of the next file, within the hold time on the capture clock (the
  // template was captured 62 s after the data: the default 60 s hold drops it, a 120 s hold decodes it)
  const rev = await readFlowFiles([data, tpl], { decoder: { pendingMaxAgeMs: 120_000 } });
  assert.equal(rev.records.length, 4);
  assert.equal(rev.stats.decoder.pendingDecoded, 1);
  const late = await readFlowFiles([data, tpl]);
  assert.equal(late.records.length, 0);
  assert.equal(late.stats.decoder.dropped.no_template, 1);
  // data alone: dropped at the end with its reason
  const alone = await readFlowFiles([data]);
  assert.equal(alone.records.length, 0);
  assert.equal(alone.stats.decoder.dropped.no_template, 1);
});

test('truncated capture: what is complete is read, the problem names file and offset', () => {
  withDir((dir) => {
    const whole = readFileSync(files[1]);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
    const stats = newCaptureStats();
    assert.deepEqual([...readCapture(cut, stats)], []);
    assert.equal(stats.skipped.truncated_file, 1);
    assert.match(stats.firstProblem ?? '', /cut\.pcap: record data truncated \(offset 24\)/);
  });
});

test('not a capture: a clear error naming the file', () => {
  withDir((dir) => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'hello, these are not packets\n');
    assert.throws(() => [...readCapture(f)], (e: unknown) => e instanceof CaptureError && /notes\.txt: not a pcap or pcapng capture/.test((e as Error).message));
    assert.throws(() => [...readCapture(join(dir, 'missing.pcap'))], /missing\.pcap: cannot open: ENOENT/);
  });
});

test('VLAN tags, non-UDP frames and IPv4 fragments', () => {
  withDir((dir) => {
    const payload = Buffer.alloc(3000, 7);
    payload.writeUInt16BE(10, 0);
    const whole = udpFrame({ time: new Date(0), src: '192.0.2.1', dst: '192.0.2.2', srcPort: 1, dstPort: 4739, payload });
    // split the IP payload (UDP header + data) into two fragments of 1480 and the rest
    const ip = whole.subarray(14, 34);
    const body = whole.subarray(34);
    const frag = (off: number, data: Buffer, more: boolean) => {
      const h = Buffer.from(ip);
      h.writeUInt16BE(20 + data.length, 2);
      h.writeUInt16BE((more ? 0x2000 : 0) | (off / 8), 6);
      h.writeUInt16BE(0, 10);
      return Buffer.concat([whole.subarray(0, 14), h, data]);
    };
    const vlan = Buffer.from(whole.subarray(0, 200));
    const tagged = Buffer.concat([vlan.subarray(0, 12), Buffer.from([0x81, 0, 0, 5]), vlan.subarray(12)]);
    tagged.writeUInt16BE(20 + 8 + 200 - 42, 20); // IP total length of the shortened copy
    tagged.writeUInt16BE(8 + 200 - 42, 42); // UDP length
    const tcp = Buffer.from(whole.subarray(0, 60));
    tcp[23] = 6;
    const frames = [frag(1480, body.subarray(1480), false), frag(0, body.subarray(0, 1480), true), tagged, tcp];
    const parts = [pcapGlobalHeader()];
    for (const f of frames) {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(f.length, 8);
      h.writeUInt32LE(f.length, 12);
      parts.push(h, f);
    }
    const file = join(dir, 'frag.pcap');
    writeFileSync(file, Buffer.concat(parts));
    const stats = newCaptureStats();
    const got = [...readCapture(file, stats)];
    assert.equal(got.length, 2);
    assert.equal(got[0].payload.length, 3000, 'fragments reassembled, in any order');
    assert.ok(got[0].payload.equals(payload));
    assert.equal(got[1].payload.length, 200 - 42, 'datagram behind an 802.1Q tag');
    assert.equal(stats.skipped.not_udp, 1);
    assert.equal(stats.frames, 4);
  });
});
