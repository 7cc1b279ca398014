import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Overview } from '../api';
import { qs } from '../api';
import { useApi } from '../hooks';
import { Loadable, Panel, SeverityCountsView } from '../components/ui';
import { RankBars, TimeStack } from '../components/charts';
import { PALETTE, SEVERITY_COLOR, SEVERITY_ORDER, fmtBytes, fmtNumber, fmtTime, postureScore, totalCount } from '../format';

export const OVERVIEW_POLL_MS = 5000;

/** Rows of `{t, <detector>: count}` from the flat `alerts_over_time` list. */
export function pivotAlerts(points: Overview['alerts_over_time']): { rows: Record<string, number>[]; detectors: string[] } {
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
  const rows = [...byT.values()].sort((a, b) => a.t - b.t);
  for (const r of rows) for (const d of ds) r[d] ??= 0;
  return { rows, detectors: ds };
}

export function OverviewPage() {
  const [paused, setPaused] = useState(false);
  const ov = useApi<Overview>('overview', paused ? undefined : OVERVIEW_POLL_MS);
  const navigate = useNavigate();
  const alerts = useMemo(() => pivotAlerts(ov.data?.alerts_over_time ?? []), [ov.data]);
  const worst = useMemo(() => [...(ov.data?.worst_devices ?? [])].sort((a, b) => postureScore(b.findings) - postureScore(a.findings)), [ov.data]);

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Overview</h1>
        <div className="live" aria-live="polite">
          <span className={`dot ${paused ? 'off' : ov.error ? 'bad' : 'on'}`} aria-hidden="true" />
          <span className="small muted">{paused ? 'Paused' : `Live, every ${OVERVIEW_POLL_MS / 1000} s`}{ov.at ? ` · updated ${fmtTime(ov.at)}` : ''}</span>
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
            <Panel title="Alerts over time per source" id="ov-alerts" className="span-2">
              {alerts.rows.length === 0 ? <p className="muted">No alerts yet.</p> : (
                <TimeStack label="Alerts over time, stacked by detector" rows={alerts.rows}
                  series={alerts.detectors.map((k, i) => ({ key: k, color: PALETTE[i % PALETTE.length] }))}
                  onPick={(t) => navigate(`/alerts${qs({ since: new Date(t).toISOString() })}`)} />
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
            <Panel title="Top flow talkers" id="ov-talkers" className="span-2">
              {d.top_talkers.length === 0 ? <p className="muted">No flows stored.</p> : (
                <>
                  <RankBars label="Top talkers by bytes" rows={d.top_talkers.slice(0, 10).map((t) => ({ ...t }))} valueKey="bytes" unit="bytes"
                    onPick={(key) => navigate(`/flows${qs({ src: key.split(/\s*(?:→|->)\s*/)[0] })}`)} />
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
