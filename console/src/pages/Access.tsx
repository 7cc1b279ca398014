import { useMemo, useState } from 'react';
import { hasCapability, type ListPage, type OperatorProfile } from '../api';
import { useAuth } from '../auth';
import { useApi } from '../hooks';
import { Loadable, Panel, SeverityBadge, Time, Unavailable } from '../components/ui';
import { SEVERITY_ORDER } from '../format';

/** A learned-profile value in a line: lists joined, small maps as `key n`, the rest as JSON. */
function profileValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') {
    const e = Object.entries(v as Record<string, unknown>);
    if (e.every(([, x]) => typeof x === 'number' || typeof x === 'string')) return e.map(([k, x]) => `${k} ${typeof x === 'number' ? Math.round(x * 100) / 100 : x}`).join(', ');
    return JSON.stringify(v);
  }
  return String(v);
}

export function AccessPage() {
  const { me } = useAuth();
  if (!hasCapability(me, 'access')) return <><div className="page-head"><h1 tabIndex={-1}>Access</h1></div><Unavailable what="Operator profiles" /></>;
  return <AccessView />;
}

function AccessView() {
  const ops = useApi<ListPage<OperatorProfile>>('access/operators', 30000);
  const [filter, setFilter] = useState('');
  const [onlyAnomalous, setOnlyAnomalous] = useState(false);
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return [...(ops.data?.items ?? [])]
      .filter((o) => (!f || o.operator.toLowerCase().includes(f)) && (!onlyAnomalous || o.recent_anomalies.length > 0))
      .sort((a, b) => b.recent_anomalies.length - a.recent_anomalies.length || a.operator.localeCompare(b.operator));
  }, [ops.data, filter, onlyAnomalous]);

  return (
    <>
      <div className="page-head"><h1 tabIndex={-1}>Access</h1></div>
      <div className="filters" role="search">
        <label>Operator<input value={filter} onChange={(e) => setFilter(e.target.value)} data-search /></label>
        <label className="inline"><input type="checkbox" checked={onlyAnomalous} onChange={(e) => setOnlyAnomalous(e.target.checked)} /> only with anomalies</label>
      </div>
      <Loadable data={ops.data} error={ops.error} loading={ops.loading} empty={(d) => d.items.length === 0}>
        {() => (
          <div className="grid cards">
            {rows.map((o) => {
              const worst = SEVERITY_ORDER.find((s) => o.recent_anomalies.some((a) => a.severity === s));
              return (
                <Panel key={o.operator} title={<>{o.operator} {worst ? <SeverityBadge severity={worst} /> : null}</>} className={o.recent_anomalies.length ? 'anomalous' : ''}>
                  <h3>Learned profile</h3>
                  <dl className="kv">
                    {Object.entries(o.profile).map(([k, v]) => <div key={k}><dt>{k.replace(/_/g, ' ')}</dt><dd>{profileValue(v)}</dd></div>)}
                  </dl>
                  <h3>Recent anomalies ({o.recent_anomalies.length})</h3>
                  {o.recent_anomalies.length === 0 ? <p className="muted">None: this operator works as usual.</p> : (
                    <ul className="anomalies">
                      {o.recent_anomalies.map((a) => (
                        <li key={a.id}>
                          <div><SeverityBadge severity={a.severity} /> <Time t={a.time} /> {a.rule.title}</div>
                          {a.reasons?.length ? <ul className="reasons">{a.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul> : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </Panel>
              );
            })}
          </div>
        )}
      </Loadable>
    </>
  );
}
