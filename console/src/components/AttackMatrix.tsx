import type { AttackTable, Incident } from '../api';

function titleCase(tactic: string): string {
  return tactic.split('-').map((w) => (w === 'and' ? w : w[0].toUpperCase() + w.slice(1))).join(' ');
}

/**
 * The ATT&CK matrix: one column per tactic in kill-chain order (rules/attack/techniques.yml, served at
 * /api/v1/attack), each technique a cell, lit when the incident shows it. Techniques the incident carries that
 * the table lacks are added under the tactic the incident gives them.
 */
export function AttackMatrix({ table, incident, compact }: { table: AttackTable; incident: Incident; compact: boolean }) {
  const seen = new Map(incident.techniques.map((t) => [t.technique, t]));
  const order = new Map(incident.techniques.map((t, i) => [t.technique, i + 1]));
  const tactics = [...table.tactics];
  for (const t of incident.techniques) if (t.tactic && !tactics.includes(t.tactic)) tactics.push(t.tactic);
  const byTactic = new Map<string, { id: string; name: string }[]>(tactics.map((t) => [t, []]));
  for (const t of table.techniques) byTactic.get(t.tactic)?.push({ id: t.id, name: t.name });
  const known = new Set(table.techniques.map((t) => t.id));
  for (const t of incident.techniques) {
    if (!known.has(t.technique)) byTactic.get(t.tactic)?.push({ id: t.technique, name: t.name ?? t.technique });
  }
  const cols = compact ? tactics.filter((t) => (byTactic.get(t) ?? []).some((x) => seen.has(x.id))) : tactics;
  return (
    <div className="matrix-wrap" tabIndex={0} role="region" aria-label="ATT&CK matrix (scrolls sideways)">
      <table className="matrix">
        <caption className="sr-only">ATT&CK tactics in kill-chain order; lit techniques were seen in this incident</caption>
        <thead>
          <tr>
            {cols.map((t) => {
              const lit = (byTactic.get(t) ?? []).filter((x) => seen.has(x.id)).length;
              return <th key={t} scope="col" className={lit ? 'lit' : ''}>{titleCase(t)}<span className="count">{lit ? `${lit} seen` : ''}</span></th>;
            })}
          </tr>
        </thead>
        <tbody>
          <tr>
            {cols.map((t) => (
              <td key={t}>
                <ul>
                  {(byTactic.get(t) ?? []).filter((x) => !compact || seen.has(x.id)).map((x) => {
                    const lit = seen.has(x.id);
                    return (
                      <li key={x.id} className={`technique ${lit ? 'lit' : ''}`} data-technique={x.id} data-lit={lit ? 'true' : 'false'}
                        title={lit ? `${x.id} seen in this incident (step ${order.get(x.id)} of the chain)` : `${x.id} not seen`}>
                        <span className="tid">{x.id}</span> <span className="tname">{x.name}</span>
                        {lit ? <span className="sr-only"> (seen)</span> : null}
                      </li>
                    );
                  })}
                </ul>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
