import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCENARIO, type BenchDetails, type BenchResults, type ScenarioResult } from './results.js';

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const roundOrNull = (x: number | null, digits: number) => (x === null ? null : round(x, digits));

/** bench-results.json: `{scenarios, ratios, herd}`, numbers rounded to what the measurement supports. */
export function renderJson(results: BenchResults): string {
  const scenarios = results.scenarios.map((s) => ({
    ...s,
    rps: round(s.rps, 1),
    durationSec: round(s.durationSec, 2),
    p50Ms: round(s.p50Ms, 3),
    p95Ms: round(s.p95Ms, 3),
    p99Ms: round(s.p99Ms, 3),
    meanMs: round(s.meanMs, 3),
    maxMs: round(s.maxMs, 3),
    cpuSecondsPer1k: roundOrNull(s.cpuSecondsPer1k, 3),
    clientCpuSecondsPer1k: roundOrNull(s.clientCpuSecondsPer1k, 3),
    rpsToEcho: roundOrNull(s.rpsToEcho, 3),
    p99ToEcho: roundOrNull(s.p99ToEcho, 3),
  }));
  const faces = results.ratios.faces.map((f) => ({ ...f, rps: round(f.rps, 1), p99Ms: round(f.p99Ms, 3), rpsToEcho: roundOrNull(f.rpsToEcho, 3), p99ToEcho: roundOrNull(f.p99ToEcho, 3) }));
  const ratios = { vendToEcho: roundOrNull(results.ratios.vendToEcho, 3), p99VendToEcho: roundOrNull(results.ratios.p99VendToEcho, 3), faces };
  return `${JSON.stringify({ scenarios, ratios, herd: results.herd }, null, 2)}\n`;
}

const num = (x: number | null, digits: number) => (x === null ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const mark = (met: boolean | null) => (met === null ? '? not measured' : met ? '✅ met' : '❌ not met');

export function renderMarkdown(results: BenchResults, details: BenchDetails): string {
  const { meta } = details;
  const lines: string[] = [];
  lines.push('# lakegate benchmark', '');
  lines.push(
    `Run ${meta.startedAt} → ${meta.finishedAt} against ${meta.target}${meta.quick ? ' (--quick)' : ''}; ${meta.connections} connections, ` +
      `${meta.durationSec} s per timed scenario, emulated upstream latency ${meta.upstreamLatencyMs === null ? 'unknown (external system)' : `${meta.upstreamLatencyMs} ms`}.`,
  );
  lines.push(
    `Host: ${meta.host.cpus} × ${meta.host.cpuModel}, 1-minute load average ${meta.host.loadAverage1m.toFixed(2)} at start and ${meta.host.loadAverage1mAtEnd.toFixed(2)} at the end (the bench's own load included), Node ${meta.host.node} on ${meta.host.platform}.`,
    '',
  );
  lines.push('| scenario | face | conns | requests | req/s | p50 ms | p95 ms | p99 ms | errors | upstream calls | CPU s / 1k req | req/s ÷ echo | p99 ÷ echo |');
  lines.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const s of results.scenarios) {
    lines.push(
      `| ${s.name} | ${s.face} | ${s.connections} | ${s.requests.toLocaleString('en-US')} | ${num(s.rps, 0)} | ${num(s.p50Ms, 2)} | ${num(s.p95Ms, 2)} | ${num(s.p99Ms, 2)} | ${s.errors} | ${s.upstreamCalls ?? '—'} | ${num(s.cpuSecondsPer1k, 3)} | ${num(s.rpsToEcho, 2)} | ${num(s.p99ToEcho, 2)} |`,
    );
  }
  lines.push('');
  for (const s of results.scenarios) lines.push(`* **${s.name}**: ${s.title}`);
  const echo = results.scenarios.find((s) => s.name === SCENARIO.echo);
  if (results.ratios.faces.length > 0) {
    lines.push('', '### Cache-hit vends per face, against echo', '');
    lines.push(
      `Echo (the same HTTP stack and NATS hop, no face): ${echo ? `${num(echo.rps, 0)} req/s, p99 ${num(echo.p99Ms, 2)} ms` : 'not measured in this run'}. Goals: req/s ÷ echo ≥ 0.50, p99 ÷ echo ≤ 3.00.`,
      '',
    );
    lines.push('| face | scenario | req/s | p99 ms | req/s ÷ echo | p99 ÷ echo |', '|---|---|--:|--:|--:|--:|');
    for (const f of results.ratios.faces) {
      lines.push(`| ${f.face} | ${f.scenario} | ${num(f.rps, 0)} | ${num(f.p99Ms, 2)} | ${num(f.rpsToEcho, 2)} | ${num(f.p99ToEcho, 2)} |`);
    }
  }
  const processes = [...new Set(results.scenarios.flatMap((s) => Object.keys(s.cpuSecondsPer1kByProcess)))];
  if (processes.length > 0) {
    lines.push('', '### CPU seconds per 1,000 requests, by process', '');
    lines.push(`| process | ${results.scenarios.map((s) => s.name).join(' | ')} |`, `|---|${results.scenarios.map(() => '--:').join('|')}|`);
    for (const p of processes) {
      lines.push(`| ${p} | ${results.scenarios.map((s) => num(s.cpuSecondsPer1kByProcess[p] ?? null, 3)).join(' | ')} |`);
    }
    lines.push(`| **system total** | ${results.scenarios.map((s) => `**${num(s.cpuSecondsPer1k, 3)}**`).join(' | ')} |`);
    lines.push(`| bench process (load generator, not in the total) | ${results.scenarios.map((s) => num(s.clientCpuSecondsPer1k, 3)).join(' | ')} |`);
  }
  lines.push('', '## Goals', '', '| goal | this run | |', '|---|--:|---|');
  for (const g of details.goals) lines.push(`| ${g.goal} | ${g.actual} | ${mark(g.met)} |`);
  lines.push('');
  const hops = details.hops;
  if (hops) {
    lines.push('## Per hop', '', `${hops.how} ${hops.requests.toLocaleString('en-US')} requests at ${num(hops.rps, 0)} req/s in that window.`, '');
    lines.push('| service | span | count | mean ms | p50 ms | p95 ms |', '|---|---|--:|--:|--:|--:|');
    for (const h of hops.spans) lines.push(`| ${h.service} | \`${h.name}\` | ${h.count.toLocaleString('en-US')} | ${num(h.meanMs, 3)} | ${num(h.p50Ms, 3)} | ${num(h.p95Ms, 3)} |`);
    if (hops.rejectedExports > 0) lines.push('', `${hops.rejectedExports} export requests were not OTLP JSON and were not counted.`);
    lines.push('');
  }
  if (meta.notes.length > 0) {
    lines.push('## Notes', '');
    for (const n of meta.notes) lines.push(`* ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** A rounded-up "nice" axis maximum: 1, 2 or 5 × a power of ten. */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * power >= x) return m * power;
  return 10 * power;
}

/**
 * Two horizontal bar charts side by side: throughput per scenario (linear, with the 50%-of-echo
 * goal marked) and p50/p99 latency per scenario (log scale, as latencies span four decades).
 */
export function renderSvg(scenarios: readonly ScenarioResult[]): string {
  const rowH = 34;
  const top = 64;
  // Room for the longest scenario name (~7 px per character at 12 px), at least 170 px.
  const labelW = Math.max(170, 16 + 7 * Math.max(0, ...scenarios.map((s) => s.name.length)));
  const panelW = 330;
  const gap = 60;
  const width = labelW + panelW + gap + labelW + panelW + 30;
  const height = top + scenarios.length * rowH + 50;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);

  // Throughput panel.
  const x0 = labelW;
  const maxRps = niceMax(Math.max(1, ...scenarios.map((s) => s.rps)));
  const rpsX = (v: number) => x0 + (v / maxRps) * panelW;
  out.push(`<text x="${x0}" y="24" font-size="14" font-weight="bold">Throughput (requests/s)</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (maxRps * i) / 4;
    out.push(`<line x1="${rpsX(v)}" y1="${top - 8}" x2="${rpsX(v)}" y2="${top + scenarios.length * rowH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${rpsX(v)}" y="${top + scenarios.length * rowH + 16}" text-anchor="middle" fill="#555">${v.toLocaleString('en-US')}</text>`);
  }
  scenarios.forEach((s, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${x0 - 8}" y="${y + 18}" text-anchor="end">${esc(s.name)}</text>`);
    out.push(`<rect x="${x0}" y="${y + 6}" width="${Math.max(1, rpsX(s.rps) - x0).toFixed(1)}" height="18" fill="${s.name === 'echo' ? '#9e9e9e' : '#3b6fb6'}"/>`);
    out.push(`<text x="${(rpsX(s.rps) + 4).toFixed(1)}" y="${y + 19}" fill="#222">${Math.round(s.rps).toLocaleString('en-US')}</text>`);
  });
  const echo = scenarios.find((s) => s.name === 'echo');
  if (echo && echo.rps > 0) {
    const gx = rpsX(echo.rps / 2).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 8}" x2="${gx}" y2="${top + scenarios.length * rowH}" stroke="#c62828" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${gx}" y="${top - 12}" text-anchor="middle" fill="#c62828">goal: 50% of echo</text>`);
  }

  // Latency panel (log scale).
  const x1 = labelW + panelW + gap + labelW;
  const lo = 0.1;
  const hi = niceMax(Math.max(1, ...scenarios.map((s) => s.p99Ms)));
  const decades = Math.log10(hi / lo);
  const msX = (v: number) => x1 + (Math.log10(Math.max(lo, v) / lo) / decades) * panelW;
  out.push(`<text x="${x1}" y="24" font-size="14" font-weight="bold">Latency (ms, log scale)</text>`);
  out.push(`<rect x="${x1}" y="34" width="10" height="10" fill="#7fb37f"/><text x="${x1 + 14}" y="43">p50</text>`);
  out.push(`<rect x="${x1 + 50}" y="34" width="10" height="10" fill="#2e7d32"/><text x="${x1 + 64}" y="43">p99</text>`);
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    out.push(`<line x1="${msX(v).toFixed(1)}" y1="${top - 8}" x2="${msX(v).toFixed(1)}" y2="${top + scenarios.length * rowH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${msX(v).toFixed(1)}" y="${top + scenarios.length * rowH + 16}" text-anchor="middle" fill="#555">${v < 1 ? v.toFixed(1) : Math.round(v)}</text>`);
  }
  scenarios.forEach((s, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${x1 - 8}" y="${y + 18}" text-anchor="end">${esc(s.name)}</text>`);
    out.push(`<rect x="${x1}" y="${y + 4}" width="${Math.max(1, msX(s.p50Ms) - x1).toFixed(1)}" height="11" fill="#7fb37f"/>`);
    out.push(`<rect x="${x1}" y="${y + 16}" width="${Math.max(1, msX(s.p99Ms) - x1).toFixed(1)}" height="11" fill="#2e7d32"/>`);
    out.push(`<text x="${(msX(s.p50Ms) + 4).toFixed(1)}" y="${y + 14}" fill="#222" font-size="10">${fmtMs(s.p50Ms)}</text>`);
    out.push(`<text x="${(msX(s.p99Ms) + 4).toFixed(1)}" y="${y + 26}" fill="#222" font-size="10">${fmtMs(s.p99Ms)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes bench-results.{json,md,svg} and bench-details.json into `dir`; returns the paths. */
export async function writeReports(dir: string, results: BenchResults, details: BenchDetails): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['bench-results.json', renderJson(results)],
    ['bench-results.md', renderMarkdown(results, details)],
    ['bench-results.svg', renderSvg(results.scenarios)],
    ['bench-details.json', `${JSON.stringify(details, null, 2)}\n`],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
