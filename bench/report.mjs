#!/usr/bin/env node
/**
 * `npm run bench:report [-- <dir>]`: renders every `<name>.json` in bench/results/ (or `<dir>`) as a
 * Markdown table on stdout and an SVG bar chart beside it (`<name>.svg`): per case, ours against the
 * anchor, and the ratio against its goal.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = resolve(process.argv[2] ?? join(benchDir, 'results'));

/** @param {number | null | undefined} value */
function fmt(value) {
  if (value === null || value === undefined) return 'n/a';
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** @param {string} text */
function escapeXml(text) {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @param {any} result */
function markdown(result) {
  const lines = [
    `### ${result.name}`,
    '',
    `${result.date} · ${result.machine.cpus} × ${result.machine.cpu_model ?? 'cpu'} · Node ${result.machine.node}${result.smoke ? ' · **smoke run, figures meaningless**' : ''}`,
    '',
    '| case | metric | ours | anchor | ratio | goal | holds | samples | anchor is |',
    '| --- | --- | ---: | ---: | ---: | ---: | :---: | ---: | --- |',
  ];
  for (const c of result.cases) {
    const holds = c.ratio === null || c.ratio === undefined ? '–' : c.ratio <= c.goal_ratio ? '✔' : '✖';
    lines.push(
      `| ${c.case} | ${c.metric} | ${fmt(c.ours)} | ${fmt(c.anchor)} | ${fmt(c.ratio)} | ${fmt(c.goal_ratio)} | ${holds} | ${c.samples ?? ''} | ${c.anchor_name} |`,
    );
  }
  return lines.join('\n');
}

/**
 * One row per case: the ratio as a bar on a shared scale, with the goal as a tick and the raw figures
 * as a label. A ratio is comparable across cases and metrics; raw figures are not.
 *
 * @param {any} result
 */
function svg(result) {
  const rowHeight = 34;
  const labelWidth = 380;
  const barWidth = 360;
  const top = 48;
  const width = labelWidth + barWidth + 200;
  const height = top + result.cases.length * rowHeight + 40;
  const ratios = result.cases.flatMap((c) => [c.ratio ?? 0, c.goal_ratio ?? 0].filter(Number.isFinite));
  const maxRatio = Math.max(1.5, ...ratios);
  // Linear while every ratio is small; logarithmic when one case (say full validation against a bare
  // sort) is an order of magnitude beyond the rest, so the others stay readable.
  const logScale = maxRatio > 4;
  const minRatio = Math.min(0.5, ...ratios.filter((r) => r > 0)) / 1.1;
  const scale = logScale ? barWidth / Math.log((maxRatio * 1.1) / minRatio) : barWidth / (maxRatio * 1.1);
  const x = (ratio) =>
    labelWidth + (logScale ? Math.log(Math.max(ratio, minRatio) / minRatio) : ratio) * scale;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${escapeXml(result.name)}: ours ÷ anchor (lower is better; tick = goal${logScale ? '; log scale' : ''})</text>`,
    `<text x="10" y="36" fill="#555">${escapeXml(`${result.date}, ${result.machine.cpus} cpus, Node ${result.machine.node}${result.smoke ? ', SMOKE RUN' : ''}`)}</text>`,
    `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${height - 30}" stroke="#999" stroke-dasharray="3,3"/>`,
    `<text x="${x(1)}" y="${height - 16}" text-anchor="middle" fill="#555">1× (parity)</text>`,
  ];
  result.cases.forEach((c, i) => {
    const y = top + i * rowHeight;
    const ratio = c.ratio ?? 0;
    const holds = c.ratio !== null && c.ratio !== undefined && c.ratio <= c.goal_ratio;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(`${c.case} · ${c.metric}`)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(1, logScale ? x(ratio) - labelWidth : ratio * scale)}" height="16" fill="${holds ? '#2e7d32' : '#c62828'}"/>`,
      `<line x1="${x(c.goal_ratio)}" y1="${y}" x2="${x(c.goal_ratio)}" y2="${y + 24}" stroke="#000" stroke-width="2"/>`,
      `<text x="${x(Math.max(ratio, c.goal_ratio)) + 8}" y="${y + 15}">${escapeXml(`${fmt(c.ratio)}×  (${fmt(c.ours)} vs ${fmt(c.anchor)})`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

let files;
try {
  files = readdirSync(resultsDir).filter((file) => file.endsWith('.json'));
} catch {
  files = [];
}
if (files.length === 0) {
  console.log(`No results in ${resultsDir}; run \`npm run bench\` first.`);
  process.exit(0);
}
const sections = [];
for (const file of files.sort()) {
  const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  sections.push(markdown(result));
  const svgPath = join(resultsDir, `${basename(file, '.json')}.svg`);
  writeFileSync(svgPath, svg(result));
  sections.push('', `Chart: ${svgPath}`);
}
console.log(sections.join('\n'));
