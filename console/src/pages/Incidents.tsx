import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { qs, type Incident, type ListPage } from '../api';
import { useApi } from '../hooks';
import { Loadable, Pager, Panel, SeverityBadge, StateBadge, Time } from '../components/ui';
import { SEVERITY_ORDER, STATES, stateLabel } from '../format';

const LIMIT = 50;

export function IncidentsPage() {
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? 'open';
  const severity = params.get('severity') ?? '';
  const device = params.get('device') ?? '';
  const sort = params.get('sort') ?? 'severity';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [deviceInput, setDeviceInput] = useState(device);

  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v); else p.delete(k);
    if (k !== 'offset') p.delete('offset');
    setParams(p, { replace: true });
  };
  // `open` (new, investigating or contained) is the API's own shorthand; `all` sends no state.
  const list = useApi<ListPage<Incident>>(`incidents${qs({ state: state === 'all' ? undefined : state, severity, device, sort, limit: LIMIT, offset })}`, 15000);
  const shown = list.data?.items;
  const total = list.data?.total ?? 0;

  return (
    <>
      <div className="page-head"><h1 tabIndex={-1}>Incidents</h1></div>
      <form className="filters" role="search" aria-label="Filter incidents" onSubmit={(e: FormEvent) => { e.preventDefault(); set('device', deviceInput.trim()); }}>
        <label>State
          <select value={state} onChange={(e) => set('state', e.target.value)} data-search>
            <option value="open">open (new, investigating, contained)</option>
            <option value="all">all</option>
            {STATES.map((s) => <option key={s} value={s}>{stateLabel(s)}</option>)}
          </select>
        </label>
        <label>Severity at least
          <select value={severity} onChange={(e) => set('severity', e.target.value)}>
            <option value="">any</option>
            {SEVERITY_ORDER.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Device
          <input value={deviceInput} onChange={(e) => setDeviceInput(e.target.value)} placeholder="hostname" />
        </label>
        <label>Sort by
          <select value={sort} onChange={(e) => set('sort', e.target.value)}>
            <option value="severity">severity</option>
            <option value="last_seen">last seen</option>
            <option value="first_seen">first seen</option>
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      <Panel title={`${total} incident${total === 1 ? '' : 's'}`}>
        <Loadable data={shown} error={list.error} loading={list.loading} empty={(d) => d.length === 0}>
          {(rows) => (
            <>
              <table className="data incidents">
                <thead>
                  <tr>
                    <th scope="col">severity</th><th scope="col">incident</th><th scope="col">state</th><th scope="col">assignee</th>
                    <th scope="col">devices</th><th scope="col" className="num">alerts</th><th scope="col" className="num">techniques</th>
                    <th scope="col">first seen</th><th scope="col">last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((i) => (
                    <tr key={i.id}>
                      <td><SeverityBadge severity={i.severity} /></td>
                      <th scope="row"><Link to={`/incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link></th>
                      <td><StateBadge state={i.state} /></td>
                      <td>{i.assignee ?? <span className="muted">—</span>}</td>
                      <td className="clip">{i.devices.slice(0, 4).join(', ')}{i.devices.length > 4 ? ` +${i.devices.length - 4}` : ''}</td>
                      <td className="num">{i.alert_ids.length}</td>
                      <td className="num">{i.techniques.length}</td>
                      <td><Time t={i.first_seen} /></td>
                      <td><Time t={i.last_seen} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager total={total} offset={offset} limit={LIMIT} onChange={(o) => set('offset', String(o))} />
            </>
          )}
        </Loadable>
      </Panel>
    </>
  );
}
