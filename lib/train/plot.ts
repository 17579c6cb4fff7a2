/**
 * Line charts and heat maps as SVG text, small enough to read: no dependency, no DOM. A chart is a standalone
 * `<svg>`; {@linkcode figure} places several charts on a grid in one file.
 *
 * @example
 * ```ts
 * import { lineChart } from "@lib/train/plot.ts";
 * const svg = lineChart([{ name: "loss", points: [[0, 4.2], [10, 3.1], [20, 1.0]] }], {
 *   title: "Training loss",
 *   xLabel: "step",
 *   yLabel: "nats",
 * });
 * svg.startsWith("<svg"); // true
 * ```
 * @module
 */

/** One line of a chart. */
export interface Series {
  /** The legend's label. */
  name: string;
  /** (x, y) points in x order; non-finite y values break the line. */
  points: [number, number][];
  /** A CSS colour (default: the next colour of {@linkcode PALETTE}). */
  color?: string;
  /** Draw dashed (e.g. the global-token loss against the in-context one). */
  dashed?: boolean;
}

/** Options of {@linkcode lineChart}. */
export interface ChartOptions {
  /** The title above the plot. */
  title: string;
  /** The x axis' label. */
  xLabel: string;
  /** The y axis' label. */
  yLabel: string;
  /** Fixed y range (default: the data's range, rounded to ticks). */
  yMin?: number;
  /** Fixed y range upper end. */
  yMax?: number;
  /** Horizontal reference lines, e.g. a target accuracy. */
  hLines?: { y: number; label: string }[];
  /** Vertical reference lines, e.g. the step at which a matrix is unfrozen. */
  vLines?: { x: number; label: string }[];
  /** Where the legend goes inside the plot (default top-left). */
  legend?: "top-left" | "top-right" | "bottom-left" | "bottom-right";
  /** Pixel size (default 480 × 300). */
  width?: number;
  /** Pixel height. */
  height?: number;
}

/** The colours given to series in order (Tableau 10). */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/**
 * About `count` round tick values (steps of 1, 2 or 5 times a power of ten) covering [lo, hi].
 *
 * @example
 * ```ts
 * import { niceTicks } from "@lib/train/plot.ts";
 * niceTicks(0, 0.97, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * ```
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - pad, lo + pad, count);
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v < hi + step - 1e-9 * step; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A label as SVG text: escaped, and with the course's matrix names written as W with a
 * subscript and a superscript (`W_K^1` or `W_K1` → W, subscript K, superscript 1; `W_F` → W,
 * subscript F), so that no figure shows a raw `W_K^1`.
 *
 * @example
 * ```ts
 * import { svgText } from "@lib/train/plot.ts";
 * svgText("W_K^1 recall"); // 'W<tspan dy="3" font-size="75%">K</tspan><tspan dy="-8" font-size="75%">1</tspan><tspan dy="5">\u200b</tspan> recall'
 * ```
 */
export function svgText(text: string): string {
  return escapeXml(text).replace(
    /\bW_([A-Z])(?:\^?(\d))?(?![A-Za-z0-9])/g,
    (_, sub: string, sup?: string) =>
      `W<tspan dy="3" font-size="75%">${sub}</tspan>` +
      (sup
        ? `<tspan dy="-8" font-size="75%">${sup}</tspan><tspan dy="5">\u200b</tspan>`
        : `<tspan dy="-3">\u200b</tspan>`),
  );
}

const esc = svgText;

function fmtTick(v: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e4 || abs < 1e-3) return v.toExponential(0);
  return String(+v.toPrecision(6));
}

/** The opening of a chart's standalone SVG: the `<svg>` tag, a white ground and the title. */
function chartHead(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${
      esc(title)
    }</text>`,
  ];
}

/**
 * One line chart as a standalone SVG document.
 *
 * @example
 * ```ts
 * import { lineChart } from "@lib/train/plot.ts";
 * lineChart([{ name: "acc", points: [[0, 0], [100, 1]] }], {
 *   title: "In-context accuracy", xLabel: "step", yLabel: "accuracy", yMin: 0, yMax: 1,
 * });
 * ```
 */
export function lineChart(series: Series[], options: ChartOptions): string {
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  const m = { left: 56, right: 12, top: 30, bottom: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const finite = series.flatMap((s) => s.points).filter(([x, y]) => isFinite(x) && isFinite(y));
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]).concat((options.hLines ?? []).map((h) => h.y));
  const xTicks = niceTicks(Math.min(0, ...xs), xs.length ? Math.max(...xs) : 1, 6);
  const yTicks = niceTicks(
    options.yMin ?? (ys.length ? Math.min(...ys) : 0),
    options.yMax ?? (ys.length ? Math.max(...ys) : 1),
    5,
  );
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [options.yMin ?? yTicks[0], options.yMax ?? yTicks[yTicks.length - 1]];
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => m.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const out = chartHead(width, height, options.title);
  for (const t of yTicks.filter((t) => t >= y0 - 1e-12 && t <= y1 + 1e-12)) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e6e6e6"/>`,
      `<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end" fill="#444">${fmtTick(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${sx(t)}" y="${m.top + plotH + 16}" text-anchor="middle" fill="#444">${
        fmtTick(t)
      }</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${
      esc(options.xLabel)
    }</text>`,
    `<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${
      esc(options.yLabel)
    }</text>`,
  );
  for (const h of options.hLines ?? []) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${sy(h.y)}" y2="${sy(h.y)}" ` +
        `stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${m.left + plotW - 4}" y="${sy(h.y) - 4}" text-anchor="end" fill="#777">${
        esc(h.label)
      }</text>`,
    );
  }
  for (const v of options.vLines ?? []) {
    out.push(
      `<line x1="${sx(v.x)}" x2="${sx(v.x)}" y1="${m.top}" y2="${m.top + plotH}" ` +
        `stroke="#999" stroke-dasharray="4 3"/>`,
      `<text x="${sx(v.x) + 4}" y="${m.top + 12}" fill="#777">${esc(v.label)}</text>`,
    );
  }
  const clip = (y: number) => Math.min(Math.max(y, y0), y1);
  const legend: string[] = [];
  const where = options.legend ?? "top-left";
  const legendW = 44 + 6.8 * Math.max(0, ...series.map((s) => s.name.length));
  const legendH = 8 + 15 * series.length;
  const lx = where.endsWith("left") ? m.left + 4 : m.left + plotW - 4 - legendW;
  const ly0 = where.startsWith("top") ? m.top + 4 : m.top + plotH - 4 - legendH;
  if (series.length > 0) {
    legend.push(
      `<rect x="${lx}" y="${ly0}" width="${legendW}" height="${legendH}" fill="white" ` +
        `fill-opacity="0.85" stroke="#ddd"/>`,
    );
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    let d = "";
    let pen = "M";
    for (const [x, y] of s.points) {
      if (!isFinite(x) || !isFinite(y)) {
        pen = "M";
        continue;
      }
      d += `${pen}${sx(x).toFixed(1)} ${sy(clip(y)).toFixed(1)}`;
      pen = "L";
    }
    if (d) {
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${dash}/>`);
    }
    const ly = ly0 + 15 + i * 15;
    legend.push(
      `<line x1="${lx + 6}" x2="${lx + 30}" y1="${ly - 4}" y2="${ly - 4}" ` +
        `stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 36}" y="${ly}" fill="#222">${esc(s.name)}</text>`,
    );
  });
  out.push(...legend);
  out.push(`</svg>`);
  return out.join("\n");
}

// Viridis at 5 stops, interpolated linearly.
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/**
 * The viridis colour (RGB) of a value in [0, 1] (clamped; not a number is 0): the heat maps'
 * scale, on the site's canvases and in the SVG figures.
 *
 * @example
 * ```ts
 * import { viridis } from "@lib/train/plot.ts";
 * viridis(0); // [68, 1, 84]
 * ```
 */
export function viridis(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(VIRIDIS[i][c] * (1 - f) + VIRIDIS[i + 1][c] * f)) as [
    number,
    number,
    number,
  ];
}

/**
 * {@linkcode viridis} as a CSS hex colour.
 *
 * @example
 * ```ts
 * import { viridisHex } from "@lib/train/plot.ts";
 * viridisHex(1); // "#fde725"
 * ```
 */
export function viridisHex(v: number): string {
  return "#" + viridis(v).map((c) => c.toString(16).padStart(2, "0")).join("");
}

/** Options of {@linkcode heatmapChart}. */
export interface HeatmapChartOptions {
  /** The title above the map. */
  title: string;
  /** The rows' axis title, e.g. "query position t". */
  rowLabel: string;
  /** The columns' axis title, e.g. "key position s". */
  colLabel: string;
  /** The value drawn brightest (default: the largest value); 0 is darkest. */
  max?: number;
  /** Cells to outline, `[row, col]` (e.g. where an induction head should look). */
  marks?: [number, number][];
  /** Rows to tick on the left (e.g. the in-context targets). */
  markRows?: number[];
  /** A line of text under the map (what the marks are). */
  caption?: string;
  /** Pixel size (default 420 × 420). */
  width?: number;
  /** Pixel height. */
  height?: number;
}

/**
 * A matrix (row-major, `rows * cols` values) as a heat map in a standalone SVG, in viridis,
 * rows top to bottom: positions (1-based) at round steps on both axes, marked cells outlined
 * in red, marked rows ticked in red on the left. Cells of one colour (64 levels) are one path,
 * so a 64 × 64 map stays small. Composes with {@linkcode figure}.
 *
 * @example
 * ```ts
 * import { heatmapChart } from "@lib/train/plot.ts";
 * heatmapChart([1, 0, 0.5, 0.5], 2, 2, {
 *   title: "attention", rowLabel: "query t", colLabel: "key s", marks: [[1, 0]],
 * }).startsWith("<svg"); // true
 * ```
 */
export function heatmapChart(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: HeatmapChartOptions,
): string {
  const width = options.width ?? 420;
  const height = options.height ?? 420;
  const m = { left: 56, right: 12, top: 30, bottom: options.caption ? 58 : 44 };
  const cell = Math.max(
    1,
    Math.floor(Math.min((width - m.left - m.right) / cols, (height - m.top - m.bottom) / rows)),
  );
  const [w, h] = [cols * cell, rows * cell];
  const x0 = m.left + Math.floor((width - m.left - m.right - w) / 2);
  const y0 = m.top;
  let top = options.max ?? 0;
  if (options.max === undefined) {
    for (let i = 0; i < values.length; i++) top = Math.max(top, values[i]);
  }
  const levels = 64;
  const byLevel = new Map<number, string[]>();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = top > 0 ? values[r * cols + c] / top : 0;
      const level = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * levels);
      if (level === 0) continue; // the background
      const cells = byLevel.get(level) ?? [];
      cells.push(`M${x0 + c * cell} ${y0 + r * cell}h${cell}v${cell}h-${cell}z`);
      byLevel.set(level, cells);
    }
  }
  const out = chartHead(width, height, options.title);
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="${viridisHex(0)}"/>`);
  for (const [level, cells] of [...byLevel].sort((a, b) => a[0] - b[0])) {
    out.push(`<path fill="${viridisHex(level / levels)}" d="${cells.join("")}"/>`);
  }
  for (const [r, c] of options.marks ?? []) {
    out.push(
      `<rect class="mark" x="${x0 + c * cell + 0.5}" y="${y0 + r * cell + 0.5}" ` +
        `width="${cell - 1}" height="${cell - 1}" fill="none" stroke="#e11d48" stroke-width="1"/>`,
    );
  }
  for (const r of options.markRows ?? []) {
    out.push(
      `<rect class="row-mark" x="${x0 - 5}" y="${y0 + r * cell}" width="4" height="${cell}" ` +
        `fill="#e11d48"/>`,
    );
  }
  const ticks = (n: number) =>
    niceTicks(1, n, 6).filter((t) => t >= 1 && t <= n && Number.isInteger(t))
      .concat(n > 1 ? [1] : []).filter((t, i, a) => a.indexOf(t) === i).sort((a, b) => a - b);
  for (const t of ticks(cols)) {
    out.push(
      `<text x="${x0 + (t - 0.5) * cell}" y="${
        y0 + h + 14
      }" text-anchor="middle" fill="#444">${t}</text>`,
    );
  }
  for (const t of ticks(rows)) {
    out.push(
      `<text x="${x0 - 8}" y="${
        y0 + (t - 0.5) * cell + 4
      }" text-anchor="end" fill="#444">${t}</text>`,
    );
  }
  out.push(
    `<text x="${x0 + w / 2}" y="${y0 + h + 30}" text-anchor="middle">${
      esc(options.colLabel)
    } →</text>`,
    `<text transform="translate(14 ${y0 + h / 2}) rotate(-90)" text-anchor="middle">${
      esc(options.rowLabel)
    } →</text>`,
  );
  if (options.caption) {
    out.push(
      `<text x="${width / 2}" y="${y0 + h + 48}" text-anchor="middle" fill="#444" font-size="11">${
        esc(options.caption)
      }</text>`,
    );
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/**
 * Several standalone charts side by side in one SVG, `columns` per row, with an optional title.
 *
 * @example
 * ```ts
 * import { figure, lineChart } from "@lib/train/plot.ts";
 * const a = lineChart([{ name: "a", points: [[0, 1], [1, 2]] }], { title: "A", xLabel: "x", yLabel: "y" });
 * figure([a, a], { columns: 2, title: "Two panels" });
 * ```
 */
export function figure(
  charts: string[],
  options: { columns?: number; title?: string } = {},
): string {
  const columns = Math.max(1, options.columns ?? 2);
  const sizes = charts.map((svg) => {
    const w = Number(svg.match(/width="(\d+(?:\.\d+)?)"/)?.[1] ?? 480);
    const h = Number(svg.match(/height="(\d+(?:\.\d+)?)"/)?.[1] ?? 300);
    return [w, h];
  });
  const cellW = Math.max(...sizes.map((s) => s[0]));
  const cellH = Math.max(...sizes.map((s) => s[1]));
  const top = options.title ? 30 : 0;
  const rows = Math.ceil(charts.length / columns);
  const width = cellW * Math.min(columns, charts.length);
  const height = top + cellH * rows;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title) {
    out.push(
      `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${
        esc(options.title)
      }</text>`,
    );
  }
  charts.forEach((svg, i) => {
    const x = (i % columns) * cellW;
    const y = top + Math.floor(i / columns) * cellH;
    out.push(svg.replace(/^<svg /, `<svg x="${x}" y="${y}" `));
  });
  out.push("</svg>");
  return out.join("\n");
}
