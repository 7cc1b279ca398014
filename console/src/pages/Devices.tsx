import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { qs, type Alert, type DeviceDetail, type DeviceSummary, type Finding, type ListPage } from '../api';
import { useApi } from '../hooks';
import { DiffView, Evidence, Loadable, Panel, SeverityBadge, SeverityCountsView, Time } from '../components/ui';
import { StackBars } from '../components/charts';
import { SEVERITY_COLOR, SEVERITY_ORDER, postureScore, totalCount } from '../format';

export function DevicesPage() {
  const list = useApi<ListPage<DeviceSummary>>('devices?limit=1000');
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return [...(list.data?.items ?? [])]
      .filter((d) => !f || [d.name, d.platform, d.version].some((x) => x?.toLowerCase().includes(f)))
      .sort((a, b) => postureScore(b.findings) - postureScore(a.findings) || a.name.localeCompare(b.name));
  }, [list.data, filter]);

  return (
    <>
      <div className="page-head"><h1 tabIndex={-1}>Devices</h1></div>
      <div className="filters" role="search">
        <label>Filter <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name, platform or version" data-search /></label>
      </div>
      <Loadable data={list.data} error={list.error} loading={list.loading} empty={(d) => d.items.length === 0}>
        {() => (
          <div className="grid">
            <Panel title="Findings by severity, worst devices" className="span-all">
              <StackBars label="Audit findings by severity for the 20 worst devices"
                rows={rows.slice(0, 20).map((d) => ({ key: d.name, ...Object.fromEntries(SEVERITY_ORDER.map((s) => [s, d.findings[s] ?? 0])) }))}
                series={SEVERITY_ORDER.map((s) => ({ key: s, color: SEVERITY_COLOR[s] }))} />
            </Panel>
            <Panel title={`Inventory (${rows.length})`} className="span-all">
              <table className="data">
                <thead><tr><th scope="col">device</th><th scope="col">platform</th><th scope="col" title="the service's fingerprint of the config text: it changes with every config change">config version</th><th scope="col">last audit</th><th scope="col">findings</th><th scope="col">config file</th></tr></thead>
                <tbody>
                  {rows.map((d) => (
                    <tr key={d.name}>
                      <th scope="row"><Link to={`/devices/${encodeURIComponent(d.name)}`}>{d.name}</Link></th>
                      <td>{d.platform ?? '—'}</td>
                      <td>{d.version ?? '—'}</td>
                      <td><Time t={d.last_audit} /></td>
                      <td><SeverityCountsView counts={d.findings} /></td>
                      <td className="clip small">{d.file ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Panel>
          </div>
        )}
      </Loadable>
    </>
  );
}

function isAlert(f: Finding): f is Alert {
  return typeof f.rule === 'object' && typeof f.id === 'string' && typeof f.time === 'string' && Array.isArray(f.attack);
}

function findingTitle(f: Finding): string {
  if (typeof f.rule === 'string') return f.title ?? f.rule;
  return f.rule?.title ?? f.title ?? '(finding)';
}
function findingId(f: Finding): string {
  return typeof f.rule === 'string' ? f.rule : f.rule?.id ?? '';
}

export function DevicePage() {
  const { name = '' } = useParams();
  const dev = useApi<DeviceDetail>(`devices/${encodeURIComponent(name)}`);
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>{name}</h1>
        <p className="muted small"><Link to="/devices">Devices</Link> / {name} · <Link to={`/incidents${qs({ device: name, state: 'all' })}`}>incidents</Link> · <Link to={`/alerts${qs({ device: name })}`}>alerts</Link></p>
      </div>
      <Loadable data={dev.data} error={dev.error} loading={dev.loading}>
        {(d) => {
          const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, d.findings.filter((f) => f.severity === s).length]));
          const findings = [...d.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
          return (
            <div className="grid">
              <dl className="facts span-all">
                <div><dt>Platform</dt><dd>{d.platform ?? '—'}</dd></div>
                <div><dt title="the service's fingerprint of the config text: it changes with every config change">Config version</dt><dd><code>{d.version ?? '—'}</code></dd></div>
                <div><dt>Last audit</dt><dd><Time t={d.last_audit} /></dd></div>
                <div><dt>Findings</dt><dd><SeverityCountsView counts={counts} /></dd></div>
              </dl>
              <Panel title={`Findings (${totalCount(counts)})`} className="span-2">
                {findings.length === 0 ? <p className="muted">No findings.</p> : (
                  <ul className="evidence-list">
                    {findings.map((f, i) => (
                      <li key={f.id ?? i}>
                        <details>
                          <summary><SeverityBadge severity={f.severity} /> {findingTitle(f)} <span className="muted small">{findingId(f)}{f.source?.line ? ` · line ${f.source.line}` : f.line ? ` · line ${f.line}` : ''}</span></summary>
                          {isAlert(f) ? <Evidence alert={f} /> : (
                            <>
                              {f.reasons?.length ? <ul className="reasons">{f.reasons.map((r, j) => <li key={j}>{r}</li>)}</ul> : null}
                              {f.remediation ? <><h4>Remediation</h4><pre className="config">{f.remediation}</pre></> : null}
                            </>
                          )}
                        </details>
                      </li>
                    ))}
                  </ul>
                )}
              </Panel>
              <Panel title="Config history">
                {d.history.length === 0 ? <p className="muted">One snapshot only: no changes recorded.</p> : (
                  <ol className="history-diffs">
                    {[...d.history].sort((a, b) => b.time.localeCompare(a.time)).map((h, i) => (
                      <li key={h.time + i}>
                        <details open={i === 0}>
                          <summary><Time t={h.time} /> · {h.changes.length} section{h.changes.length === 1 ? '' : 's'} changed</summary>
                          <DiffView changes={h.changes} />
                        </details>
                      </li>
                    ))}
                  </ol>
                )}
              </Panel>
            </div>
          );
        }}
      </Loadable>
    </>
  );
}
