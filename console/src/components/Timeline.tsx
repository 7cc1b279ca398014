// The incident timeline: each alert a point at its time on its device's lane, coloured by ATT&CK tactic (recharts).
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { TimelineEntry } from '../../../src/model/incident.js';
import { PALETTE, fmtAxisTime, fmtTime } from '../format';
import { useTypeScale } from '../hooks';

const GREY = '#9aa7b8';
const SHAPES = ['circle', 'diamond', 'triangle', 'square', 'star'] as const;

interface Point { t: number; device: string; title: string; technique?: string; tactic?: string; alert_id: string }

export function TimelineChart({ entries, tactics, onPick }: { entries: TimelineEntry[]; tactics: string[]; onPick?: (alertId: string) => void }) {
  const k = useTypeScale();
  const points: Point[] = entries.map((e) => ({ t: Date.parse(e.time), device: e.device ?? '(no device)', title: e.title, technique: e.technique, tactic: e.tactic, alert_id: e.alert_id }))
    .filter((p) => !Number.isNaN(p.t));
  const devices = [...new Set(points.map((p) => p.device))];
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    const k = p.tactic ?? 'other';
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const keys = [...groups.keys()].sort((a, b) => (tactics.indexOf(a) < 0 ? 99 : tactics.indexOf(a)) - (tactics.indexOf(b) < 0 ? 99 : tactics.indexOf(b)));
  const height = Math.max(160, devices.length * 36 + 90);
  // evenly spaced time ticks (recharts places only the ends on a time scale given dataMin/dataMax)
  const t0 = Math.min(...points.map((p) => p.t)), t1 = Math.max(...points.map((p) => p.t));
  const ticks = t1 > t0 ? Array.from({ length: 7 }, (_, i) => Math.round(t0 + ((t1 - t0) * i) / 6)) : [t0];
  // each tactic shown gets its own colour; past the seven colours, its own marker shape too; unmapped alerts are grey
  const COLORS = PALETTE.filter((c) => c !== GREY);
  const look = (k: string, i: number) => (k === 'other' || k === 'unmapped' || !tactics.includes(k)
    ? { fill: GREY, shape: 'cross' as const }
    : { fill: COLORS[i % COLORS.length], shape: SHAPES[Math.floor(i / COLORS.length) % SHAPES.length] });
  return (
    <figure className="chart" aria-label="Timeline of the incident's alerts by device" style={{ height: `${height / 15}rem` }}>
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 24, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="#223044" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={[t0, t1]} ticks={ticks} tickFormatter={fmtAxisTime} tick={{ fill: '#8b98ab' }} stroke="#8b98ab" minTickGap={40 * k} name="time" />
          <YAxis dataKey="device" type="category" allowDuplicatedCategory={false} tick={{ fill: '#c9d4e2' }} stroke="#8b98ab" width={150 * k} name="device" />
          <Tooltip cursor={{ strokeDasharray: '3 3' }} content={({ payload }) => {
            const p = payload?.[0]?.payload as Point | undefined;
            if (!p) return null;
            return (
              <div className="tip">
                <div>{fmtTime(p.t)}</div><div><b>{p.device}</b></div><div>{p.title}</div>
                {p.technique ? <div>{p.technique} · {p.tactic}</div> : null}
              </div>
            );
          }} />
          <Legend wrapperStyle={{ color: '#c9d4e2' }} />
          {keys.map((k, i) => (
            <Scatter key={k} name={k} data={groups.get(k)} fill={look(k, i).fill} shape={look(k, i).shape} legendType={look(k, i).shape} isAnimationActive={false}
              onClick={onPick ? (d) => { const id = (d as { alert_id?: string; payload?: Point }).alert_id ?? (d as { payload?: Point }).payload?.alert_id; if (id) onPick(id); } : undefined}
              style={onPick ? { cursor: 'pointer' } : undefined} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
