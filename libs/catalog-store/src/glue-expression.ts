import { LakegateError } from '@lakegate/contracts';

/**
 * The partition predicates Glue's `GetPartitions` takes (`Expression`), as engines send them:
 * comparisons of partition keys with literals (`=`, `<>`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`),
 * `IN (…)`, `BETWEEN … AND …`, combined with `AND`, `OR`, `NOT` and parentheses. Keys of a numeric
 * type compare as numbers, others as strings. Anything else is an input error, never a guess.
 */
export type PartitionPredicate = (values: Readonly<Record<string, string>>) => boolean;

type Token = { kind: 'ident' | 'string' | 'number' | 'op' | 'punct' | 'word'; text: string };

const WORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'LIKE']);
const NUMERIC = /^(tinyint|smallint|int|integer|bigint|float|double|decimal(\(.*\))?)$/i;

const invalid = (message: string) => new LakegateError('INVALID_ARGUMENT', message, { details: { awsException: 'InvalidInputException' } });

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw invalid('Unterminated string literal in the partition expression.');
        if (input[i] === "'" && input[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (input[i] === "'") {
          i++;
          break;
        } else {
          text += input[i++];
        }
      }
      tokens.push({ kind: 'string', text });
    } else if (c === '`') {
      const end = input.indexOf('`', i + 1);
      if (end < 0) throw invalid('Unterminated quoted name in the partition expression.');
      tokens.push({ kind: 'ident', text: input.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i));
      if (!m) throw invalid(`Unexpected '${c}' in the partition expression.`);
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i))!;
      const upper = m[0].toUpperCase();
      tokens.push(WORDS.has(upper) ? { kind: 'word', text: upper } : { kind: 'ident', text: m[0] });
      i += m[0].length;
    } else {
      const op = ['<=', '>=', '<>', '!=', '=', '<', '>'].find((o) => input.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op });
        i += op.length;
      } else if (c === '(' || c === ')' || c === ',') {
        tokens.push({ kind: 'punct', text: c });
        i++;
      } else {
        throw invalid(`Unexpected '${c}' in the partition expression.`);
      }
    }
  }
  return tokens;
}

/** Compiles `expression` over the table's partition keys (name → Glue type). */
export function compilePartitionExpression(expression: string, keys: ReadonlyMap<string, string>): PartitionPredicate {
  if (expression.length > 2048) throw invalid('The partition expression is longer than 2048 characters.');
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (!t) throw invalid('The partition expression ends too early.');
    return t;
  };
  const expect = (kind: Token['kind'], text?: string) => {
    const t = next();
    if (t.kind !== kind || (text !== undefined && t.text !== text)) throw invalid(`Expected ${text ?? kind} but found '${t.text}' in the partition expression.`);
    return t;
  };
  const literal = () => {
    const t = next();
    if (t.kind !== 'string' && t.kind !== 'number') throw invalid(`Expected a literal but found '${t.text}' in the partition expression.`);
    return t.text;
  };
  const compare = (key: string, a: string, b: string): number => {
    if (NUMERIC.test(keys.get(key) ?? '')) {
      const x = Number(a);
      const y = Number(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
      return x - y;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
  const like = (pattern: string) => {
    if ((pattern.match(/[%_]/g) ?? []).length > 8) throw invalid('A LIKE pattern may hold at most 8 wildcards.');
    return likeRegExp(pattern);
  };
  const likeRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's');

  const primary = (): PartitionPredicate => {
    const t = next();
    if (t.kind === 'punct' && t.text === '(') {
      const inner = or();
      expect('punct', ')');
      return inner;
    }
    if (t.kind === 'word' && t.text === 'NOT') {
      const inner = primary();
      return (v) => !inner(v);
    }
    if (t.kind !== 'ident') throw invalid(`Expected a partition key but found '${t.text}' in the partition expression.`);
    const key = [...keys.keys()].find((k) => k.toLowerCase() === t.text.toLowerCase());
    if (!key) throw invalid(`'${t.text}' is not a partition key of this table (${[...keys.keys()].join(', ') || 'none'}).`);
    const op = next();
    if (op.kind === 'op') {
      const value = literal();
      const test = { '=': (c: number) => c === 0, '<>': (c: number) => c !== 0, '!=': (c: number) => c !== 0, '<': (c: number) => c < 0, '<=': (c: number) => c <= 0, '>': (c: number) => c > 0, '>=': (c: number) => c >= 0 }[op.text]!;
      return (v) => {
        const c = compare(key, v[key] ?? '', value);
        return !Number.isNaN(c) && test(c);
      };
    }
    if (op.kind === 'word' && op.text === 'IN') {
      expect('punct', '(');
      const values = [literal()];
      while (peek()?.text === ',') {
        pos++;
        values.push(literal());
      }
      expect('punct', ')');
      return (v) => values.some((x) => compare(key, v[key] ?? '', x) === 0);
    }
    if (op.kind === 'word' && op.text === 'BETWEEN') {
      const low = literal();
      expect('word', 'AND');
      const high = literal();
      return (v) => compare(key, v[key] ?? '', low) >= 0 && compare(key, v[key] ?? '', high) <= 0;
    }
    if (op.kind === 'word' && op.text === 'LIKE') {
      const re = like(literal());
      return (v) => re.test(v[key] ?? '');
    }
    throw invalid(`Unsupported operator '${op.text}' in the partition expression.`);
  };
  const and = (): PartitionPredicate => {
    let left = primary();
    while (peek()?.kind === 'word' && peek()?.text === 'AND') {
      pos++;
      const l = left;
      const r = primary();
      left = (v) => l(v) && r(v);
    }
    return left;
  };
  const or = (): PartitionPredicate => {
    let left = and();
    while (peek()?.kind === 'word' && peek()?.text === 'OR') {
      pos++;
      const l = left;
      const r = and();
      left = (v) => l(v) || r(v);
    }
    return left;
  };
  const predicate = or();
  if (pos !== tokens.length) throw invalid(`Unexpected '${tokens[pos]?.text}' in the partition expression.`);
  return predicate;
}

/**
 * Glue's `GetTables` `Expression`: a name pattern where `*` matches anything and `|` separates
 * alternatives, matched case-insensitively. Other characters match themselves (no user regex runs).
 */
export function compileNamePattern(pattern: string): (name: string) => boolean {
  if (pattern.length > 2048) throw invalid('The table name pattern is longer than 2048 characters.');
  // Wildcards are bounded so that matching stays cheap whatever the pattern.
  if ((pattern.match(/\*/g) ?? []).length > 16) throw invalid('A table name pattern may hold at most 16 wildcards.');
  const alternatives = pattern.split('|').map((p) => new RegExp(`^${p.trim().replace(/[.+?^${}()[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
  return (name) => alternatives.some((re) => re.test(name));
}
