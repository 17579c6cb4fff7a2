/**
 * A small SVG line chart for curves that grow while a demo runs (loss, accuracy, recall). It
 * is rendered by Preact like any element, so it updates with the island's state, and its
 * `<desc>` gives the latest value of each curve for screen readers. It takes the width of its
 * container (measured in the browser, so its text keeps its size on a phone and the chart uses
 * a desktop's width), and it can mark steps with labelled vertical lines (the birth of the
 * induction head, the end of a freeze).
 *
 * @example
 * ```tsx
 * import { LineChart } from "./line_chart.tsx";
 * <LineChart id="loss" label="Loss" xLabel="step"
 *   series={[{ name: "in-context", color: "#2563eb", points: [[0, 4.2], [10, 3.9]] }]} />;
 * ```
 * @module
 */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { niceTicks } from "@lib/train/plot.ts";
import { MatrixText } from "./matrix_name.tsx";

/** One curve. */
export interface Series {
  /** Its name in the legend. */
  name: string;
  /** CSS colour. */
  color: string;
  /** The points, [x, y], in increasing x. */
  points: [number, number][];
  /** Dash pattern (SVG `stroke-dasharray`), for telling curves apart without colour. */
  dash?: string;
}

/** A vertical line at `x` with a label (a birth step, an unfreeze step). */
export interface Mark {
  /** Where, on the x axis. */
  x: number;
  /** Its label, drawn at the top of the line. */
  label: string;
  /** CSS colour (default: the text colour). */
  color?: string;
}

/** What {@linkcode LineChart} draws. */
export interface LineChartProps {
  /** The svg's id. */
  id: string;
  /** The chart's title (accessible name and caption). */
  label: string;
  /** The curves. */
  series: Series[];
  /** The x axis' name. */
  xLabel: string;
  /** Fixed y range; default: the data's range (with 0 included). */
  yRange?: [number, number];
  /** Fixed x range; default: the data's range. */
  xRange?: [number, number];
  /** How an x tick is written (default: the number), e.g. `(x) => String(2 ** x)` for log2 axes. */
  xFormat?: (x: number) => string;
  /** Vertical lines to draw, with labels. */
  marks?: Mark[];
  /**
   * Width in CSS pixels before the chart is measured (default 420); in the browser the chart
   * takes its container's width, at least 240 and at most `maxWidth`.
   */
  width?: number;
  /** The widest the chart grows (default 900). */
  maxWidth?: number;
  /** Height. */
  height?: number;
}

/**
 * Round tick values inside [lo, hi], about `count` of them: lib/train/plot's `niceTicks` (the
 * same steps as the SVG figures of lesson 5), keeping only those within the axis.
 *
 * @example
 * ```ts
 * import { ticks } from "./line_chart.tsx";
 * ticks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * ```
 */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const eps = (hi - lo) * 1e-9;
  return niceTicks(lo, hi, count).filter((t) => t >= lo - eps && t <= hi + eps);
}

/**
 * The chart.
 *
 * @example
 * ```tsx
 * import { LineChart } from "./line_chart.tsx";
 * <LineChart id="loss" label="Loss" xLabel="step"
 *   series={[{ name: "in-context", color: "#2563eb", points: [[0, 4.2], [10, 3.9]] }]} />;
 * ```
 */
export function LineChart(props: LineChartProps) {
  const figure = useRef<HTMLElement>(null);
  const [measured, setMeasured] = useState<number>();
  useLayoutEffect(() => {
    const el = figure.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = () => setMeasured(Math.floor(el.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const width = measured
    ? Math.max(240, Math.min(props.maxWidth ?? 900, measured))
    : (props.width ?? 420);
  const height = props.height ?? 220;
  const marks = props.marks ?? [];
  const pad = { left: 44, right: 12, top: marks.length ? 22 : 10, bottom: 34 };
  const all = props.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const [x0, x1] = props.xRange ?? [Math.min(0, ...xs), Math.max(1, ...xs)];
  const [y0, y1] = props.yRange ?? [Math.min(0, ...ys), Math.max(1e-6, ...ys)];
  const sx = (x: number) => pad.left + ((x - x0) / (x1 - x0 || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) =>
    pad.top + (1 - (Math.min(y1, Math.max(y0, y)) - y0) / (y1 - y0 || 1)) *
      (height - pad.top - pad.bottom);
  const latest = props.series
    .map((s) => {
      const last = s.points[s.points.length - 1];
      const x = last ? (props.xFormat ?? String)(last[0]) : "";
      return last
        ? `${s.name} ${last[1].toFixed(3)} at ${props.xLabel} ${x}`
        : `${s.name}: no data`;
    })
    .join("; ") + marks.map((m) => `; ${m.label} (${props.xLabel} ${m.x})`).join("");
  return (
    <figure class="line-chart" ref={figure}>
      <svg
        id={props.id}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
      >
        <title id={`${props.id}-title`}>{props.label}</title>
        <desc id={`${props.id}-desc`}>{latest}</desc>
        {ticks(y0, y1, 4).map((t) => (
          <g class="tick">
            <line x1={pad.left} x2={width - pad.right} y1={sy(t)} y2={sy(t)} />
            <text x={pad.left - 6} y={sy(t) + 4} text-anchor="end">{t}</text>
          </g>
        ))}
        {ticks(x0, x1, 5).map((t) => (
          <text class="tick" x={sx(t)} y={height - pad.bottom + 16} text-anchor="middle">
            {(props.xFormat ?? String)(t)}
          </text>
        ))}
        <text class="axis-label" x={(width + pad.left) / 2} y={height - 4} text-anchor="middle">
          {props.xLabel}
        </text>
        {marks.filter((m) => m.x >= x0 && m.x <= x1).map((m) => (
          <g class="mark" data-x={m.x}>
            <line
              x1={sx(m.x)}
              x2={sx(m.x)}
              y1={pad.top}
              y2={height - pad.bottom}
              stroke={m.color ?? "#1f2328"}
              stroke-width="1.5"
              stroke-dasharray="4 3"
            />
            <text
              x={sx(m.x)}
              y={pad.top - 6}
              text-anchor={sx(m.x) > width * 0.7 ? "end" : "start"}
              fill={m.color ?? "#1f2328"}
            >
              <MatrixText text={m.label} svg />
            </text>
          </g>
        ))}
        {props.series.map((s) => (
          <polyline
            class="curve"
            data-name={s.name}
            fill="none"
            stroke={s.color}
            stroke-width="2"
            stroke-dasharray={s.dash}
            points={s.points
              .filter((p) => Number.isFinite(p[1]))
              .map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
              .join(" ")}
          />
        ))}
      </svg>
      <figcaption>
        <span class="chart-title">{props.label}</span>
        <span class="legend">
          {props.series.map((s) => (
            <span class="legend-item">
              <svg width="22" height="8" aria-hidden="true">
                <line
                  x1="0"
                  x2="22"
                  y1="4"
                  y2="4"
                  stroke={s.color}
                  stroke-width="2"
                  stroke-dasharray={s.dash}
                />
              </svg>
              <MatrixText text={s.name} />
            </span>
          ))}
        </span>
      </figcaption>
    </figure>
  );
}
