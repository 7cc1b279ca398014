import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { qs, type SeriesPoint, type Talker } from '../api';
import { useApi } from '../hooks';
import { Loadable, Panel } from '../components/ui';
import { RankBars, TimeStack } from '../components/charts';
import { fmtBytes, fmtNumber } from '../format';

const BUCKETS = [
  { s: 60, label: '1 minute' }, { s: 300, label: '5 minutes' }, { s: 900, label: '15 minutes' },
  { s: 3600, label: '1 hour' }, { s: 86400, label: '1 day' },
];
const METRICS = ['bytes', 'packets', 'flows'] as const;

/** Accepts an ISO time or `YYYY-MM-DD HH:MM` (UTC); returns ISO or '' when empty/invalid. */
function toIso(v: string): string {
  const s = v.trim();
  if (!s) return '';
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

/** The flow filter a talker key stands for: an address, `443/tcp` for a port, `SRC > DST` for a pair. */
function talkerFilter(by: string, key: string): Record<string, string> {
  if (by === 'port') return { port: key.split('/')[0] };
  if (by === 'pair') {
    const [a, b] = key.split('>').map((x) => x.trim());
    return { src: a ?? '', dst: b ?? '' };
  }
  return { [by]: key };
}

export function FlowsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const f = {
    since: params.get('since') ?? '', until: params.get('until') ?? '', bucket: params.get('bucket') ?? '3600',
    src: params.get('src') ?? '', dst: params.get('dst') ?? '', port: params.get('port') ?? '', by: params.get('by') ?? 'src',
  };
  const [form, setForm] = useState(f);
  const [metric, setMetric] = useState<(typeof METRICS)[number]>('bytes');
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = { ...form, since: toIso(form.since), until: toIso(form.until) };
    setForm(next);
    setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)), { replace: true });
  };
  const setBy = (by: string) => { const p = new URLSearchParams(params); p.set('by', by); setParams(p, { replace: true }); };

  const series = useApi<{ items: SeriesPoint[] }>(`flows/series${qs({ since: f.since, until: f.until, bucket: f.bucket, src: f.src, dst: f.dst, port: f.port })}`, 30000);
  const top = useApi<{ items: Talker[] }>(`flows/top${qs({ by: f.by, since: f.since, until: f.until, limit: 20 })}`, 30000);
  const rows = useMemo(() => (series.data?.items ?? []).map((p) => ({ t: Date.parse(p.bucket), bytes: p.bytes, packets: p.packets, flows: p.flows })), [series.data]);
  const bucketS = Number(f.bucket) || 3600;

  const alertsFor = (extra: Record<string, string>) => `/alerts${qs({ detector: 'flows', ...extra })}`;

  return (
    <>
      <div className="page-head"><h1 tabIndex={-1}>Flows</h1></div>
      <form className="filters" role="search" aria-label="Filter flows" onSubmit={apply}>
        <label>Since (UTC)<input value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} placeholder="2026-11-14 00:00" data-search /></label>
        <label>Until (UTC)<input value={form.until} onChange={(e) => setForm({ ...form, until: e.target.value })} placeholder="2026-11-15 00:00" /></label>
        <label>Bucket
          <select value={form.bucket} onChange={(e) => setForm({ ...form, bucket: e.target.value })}>
            {BUCKETS.map((b) => <option key={b.s} value={b.s}>{b.label}</option>)}
          </select>
        </label>
        <label>Source<input value={form.src} onChange={(e) => setForm({ ...form, src: e.target.value })} placeholder="address or prefix" /></label>
        <label>Destination<input value={form.dst} onChange={(e) => setForm({ ...form, dst: e.target.value })} placeholder="address or prefix" /></label>
        <label>Port<input value={form.port} onChange={(e) => setForm({ ...form, port: e.target.value })} inputMode="numeric" size={6} /></label>
        <button type="submit">Apply</button>
      </form>
      <div className="grid">
        <Panel title="Traffic over time" className="span-all" actions={
          <div className="segmented" role="group" aria-label="Measure">
            {METRICS.map((m) => <button key={m} type="button" aria-pressed={metric === m} onClick={() => setMetric(m)}>{m}</button>)}
          </div>
        }>
          <Loadable data={series.data} error={series.error} loading={series.loading} empty={(d) => d.items.length === 0}>
            {() => (
              <>
                <TimeStack label={`Flow ${metric} per ${bucketS} s`} rows={rows} series={[{ key: metric }]} unit={metric === 'bytes' ? 'bytes' : 'count'}
                  onPick={(t) => navigate(alertsFor({ since: new Date(t).toISOString(), until: new Date(t + bucketS * 1000).toISOString() }))} />
                <p className="small muted">
                  {fmtBytes(rows.reduce((s, r) => s + r.bytes, 0))} in {fmtNumber(rows.reduce((s, r) => s + r.flows, 0))} flows.
                  Select a point for the flow alerts of that {BUCKETS.find((b) => b.s === bucketS)?.label ?? `${bucketS} s`}; <Link to={alertsFor({ since: f.since, until: f.until })}>all flow alerts in this window</Link>.
                </p>
              </>
            )}
          </Loadable>
        </Panel>
        <Panel title="Top talkers" className="span-all" actions={
          <div className="segmented" role="group" aria-label="Group by">
            {['src', 'dst', 'pair', 'port'].map((b) => <button key={b} type="button" aria-pressed={f.by === b} onClick={() => setBy(b)}>{b}</button>)}
          </div>
        }>
          <Loadable data={top.data} error={top.error} loading={top.loading} empty={(d) => d.items.length === 0}>
            {(d) => (
              <div className="split">
                <RankBars label={`Top ${f.by} by bytes`} rows={d.items.slice(0, 12).map((t) => ({ ...t }))} valueKey="bytes" unit="bytes"
                  onPick={(k) => { const p = new URLSearchParams(params); for (const [a, b] of Object.entries(talkerFilter(f.by, k))) p.set(a, b); setParams(p); setForm({ ...f, ...talkerFilter(f.by, k) }); }} />
                <table className="data">
                  <thead><tr><th scope="col">{f.by}</th><th scope="col" className="num">bytes</th><th scope="col" className="num">packets</th><th scope="col" className="num">flows</th><th scope="col">alerts</th></tr></thead>
                  <tbody>
                    {d.items.map((t) => (
                      <tr key={t.key}>
                        <th scope="row"><code>{t.key}</code></th>
                        <td className="num">{fmtBytes(t.bytes)}</td>
                        <td className="num">{fmtNumber(t.packets)}</td>
                        <td className="num">{fmtNumber(t.flows)}</td>
                        <td>{f.by === 'port' ? null : <Link to={alertsFor({ find: f.by === 'pair' ? talkerFilter('pair', t.key).src : t.key, since: f.since, until: f.until })}>alerts</Link>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Loadable>
        </Panel>
      </div>
    </>
  );
}
