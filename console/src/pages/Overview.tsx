import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Overview } from '../api';
import { qs } from '../api';
import { useApi } from '../hooks';
import { Loadable, Panel, SeverityCountsView } from '../components/ui';
import { RankBars, StackBars } from '../components/charts';
import { PALETTE, SEVERITY_COLOR, SEVERITY_ORDER, fmtAxisTime, fmtBytes, fmtNumber, fmtTime, postureScore, totalCount } from '../format';

export const OVERVIEW_POLL_MS = 5000;

/** Windows the alert chart and top talkers cover, with a bucket size that gives 24-60 points. */
const WINDOWS = [
  { key: '1h', label: 'last hour', ms: 3_600_000, bucket: 60 },
  { key: '24h', label: 'last 24 hours', ms: 86_400_000, bucket: 3600 },
  { key: '7d', label: 'last 7 days', ms: 7 * 86_400_000, bucket: 6 * 3600 },
  { key: '30d', label: 'last 30 days', ms: 30 * 86_400_000, bucket: 86400 },
  { key: 'all', label: 'all time', ms: Infinity, bucket: 86400 },
];

/** The window's start, rounded down to its bucket so the URL (and the server's cache of it) stays stable between polls. */
function windowSince(w: (typeof WINDOWS)[number], now = Date.now()): string {
  const b = w.bucket * 1000;
  if (!Number.isFinite(w.ms)) return '1970-01-01T00:00:00.000Z';
  return new Date(Math.floor((now - w.ms) / b) * b).toISOString();
}

/**
 * Rows of `{t, key, <detector>: count}` from the flat `alerts_over_time` list, one per bucket from the first to
 * the last (the API leaves out empty buckets; the chart shows them as gaps).
 */
export function pivotAlerts(points: Overview['alerts_over_time'], bucketS: number): { rows: Record<string, number | string>[]; detectors: string[] } {
  const byT = new Map<number, Record<string, number>>();
  const detectors = new Set<string>();
  for (const p of points) {
    const t = Date.parse(p.bucket);
    if (Number.isNaN(t)) continue;
    detectors.add(p.detector);
    const row = byT.get(t) ?? { t };
    row[p.detector] = (row[p.detector] ?? 0) + p.count;
    byT.set(t, row);
  }
  const ds = [...detectors].sort();
  const ts = [...byT.keys()].sort((a, b) => a - b);
  const rows: Record<string, number | string>[] = [];
  if (ts.length) {
    const step = bucketS * 1000;
    const dense = (ts[ts.length - 1] - ts[0]) / step <= 2000;
    for (const t of dense ? Array.from({ length: Math.round((ts[ts.length - 1] - ts[0]) / step) + 1 }, (_, i) => ts[0] + i * step) : ts) {
      const r: Record<string, number | string> = { ...(byT.get(t) ?? { t }), key: fmtAxisTime(t) };
      for (const d of ds) r[d] ??= 0;
      rows.push(r);
    }
  }
  return { rows, detectors: ds };
}

export function OverviewPage() {
  const [paused, setPaused] = useState(false);
  const [params, setParams] = useSearchParams();
  const win = WINDOWS.find((w) => w.key === params.get('window')) ?? WINDOWS[1];
  const ov = useApi<Overview>(`overview${qs({ since: windowSince(win), bucket: win.bucket })}`, paused ? undefined : OVERVIEW_POLL_MS);
  const navigate = useNavigate();
  const alerts = useMemo(() => pivotAlerts(ov.data?.alerts_over_time ?? [], win.bucket), [ov.data, win.bucket]);
  const worst = useMemo(() => [...(ov.data?.worst_devices ?? [])].sort((a, b) => postureScore(b.findings) - postureScore(a.findings)), [ov.data]);

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Overview</h1>
        <div className="live">
          <label className="inline">Window
            <select value={win.key} onChange={(e) => setParams({ window: e.target.value }, { replace: true })}>
              {WINDOWS.map((w) => <option key={w.key} value={w.key}>{w.label}</option>)}
            </select>
          </label>
          <span className={`dot ${paused ? 'off' : ov.error ? 'bad' : 'on'}`} aria-hidden="true" />
          <span className="small muted" aria-live="polite">{paused ? 'Paused' : `Live, every ${OVERVIEW_POLL_MS / 1000} s`}{ov.at ? ` · updated ${fmtTime(ov.at)}` : ''}</span>
          <button type="button" className="ghost" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>{paused ? 'Resume' : 'Pause'}</button>
        </div>
      </div>
      <Loadable data={ov.data} error={ov.error} loading={ov.loading}>
        {(d) => (
          <div className="grid overview">
            <Panel title="Open incidents by severity" id="ov-incidents" className="span-all">
              <ul className="tiles" aria-label="Open incidents by severity">
                {SEVERITY_ORDER.map((s) => (
                  <li key={s}>
                    <Link className={`tile sev-tile sev-${s}`} to={`/incidents${qs({ state: 'open', severity: s })}`}
                      style={{ borderColor: SEVERITY_COLOR[s] }} data-severity={s}>
                      <span className="tile-n">{fmtNumber(d.incidents_by_severity[s] ?? 0)}</span>
                      <span className="tile-label">{s}</span>
                    </Link>
                  </li>
                ))}
                <li>
                  <Link className="tile" to="/incidents?state=open">
                    <span className="tile-n">{fmtNumber(totalCount(d.incidents_by_severity))}</span>
                    <span className="tile-label">open in all</span>
                  </Link>
                </li>
              </ul>
            </Panel>
            <Panel title={`Alerts over time per source, ${win.label}`} id="ov-alerts" className="span-2">
              {alerts.rows.length === 0 ? <p className="muted">No alerts yet.</p> : (
                <StackBars label="Alerts over time, stacked by detector" rows={alerts.rows}
                  series={alerts.detectors.map((k, i) => ({ key: k, color: PALETTE[i % PALETTE.length] }))}
                  onPick={(r) => { const t = Number(r.t); navigate(`/alerts${qs({ since: new Date(t).toISOString(), until: new Date(t + win.bucket * 1000).toISOString() })}`); }} />
              )}
            </Panel>
            <Panel title="Ingest health" id="ov-ingest">
              {d.ingest.length === 0 ? <p className="muted">No listeners report yet.</p> : (
                <table className="data">
                  <thead><tr><th scope="col">source</th><th scope="col" className="num">events/s</th><th scope="col" className="num">accepted</th><th scope="col" className="num">dropped</th><th scope="col" className="num">parse errors</th></tr></thead>
                  <tbody>
                    {d.ingest.map((i) => (
                      <tr key={i.source}>
                        <th scope="row">{i.source}</th>
                        <td className="num">{fmtNumber(i.rate_per_s)}</td>
                        <td className="num">{fmtNumber(i.accepted)}</td>
                        <td className={`num ${i.dropped > 0 ? 'warn' : ''}`}>{fmtNumber(i.dropped)}</td>
                        <td className={`num ${i.parse_errors > 0 ? 'warn' : ''}`}>{fmtNumber(i.parse_errors)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Panel>
            <Panel title="Devices with the worst audit posture" id="ov-devices">
              {worst.length === 0 ? <p className="muted">No audited devices.</p> : (
                <table className="data">
                  <thead><tr><th scope="col">device</th><th scope="col">platform</th><th scope="col">findings</th></tr></thead>
                  <tbody>
                    {worst.slice(0, 10).map((w) => (
                      <tr key={w.device}>
                        <th scope="row"><Link to={`/devices/${encodeURIComponent(w.device)}`}>{w.device}</Link></th>
                        <td>{w.platform ?? '—'}</td>
                        <td><SeverityCountsView counts={w.findings} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Panel>
            <Panel title={`Top flow talkers, ${win.label}`} id="ov-talkers" className="span-2">
              {d.top_talkers.length === 0 ? <p className="muted">No flows stored.</p> : (
                <>
                  <RankBars label="Top talkers by bytes" rows={d.top_talkers.slice(0, 10).map((t) => ({ ...t }))} valueKey="bytes" unit="bytes"
                    onPick={(key) => navigate(`/flows${qs({ src: key, since: windowSince(win) })}`)} />
                  <p className="small muted">Top talker: {d.top_talkers[0].key}, {fmtBytes(d.top_talkers[0].bytes)} in {fmtNumber(d.top_talkers[0].flows)} flows. Select a bar for its traffic.</p>
                </>
              )}
            </Panel>
          </div>
        )}
      </Loadable>
    </>
  );
}
