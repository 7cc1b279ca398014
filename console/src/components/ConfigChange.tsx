// The config diff behind an audit alert that carries only the offending config line: the change in the device's
// config history (GET /api/v1/devices/:name, recorded by the service's watched config folder) that added or
// removed that line.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { get, qs, type ConfigChange, type DeviceDetail, type DeviceSummary, type ListPage } from '../api';
import { fmtTime } from '../format';
import { DiffView } from './ui';

/** One request per device while a page shows many alerts of it; forgotten after a minute. */
const cache = new Map<string, { at: number; p: Promise<DeviceDetail | null> }>();

function deviceDetail(name: string): Promise<DeviceDetail | null> {
  const hit = cache.get(name);
  if (hit && Date.now() - hit.at < 60_000) return hit.p;
  // Ask the list first: a device the service never audited is an empty answer there, not a 404 on the detail.
  const p = get<ListPage<DeviceSummary>>(`devices${qs({ q: name, limit: 50 })}`)
    .then((l) => (l.items.some((d) => d.name === name) ? get<DeviceDetail>(`devices/${encodeURIComponent(name)}`) : null))
    .catch(() => null);
  cache.set(name, { at: Date.now(), p });
  return p;
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

export function ConfigChangeOf({ device, lines }: { device: string; lines: string[] }) {
  const name = device.toLowerCase();
  const [found, setFound] = useState<{ time: string; changes: ConfigChange[] }[] | null | undefined>();
  const key = lines.join('\n');
  useEffect(() => {
    let live = true;
    const want = new Set(key.split('\n').map(norm).filter(Boolean));
    void deviceDetail(name).then((d) => {
      if (!live) return;
      if (!d) { setFound(null); return; }
      const hits = d.history
        .map((h) => ({ time: h.time, changes: h.changes.filter((c) => [...c.added, ...c.removed].some((l) => want.has(norm(l)))) }))
        .filter((h) => h.changes.length)
        .sort((a, b) => b.time.localeCompare(a.time));
      setFound(hits);
    });
    return () => { live = false; };
  }, [name, key]);
  if (found === undefined || found === null) return null;
  if (found.length === 0) return <p className="small muted">No recorded config change adds or removes this line; see the <Link to={`/devices/${encodeURIComponent(name)}`}>config history of {name}</Link>.</p>;
  return (
    <div className="config-change">
      {found.slice(0, 2).map((h) => (
        <div key={h.time}>
          <h4>Config change of {name} at {fmtTime(h.time)}</h4>
          <DiffView changes={h.changes} />
        </div>
      ))}
      <p className="small"><Link to={`/devices/${encodeURIComponent(name)}`}>All config changes of {name}</Link></p>
    </div>
  );
}
