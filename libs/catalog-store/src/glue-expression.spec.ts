import { describe, expect, it } from 'vitest';
import { compileNamePattern, compilePartitionExpression } from './glue-expression.js';

const keys = new Map([
  ['year', 'int'],
  ['city', 'string'],
]);
const rows = [
  { year: '2023', city: 'Paris' },
  { year: '2024', city: 'Lyon' },
  { year: '2025', city: "L'Haÿ" },
  { year: '10', city: 'Nice' },
];
const select = (expression: string) => rows.filter(compilePartitionExpression(expression, keys)).map((r) => `${r.year}/${r.city}`);

describe('compilePartitionExpression', () => {
  it('compares numeric keys as numbers and others as strings', () => {
    expect(select('year > 2023')).toEqual(['2024/Lyon', '2025/L\'Haÿ']);
    expect(select("year < '3'")).toEqual([]);
    expect(select('year > 9')).toHaveLength(4);
    expect(select("city < 'M'")).toEqual(['2024/Lyon', "2025/L'Haÿ"]);
  });

  it('combines AND, OR, NOT and parentheses with the usual precedence', () => {
    expect(select("city = 'Paris' OR year = 2024 AND city = 'Nice'")).toEqual(['2023/Paris']);
    expect(select("(city = 'Paris' OR year = 2024) AND NOT city = 'Paris'")).toEqual(['2024/Lyon']);
  });

  it('supports IN, BETWEEN, LIKE, <> and quoted quotes', () => {
    expect(select("city IN ('Nice', 'Lyon')")).toEqual(['2024/Lyon', '10/Nice']);
    expect(select('year BETWEEN 2024 AND 2025')).toEqual(['2024/Lyon', "2025/L'Haÿ"]);
    expect(select("city LIKE 'L%'")).toEqual(['2024/Lyon', "2025/L'Haÿ"]);
    expect(select("city = 'L''Haÿ'")).toEqual(["2025/L'Haÿ"]);
    expect(select('year <> 10')).toHaveLength(3);
    expect(select('YEAR = 2023 and `city` = \'Paris\'')).toEqual(['2023/Paris']);
  });

  it('refuses what it does not understand, as an input error', () => {
    for (const bad of ['country = 1', 'year ~ 1', "year = 'x", 'year =', '(year = 1', 'year = 1 year', "city LIKE '%a%b%c%d%e%f%g%h%i'", '']) {
      expect(() => compilePartitionExpression(bad, keys), bad).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { awsException: 'InvalidInputException' } }));
    }
  });
});

describe('compileNamePattern', () => {
  it('matches * and | alternatives case-insensitively, everything else literally', () => {
    const m = compileNamePattern('ord*|Trips');
    expect(['orders', 'ORDERS_2024', 'trips', 'trips2', 'xorders'].filter(m)).toEqual(['orders', 'ORDERS_2024', 'trips']);
    expect(compileNamePattern('a.c')('abc')).toBe(false);
    expect(compileNamePattern('a.c')('a.c')).toBe(true);
  });
});
