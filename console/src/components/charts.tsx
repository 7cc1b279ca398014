// Chart wrappers over recharts (no hand-drawn SVG): shared axes, colours and tooltips for the dark theme.
import {
  Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis,
} from 'recharts';
import { PALETTE, fmtAxisTime, fmtBytes, fmtNumber, fmtTime } from '../format';
import { useTypeScale } from '../hooks';

const AXIS = { stroke: '#8b98ab' };
/** Chart heights are given in px at the 15 px base size and scale with the root font (wall mode, big screens). */
const rem = (px: number) => `${px / 15}rem`;
const TOOLTIP = {
  contentStyle: { background: '#141b26', border: '1px solid #2c3a4f', color: '#e6edf5' },
  labelStyle: { color: '#e6edf5' },
  itemStyle: { color: '#e6edf5' },
};

export interface StackedSeries { key: string; label?: string; color?: string }

/** Stacked areas over time. `rows` carry `t` (epoch ms) and one number per series key. */
export function TimeStack({ rows, series, height = 260, unit, onPick, label }: {
  rows: Record<string, number>[]; series: StackedSeries[]; height?: number; unit?: 'bytes' | 'count';
  onPick?: (t: number) => void; label: string;
}) {
  const k = useTypeScale();
  const fmt = unit === 'bytes' ? fmtBytes : fmtNumber;
  return (
    <figure className="chart" aria-label={label} style={{ height: rem(height) }}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
          onClick={onPick ? (s) => { const p = s?.activeLabel; if (p !== undefined && p !== null) onPick(Number(p)); } : undefined}
          style={onPick ? { cursor: 'pointer' } : undefined}>
          <CartesianGrid stroke="#223044" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={fmtAxisTime} tick={AXIS} stroke={AXIS.stroke} minTickGap={40 * k} />
          <YAxis tickFormatter={(v: number) => fmt(v)} tick={AXIS} stroke={AXIS.stroke} width={(unit === 'bytes' ? 70 : 48) * k} />
          <Tooltip {...TOOLTIP} labelFormatter={(v) => fmtTime(Number(v))} formatter={(v) => fmt(Number(v))} />
          {series.length > 1 ? <Legend wrapperStyle={{ color: '#c9d4e2' }} /> : null}
          {series.map((s, i) => (
            <Area key={s.key} type="linear" dataKey={s.key} name={s.label ?? s.key} stackId="1" isAnimationActive={false}
              stroke={s.color ?? PALETTE[i % PALETTE.length]} fill={s.color ?? PALETTE[i % PALETTE.length]} fillOpacity={0.35} />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Horizontal bars, largest first: top talkers and the like. */
export function RankBars({ rows, valueKey, height, unit, onPick, label, color = PALETTE[0] }: {
  rows: { key: string; [k: string]: number | string }[]; valueKey: string; height?: number; unit?: 'bytes' | 'count';
  onPick?: (key: string) => void; label: string; color?: string;
}) {
  const k = useTypeScale();
  const fmt = unit === 'bytes' ? fmtBytes : fmtNumber;
  const h = height ?? Math.max(120, rows.length * 28 + 40);
  return (
    <figure className="chart" aria-label={label} style={{ height: rem(h) }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid stroke="#223044" strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => fmt(v)} tick={AXIS} stroke={AXIS.stroke} />
          <YAxis type="category" dataKey="key" tick={AXIS} stroke={AXIS.stroke} width={170 * k} interval={0} />
          <Tooltip {...TOOLTIP} formatter={(v) => fmt(Number(v))} cursor={{ fill: '#ffffff10' }} />
          <Bar dataKey={valueKey} fill={color} isAnimationActive={false}
            onClick={onPick ? (d) => { const k = (d as { key?: unknown }).key ?? (d as { payload?: { key?: unknown } }).payload?.key; if (typeof k === 'string') onPick(k); } : undefined}
            style={onPick ? { cursor: 'pointer' } : undefined} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Vertical stacked bars per category (findings by severity per device, alerts per time bucket). */
export function StackBars({ rows, series, height = 240, label, onPick }: {
  rows: Record<string, number | string>[]; series: StackedSeries[]; height?: number; label: string; onPick?: (row: Record<string, number | string>) => void;
}) {
  const k = useTypeScale();
  return (
    <figure className="chart" aria-label={label} style={{ height: rem(height) }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
          onClick={onPick ? (st) => { const i = Number(st?.activeTooltipIndex ?? st?.activeIndex); if (Number.isInteger(i) && rows[i]) onPick(rows[i]); } : undefined}
          style={onPick ? { cursor: 'pointer' } : undefined}>
          <CartesianGrid stroke="#223044" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="key" tick={AXIS} stroke={AXIS.stroke} interval="preserveStartEnd" minTickGap={24 * k} />
          <YAxis tick={AXIS} stroke={AXIS.stroke} allowDecimals={false} width={48 * k} />
          <Tooltip {...TOOLTIP} cursor={{ fill: '#ffffff10' }} />
          {series.length > 1 ? <Legend wrapperStyle={{ color: '#c9d4e2' }} /> : null}
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.label ?? s.key} stackId="1" fill={s.color ?? PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
