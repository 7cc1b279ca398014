import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Ajv } from 'ajv';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { matcherFromRecords } from '../../src/pipeline/intel.js';
import { exportStix } from '../../src/pipeline/intel-export.js';
import { siteFromObject } from '../../src/site/load.js';
import type { Incident } from '../../src/model/incident.js';
import { REPO_ROOT } from '../corpus.js';

// The STIX 2.1 schema subset in test/fixtures/stix21 (written for this project from the specification: see its README).
const SCHEMA_DIR = join(REPO_ROOT, 'test', 'fixtures', 'stix21');
const schemas = ['common.json', 'objects.json', 'bundle.json'].map((f) => JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as Record<string, unknown>);

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const s of schemas.slice(0, 2)) ajv.addSchema(s);
  return ajv.compile(schemas[2]);
}

/** Properties the schema defines for a type (core + type-specific): anything else must be a custom x_ property. */
function allowedProps(type: string): Set<string> {
  const defs = (schemas[1].definitions as Record<string, { properties?: Record<string, unknown>; allOf?: { $ref: string }[] }>)[type];
  const common = schemas[0].definitions as Record<string, { properties: Record<string, unknown> }>;
  const core = defs.allOf?.[0]?.$ref.endsWith('sco_core') ? common.sco_core : defs.allOf ? common.core : { properties: {} };
  return new Set([...Object.keys(core.properties), ...Object.keys(defs.properties ?? {})]);
}

const IND = 'indicator--11111111-1111-4111-8111-111111111111';

async function seeded(): Promise<DuckDbStore> {
  const store = await DuckDbStore.open(':memory:');
  const m = matcherFromRecords([
    { id: IND, pattern: "[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'materialplies.com']", source: 'isac', revoked: false, modified: '2026-01-01T00:00:00Z', attack: ['T1071'], actors: ['Salt Typhoon'], confidence: 80 },
  ]);
  const alerts = [
    ...m.matchEvent({ time: '2026-11-20T01:00:00.000Z', host: 'edge1', message: 'Login Success [user: ops] [Source: 203.0.113.9] [localport: 22] from 10.20.30.40' }),
    ...m.matchEvent({ time: '2026-11-20T02:00:00.000Z', host: 'edge1', query: 'cdn.materialplies.com' }),
    ...m.matchFlow({ exporter: '10.0.0.1', time_start: '2026-11-20T03:00:00.000Z', time_end: '2026-11-20T03:00:01.000Z', src_ip: '10.20.30.40', dst_ip: '203.0.113.9', src_port: 50000, dst_port: 443, protocol: 6, bytes: 1000, packets: 5, input_if: 1, output_if: 2, tcp_flags: 24, version: 9 }),
  ];
  assert.equal(alerts.length, 3);
  await store.insertAlerts(alerts);
  const inc: Incident = {
    id: 'inc-1', title: 'Edge router talks to a known C2', severity: 'high', state: 'investigating',
    first_seen: '2026-11-20T01:00:00.000Z', last_seen: '2026-11-20T03:00:00.000Z', alert_ids: alerts.map((a) => a.id),
    techniques: [{ technique: 'T1071', tactic: 'Command and Control' }], timeline: [], devices: ['edge1'], accounts: ['ops'],
    ips: ['10.20.30.40'], remediation: [], history: [], notes: [],
  };
  await store.putIncident(inc);
  return store;
}

test('intel export writes a STIX 2.1 bundle that the schemas accept', async () => {
  const store = await seeded();
  try {
    const site = siteFromObject({ organization: { name: 'Example Carrier SOC', contact: 'soc@example.net' } });
    const bundle = await exportStix(store, site, { since: '2026-11-01T00:00:00Z' });
    const validate = validator();
    const ok = validate(bundle);
    assert.equal(ok, true, JSON.stringify(validate.errors, null, 2));
    for (const o of bundle.objects) {
      const allowed = allowedProps(o.type);
      for (const k of Object.keys(o)) assert.ok(allowed.has(k) || k.startsWith('x_'), `${o.type}.${k} is not a STIX 2.1 property`);
    }
    const byType = (t: string) => bundle.objects.filter((o) => o.type === t);
    assert.equal(byType('identity').length, 1);
    assert.equal(byType('identity')[0].name, 'Example Carrier SOC');
    assert.deepEqual(byType('marking-definition').map((m) => m.name), ['TLP:AMBER'], 'default TLP:AMBER');
    const sightings = byType('sighting');
    assert.equal(sightings.length, 2, 'one per indicator and observed value');
    const ip = sightings.find((s) => s.count === 2)!;
    assert.equal(ip.sighting_of_ref, IND);
    assert.equal(ip.first_seen, '2026-11-20T01:00:00.000Z');
    assert.equal(ip.last_seen, '2026-11-20T03:00:00.000Z');
    const ids = new Set(bundle.objects.map((o) => o.id));
    for (const s of sightings) {
      for (const r of [...(s.observed_data_refs as string[]), ...(s.where_sighted_refs as string[]), ...(s.object_marking_refs as string[])]) assert.ok(ids.has(r), `dangling ${r}`);
    }
    for (const od of byType('observed-data')) for (const r of od.object_refs as string[]) assert.ok(ids.has(r));
    assert.deepEqual(byType('domain-name').map((d) => d.value), ['cdn.materialplies.com']);
    // STIX fixes SCO ids as UUIDv5 of the id-contributing properties (value computed with Python's uuid module)
    assert.equal(byType('ipv4-addr')[0].id, 'ipv4-addr--39090fdc-366e-571f-ab5b-d05e2918f88f');
    const inc = byType('incident')[0];
    assert.equal(inc.name, 'Edge router talks to a known C2');
    assert.deepEqual(inc.kill_chain_phases, [{ kill_chain_name: 'mitre-attack', phase_name: 'command-and-control' }]);
    assert.deepEqual(byType('relationship').map((r) => [r.source_ref, r.target_ref]), [[inc.id, IND]]);
    // what stays home: internal addresses, device names, accounts
    const text = JSON.stringify(bundle);
    for (const secret of ['10.20.30.40', '10.0.0.1', 'edge1', '"ops"']) assert.ok(!text.includes(secret), `bundle leaks ${secret}`);
    // the same store exported again keeps object ids (partners dedupe) and the identity's version
    const again = await exportStix(store, site, { since: '2026-11-01T00:00:00Z', tlp: 'green' });
    assert.deepEqual(again.objects.filter((o) => o.type === 'sighting').map((o) => o.id).sort(), sightings.map((o) => o.id).sort());
    assert.equal(again.objects.find((o) => o.type === 'identity')!.created, byType('identity')[0].created);
    assert.equal(again.objects.find((o) => o.type === 'marking-definition')!.name, 'TLP:GREEN');
    assert.equal((await exportStix(store, site, { since: '2026-11-21T00:00:00Z' })).objects.filter((o) => o.type === 'sighting').length, 0);
  } finally { await store.close(); }
});

test('the schemas reject what the specification forbids (they can fail)', () => {
  const validate = validator();
  const good = {
    type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
    objects: [{ type: 'sighting', spec_version: '2.1', id: 'sighting--ee20065d-2555-424f-ad9e-0f8428623c75', created: '2026-11-20T01:00:00.000Z', modified: '2026-11-20T01:00:00.000Z', sighting_of_ref: IND }],
  };
  assert.equal(validate(good), true, JSON.stringify(validate.errors));
  const mutate = (f: (o: Record<string, unknown>) => void) => { const b = structuredClone(good) as { objects: Record<string, unknown>[] }; f(b.objects[0]); return validate(b); };
  assert.equal(mutate((o) => { delete o.sighting_of_ref; }), false);
  assert.equal(mutate((o) => { o.created = '2026-11-20 01:00:00'; }), false);
  assert.equal(mutate((o) => { o.spec_version = '2.0'; }), false);
  assert.equal(mutate((o) => { o.count = -1; }), false);
  assert.equal(mutate((o) => { o.sighting_of_ref = 'relationship--ee20065d-2555-424f-ad9e-0f8428623c75'; }), false);
  assert.equal(mutate((o) => { o.id = 'sighting--not-a-uuid'; }), false);
  assert.equal(mutate((o) => { o.object_marking_refs = []; }), false);
  assert.equal(validate({ ...good, objects: [{ type: 'marking-definition', spec_version: '2.1', id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', created: '2017-01-20T00:00:00.000Z', definition_type: 'tlp', definition: { tlp: 'orange' } }] }), false);
});

test('CLI: intel export --since --format stix', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-export-'));
  const db = join(data, 'tidewatch.duckdb');
  const store = await seeded();
  const alerts = (await store.listAlerts({ limit: 100 })).items;
  await store.close();
  const file = await DuckDbStore.open(db);
  await file.insertAlerts(alerts);
  await file.close();
  const site = join(data, 'tidewatch.yml');
  writeFileSync(site, 'organization: { name: "Example Carrier SOC" }\n');
  const cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const r = spawnSync(process.execPath, [cli, 'intel', 'export', '--site', site, '--data', data, '--since', '2026-11-01T00:00:00Z', '--format', 'stix'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const bundle = JSON.parse(r.stdout);
  assert.equal(validator()(bundle), true);
  assert.equal(bundle.objects.filter((o: { type: string }) => o.type === 'sighting').length, 2);
  assert.match(r.stderr, /exported 2 sighting\(s\)/);
  const bad = spawnSync(process.execPath, [cli, 'intel', 'export', '--data', data, '--since', 'last tuesday'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--since must be an ISO 8601 time/);
});
