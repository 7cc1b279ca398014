/**
 * YAML documents with positions: every load error names the file and the YAML line of the offending node.
 * Duplicate keys are refused (sigma-spec Y-3).
 */
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar } from 'yaml';
import type { Document, Node } from 'yaml';

/** A problem found while loading rules: where, which rule, why. */
export interface RuleProblem {
  file: string;
  line?: number;
  /** Rule id or title, when known. */
  rule?: string;
  reason: string;
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.rule ? `[${p.rule}] ` : ''}${p.reason}`;
}

export interface YamlDoc {
  /** Plain JS value of the document. */
  value: unknown;
  /** 1-based line of the node at a key path (keys and indexes); falls back to the nearest known parent. */
  lineOf(path: (string | number)[]): number | undefined;
  /** First line of the document. */
  line: number;
  index: number;
}

export interface YamlLoad {
  docs: YamlDoc[];
  errors: RuleProblem[];
}

/** Parses every `---` document of a file. Syntax errors and duplicate keys become problems with lines. */
export function loadYamlDocs(file: string, text: string): YamlLoad {
  const lc = new LineCounter();
  const out: YamlLoad = { docs: [], errors: [] };
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true }) as Document.Parsed[];
  } catch (e) {
    out.errors.push({ file, reason: `YAML error: ${(e as Error).message}` });
    return out;
  }
  if (!Array.isArray(parsed)) parsed = [parsed as Document.Parsed];
  parsed.forEach((doc, index) => {
    const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset).line);
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const msg = /Map keys must be unique/.test(e.message) ? `duplicate key: ${e.message.split('\n')[0]}` : e.message.split('\n')[0];
        out.errors.push({ file, line: e.linePos?.[0]?.line ?? lineAt(e.pos?.[0]), reason: `YAML error: ${msg}` });
      }
      return;
    }
    if (doc.contents === null || doc.contents === undefined) return; // empty document (e.g. trailing ---)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      out.errors.push({ file, line: lineAt(doc.contents.range?.[0]), reason: `YAML error: ${(e as Error).message}` });
      return;
    }
    const root = doc.contents as Node;
    const lineOf = (path: (string | number)[]): number | undefined => {
      let node: unknown = root;
      let best = lineAt((root as Node).range?.[0]);
      for (const k of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k));
          if (!pair) break;
          const keyNode = pair.key as Node;
          best = lineAt(keyNode.range?.[0]) ?? best;
          node = pair.value;
        } else if (isSeq(node) && typeof k === 'number') {
          const item = node.items[k] as Node | undefined;
          if (!item) break;
          best = lineAt(item.range?.[0]) ?? best;
          node = item;
        } else break;
      }
      return best;
    };
    out.docs.push({ value, lineOf, line: lineAt(root.range?.[0]) ?? 1, index });
  });
  return out;
}
