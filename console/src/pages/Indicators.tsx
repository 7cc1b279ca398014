import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { hasCapability, qs, send, type Alert, type ImportResult, type Indicator, type ListPage } from '../api';
import { useAuth } from '../auth';
import { useApi } from '../hooks';
import { Loadable, Pager, Panel, Time, Unavailable } from '../components/ui';
import { AlertList } from './Alerts';

const TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'hash', 'email'];
const LIMIT = 100;

export function IndicatorsPage() {
  const { me } = useAuth();
  const has = hasCapability(me, 'indicators');
  if (has === false) return <><div className="page-head"><h1 tabIndex={-1}>Indicators</h1></div><Unavailable what="Indicators" /></>;
  return has ? <IndicatorsView /> : <p className="muted" aria-busy="true">Loading…</p>;
}

function IndicatorsView() {
  const { canEdit } = useAuth();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const type = params.get('type') ?? '';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [qInput, setQInput] = useState(q);
  const [selected, setSelected] = useState<Indicator | undefined>();
  const list = useApi<ListPage<Indicator>>(`indicators${qs({ q, type, limit: LIMIT, offset })}`);
  const set = (next: Record<string, string>) => setParams(Object.fromEntries(Object.entries({ q, type, ...next }).filter(([, v]) => v)), { replace: true });

  return (
    <>
      <div className="page-head"><h1 tabIndex={-1}>Indicators</h1></div>
      <div className="grid">
        <div className="span-2">
          <form className="filters" role="search" aria-label="Search indicators" onSubmit={(e: FormEvent) => { e.preventDefault(); setSelected(undefined); set({ q: qInput.trim() }); }}>
            <label>Search<input type="search" value={qInput} onChange={(e) => setQInput(e.target.value)} placeholder="address, domain, hash, source" data-search /></label>
            <label>Type
              <select value={type} onChange={(e) => set({ type: e.target.value })}>
                <option value="">any</option>
                {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            </label>
            <button type="submit">Search</button>
          </form>
          <Panel title={list.data ? `${list.data.total} indicators` : 'Indicators'}>
            <Loadable data={list.data} error={list.error} loading={list.loading} empty={(d) => d.items.length === 0}>
              {(d) => (
                <>
                  <table className="data">
                    <thead><tr><th scope="col">value</th><th scope="col">type</th><th scope="col">source</th><th scope="col" className="num">confidence</th><th scope="col">valid until</th><th scope="col" className="num">matches</th></tr></thead>
                    <tbody>
                      {d.items.map((i) => (
                        <tr key={i.id} className={selected?.id === i.id ? 'selected' : ''}>
                          <th scope="row"><code className="clip">{i.value}</code></th>
                          <td>{i.type}</td>
                          <td className="clip">{i.source ?? '—'}</td>
                          <td className="num">{i.confidence ?? '—'}</td>
                          <td><Time t={i.valid_until} /></td>
                          <td className="num">
                            {i.matches ? <button type="button" className="link" onClick={() => setSelected(i)} aria-label={`Show the ${i.matches} matches of ${i.value}`}>{i.matches}</button> : <span className="muted">0</span>}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <Pager total={d.total} offset={offset} limit={LIMIT} onChange={(o) => set({ offset: String(o) })} />
                </>
              )}
            </Loadable>
          </Panel>
        </div>
        <div>
          {selected ? <Matches indicator={selected} onClose={() => setSelected(undefined)} /> : null}
          {canEdit ? <ImportPanel onDone={list.reload} /> : null}
        </div>
      </div>
    </>
  );
}

function Matches({ indicator, onClose }: { indicator: Indicator; onClose: () => void }) {
  const m = useApi<ListPage<Alert>>(`indicators/${encodeURIComponent(indicator.id)}/matches?limit=200`);
  return (
    <Panel title={<>Where <code>{indicator.value}</code> matched</>} actions={<button type="button" className="ghost" onClick={onClose}>Close</button>}>
      {indicator.pattern ? <p className="small muted"><code>{indicator.pattern}</code></p> : null}
      <Loadable data={m.data} error={m.error} loading={m.loading} empty={(d) => d.items.length === 0}>
        {(d) => <AlertList alerts={d.items} />}
      </Loadable>
    </Panel>
  );
}

function ImportPanel({ onDone }: { onDone: () => void }) {
  const [text, setText] = useState('');
  const [name, setName] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | undefined>();
  const [error, setError] = useState<string | undefined>();
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setName(file.name);
    setText(await file.text());
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(undefined); setResult(undefined);
    try {
      setResult(await send<ImportResult>('POST', 'indicators/import', text));
      onDone();
    } catch (err) { setError(err instanceof Error ? err.message : String(err)); } finally { setBusy(false); }
  };
  return (
    <Panel title="Import indicators">
      <form className="col" onSubmit={submit}>
        <p className="small muted">A STIX 2.1 bundle, a MISP event, or a plain list (one value per line).</p>
        <label>File<input type="file" accept=".json,.txt,.csv,.stix,application/json,text/plain" onChange={(e) => void onFile(e)} /></label>
        <label htmlFor="import-text">Or paste</label>
        <textarea id="import-text" rows={8} value={text} onChange={(e) => { setText(e.target.value); setName(undefined); }} placeholder={'203.0.113.7\nevil.example.net'} />
        <div><button type="submit" className="primary" disabled={busy || !text.trim()}>{busy ? 'Importing…' : `Import${name ? ` ${name}` : ''}`}</button></div>
      </form>
      {error ? <p className="error" role="alert">{error}</p> : null}
      {result ? (
        <div role="status">
          <p className="ok">Added {result.added}, updated {result.updated}, skipped {result.skipped}, rejected {result.rejected.length}.</p>
          {result.rejected.length ? <ul className="reasons">{result.rejected.slice(0, 50).map((r, i) => <li key={i}>{r.reason}</li>)}</ul> : null}
        </div>
      ) : null}
    </Panel>
  );
}
