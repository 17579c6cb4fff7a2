/// <reference lib="dom" />
/**
 * A matrix drawn as a heat map on a canvas (rows top to bottom, columns left to right), with
 * labelled axes (their titles, and ticks: the rows' and columns' tokens where they fit, else
 * positions 1, 2, ... at round steps), a text alternative and a readout of the cell under the
 * pointer. It shrinks to the width it has (a phone). Used by the attention maps and the bigram
 * table. Drawing happens in the browser only; the server renders an empty canvas.
 *
 * @example
 * ```tsx
 * import { Heatmap } from "./heatmap.tsx";
 * <Heatmap id="attn" label="Attention weights" values={[1, 0, 0.5, 0.5]} rows={2} cols={2} />;
 * ```
 * @module
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { viridis } from "@lib/train/plot.ts";

/** What {@linkcode Heatmap} draws. */
export interface HeatmapProps {
  /** The element id (tests find the canvas by it). */
  id: string;
  /** What the map shows (the canvas' accessible name and the caption). */
  label: string;
  /** The values, row-major, `rows * cols` of them. */
  values: ArrayLike<number>;
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** Colour scale: linear (default), square root, or log10 (floored at 1e-4 of the max). */
  scale?: "linear" | "sqrt" | "log";
  /** The value drawn brightest (default: the largest value). */
  max?: number;
  /** The value drawn darkest with the linear scale (default 0; "auto" for the smallest value). */
  min?: number | "auto";
  /** Rows to mark with a tick on the left (e.g. triggers). */
  markRows?: number[];
  /** Cells to outline in red, as row-major indices `row * cols + col` (e.g. induction targets). */
  markCells?: number[];
  /** Name of a row for the readout (default: its index). */
  rowName?: (i: number) => string;
  /** Name of a column for the readout (default: its index). */
  colName?: (j: number) => string;
  /** Name of the rows and columns in the readout (default "row", "column"). */
  axes?: [string, string];
  /** The axes' titles, rows then columns (default: `axes`), e.g. "query position t". */
  titles?: [string, string];
  /** Tick labels of the rows (tokens, say), shown where they fit; default: positions 1, 2, ... */
  rowLabels?: string[];
  /** Tick labels of the columns. */
  colLabels?: string[];
  /**
   * When the labels do not all fit: `positions` (default) shows positions 1, 2, ... at round
   * steps instead; `thin` shows every k-th label (a vocabulary, which has no positions).
   */
  crowded?: "positions" | "thin";
  /** Largest side of the canvas in CSS pixels (default 360). */
  size?: number;
}

/**
 * The axes of an attention map over a sequence (rows: queries t, columns: keys s, both labelled
 * with the sequence's tokens, named "position “token”" in the readout), weights in [0, 1].
 *
 * @example
 * ```tsx
 * import { attentionAxes, Heatmap } from "./heatmap.tsx";
 * <Heatmap id="a" label="Attention" values={[1, 0, 0.5, 0.5]} rows={2} cols={2} {...attentionAxes(["a", "b"])} />;
 * ```
 */
export function attentionAxes(
  tokens: string[],
): Pick<
  HeatmapProps,
  "max" | "axes" | "titles" | "rowLabels" | "colLabels" | "rowName" | "colName"
> {
  return {
    max: 1,
    axes: ["query t", "key s"],
    titles: ["query position t", "key position s"],
    rowLabels: tokens,
    colLabels: tokens,
    rowName: (i) => `${i + 1} “${tokens[i]}”`,
    colName: (j) => `${j + 1} “${tokens[j]}”`,
  };
}

/** The smallest cell, in CSS pixels, at which every label is shown. */
export const LABEL_CELL = 11;

/**
 * The ticks along an axis of `n` cells of `cell` pixels: every label where they fit (cells of
 * {@linkcode LABEL_CELL} px or more), else positions (1-based) or every k-th label, spaced at
 * least 24 px (positions) or 12 px (labels) apart.
 *
 * @example
 * ```ts
 * import { axisTicks } from "./heatmap.tsx";
 * axisTicks(4, 20, ["a", "b", "a", "c"]); // [[0, "a"], [1, "b"], [2, "a"], [3, "c"]]
 * axisTicks(64, 4); // [[0, "1"], [7, "8"], [15, "16"], ... [63, "64"]]
 * ```
 */
export function axisTicks(
  n: number,
  cell: number,
  labels?: string[],
  crowded: "positions" | "thin" = "positions",
): [number, string][] {
  if (labels && cell >= LABEL_CELL) return labels.slice(0, n).map((l, i) => [i, l]);
  const thin = labels !== undefined && crowded === "thin";
  const steps = [1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128, 256];
  const every = steps.find((k) => k * cell >= (thin ? 12 : 24)) ?? n;
  const out: [number, string][] = [];
  for (let i = 0; i < n; i++) {
    if (thin ? i % every === 0 : i === 0 || (i + 1) % every === 0) {
      out.push([i, thin ? labels![i] : String(i + 1)]);
    }
  }
  return out;
}

/**
 * Maps values to [0, 1] with the chosen scale.
 *
 * @example
 * ```ts
 * import { normalise } from "./heatmap.tsx";
 * normalise([0, 2, 4], "linear"); // Float32Array [0, 0.5, 1]
 * ```
 */
export function normalise(
  values: ArrayLike<number>,
  scale: "linear" | "sqrt" | "log",
  max?: number,
  min: number | "auto" = 0,
): Float32Array {
  let top = max ?? -Infinity;
  let bottom = min === "auto" ? Infinity : min;
  for (let i = 0; i < values.length; i++) {
    if (max === undefined) top = Math.max(top, values[i]);
    if (min === "auto") bottom = Math.min(bottom, values[i]);
  }
  const out = new Float32Array(values.length);
  if (scale === "linear") {
    const range = top - bottom;
    if (!(range > 0)) return out;
    for (let i = 0; i < values.length; i++) {
      out[i] = Math.min(1, Math.max(0, (values[i] - bottom) / range));
    }
    return out;
  }
  if (!(top > 0)) return out;
  const floor = Math.log10(top * 1e-4);
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(1, Math.max(0, values[i]) / top);
    out[i] = scale === "sqrt"
      ? Math.sqrt(v)
      : Math.max(0, (Math.log10(Math.max(v * top, 1e-30)) - floor) / (Math.log10(top) - floor));
  }
  return out;
}

/**
 * The heat map.
 *
 * @example
 * ```tsx
 * import { Heatmap } from "./heatmap.tsx";
 * <Heatmap id="attn" label="Attention weights" values={[1, 0, 0.5, 0.5]} rows={2} cols={2} />;
 * ```
 */
export function Heatmap(props: HeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const figure = useRef<HTMLElement>(null);
  const [hover, setHover] = useState<string>("");
  const [room, setRoom] = useState<number>();
  // The width the demo gives the map (measured in the browser), less the axes' labels.
  useLayoutEffect(() => {
    const el = figure.current;
    const box = el?.closest(".demo-body") ?? el?.parentElement;
    if (!box || typeof ResizeObserver === "undefined") return;
    const measure = () => setRoom(Math.floor(box.clientWidth) - 44);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    return () => observer.disconnect();
  }, []);
  const size = Math.max(64, Math.min(props.size ?? 360, room ?? Infinity));
  const cell = Math.max(1, Math.floor(size / Math.max(props.rows, props.cols)));
  const mark = props.markRows && props.markRows.length > 0 ? 4 : 0;
  const width = props.cols * cell + mark;
  const height = props.rows * cell;

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx) return;
    const v = normalise(props.values, props.scale ?? "linear", props.max, props.min);
    const image = ctx.createImageData(width, height);
    for (let r = 0; r < props.rows; r++) {
      for (let c = 0; c < props.cols; c++) {
        const [R, G, B] = viridis(v[r * props.cols + c]);
        for (let y = r * cell; y < (r + 1) * cell; y++) {
          for (let x = mark + c * cell; x < mark + (c + 1) * cell; x++) {
            const o = (y * width + x) * 4;
            image.data[o] = R;
            image.data[o + 1] = G;
            image.data[o + 2] = B;
            image.data[o + 3] = 255;
          }
        }
      }
    }
    for (const r of props.markRows ?? []) {
      for (let y = r * cell; y < (r + 1) * cell; y++) {
        for (let x = 0; x < mark - 1; x++) {
          const o = (y * width + x) * 4;
          image.data.set([220, 38, 38, 255], o);
        }
      }
    }
    for (const i of props.markCells ?? []) {
      const [r, c] = [Math.floor(i / props.cols), i % props.cols];
      for (let y = r * cell; y < (r + 1) * cell; y++) {
        for (let x = mark + c * cell; x < mark + (c + 1) * cell; x++) {
          const edge = y === r * cell || y === (r + 1) * cell - 1 || x === mark + c * cell ||
            x === mark + (c + 1) * cell - 1;
          if (edge) image.data.set([225, 29, 72, 255], (y * width + x) * 4);
        }
      }
    }
    ctx.putImageData(image, 0, 0);
  }, [
    props.values,
    props.rows,
    props.cols,
    props.scale,
    props.max,
    props.min,
    props.markRows,
    props.markCells,
    cell,
  ]);

  const onMove = (e: MouseEvent) => {
    const rect = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left - mark) / cell);
    const r = Math.floor((e.clientY - rect.top) / cell);
    if (r < 0 || c < 0 || r >= props.rows || c >= props.cols) return setHover("");
    const [rowAxis, colAxis] = props.axes ?? ["row", "column"];
    const rn = props.rowName?.(r) ?? String(r);
    const cn = props.colName?.(c) ?? String(c);
    setHover(`${rowAxis} ${rn}, ${colAxis} ${cn}: ${props.values[r * props.cols + c].toFixed(4)}`);
  };

  const [rowTitle, colTitle] = props.titles ?? props.axes ?? ["row", "column"];
  const rowTicks = axisTicks(props.rows, cell, props.rowLabels, props.crowded);
  const colTicks = axisTicks(props.cols, cell, props.colLabels, props.crowded);
  return (
    <figure class="heatmap" ref={figure}>
      <div class="hm-grid">
        <span class="hm-col-title" aria-hidden="true">{colTitle} →</span>
        <span class="hm-row-title" aria-hidden="true">{rowTitle} →</span>
        <div class="hm-col-ticks" style={{ width: `${width}px` }} aria-hidden="true">
          {colTicks.map(([i, text]) => (
            <span key={i} style={{ left: `${mark + (i + 0.5) * cell}px` }}>{text}</span>
          ))}
        </div>
        <div class="hm-row-ticks" style={{ height: `${height}px` }} aria-hidden="true">
          {rowTicks.map(([i, text]) => (
            <span key={i} style={{ top: `${(i + 0.5) * cell}px` }}>{text}</span>
          ))}
        </div>
        <canvas
          id={props.id}
          ref={canvas}
          width={width}
          height={height}
          role="img"
          aria-label={`${props.label} (rows: ${rowTitle}; columns: ${colTitle})`}
          onMouseMove={onMove}
          onMouseLeave={() => setHover("")}
        />
      </div>
      <figcaption>
        {props.label}
        <span class="readout" aria-hidden="true">{hover || "\u00a0"}</span>
      </figcaption>
    </figure>
  );
}
