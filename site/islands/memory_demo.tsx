/// <reference lib="dom" />
/**
 * Lesson 3's live demo: the capacity of an associative memory W = Σ_i v_{f(i)} u_i^T with random
 * embeddings in R^d. Choose d and N with the sliders: the recall-versus-N curve for that d is
 * computed point by point and drawn as it comes (curves for earlier choices of d stay for
 * comparison), and the score matrix v_j^T W u_i of one memory with N pairs shows the stored
 * pairs standing out of the cross-talk, or drowning in it. It draws lesson 3's experiment
 * (`lessons/03_associative_memory/experiment.ts`) on the learner's code or the reference, as
 * the switch says, on TensorFlow.js loaded when the demo starts.
 *
 * @example
 * ```tsx
 * import MemoryDemo from "./memory_demo.tsx";
 * <MemoryDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useState } from "preact/hooks";
import { Slider, Status } from "../components/controls.tsx";
import { Heatmap } from "../components/heatmap.tsx";
import { LineChart, type Series } from "../components/line_chart.tsx";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type { ScoreMatrix } from "../../lessons/03_associative_memory/experiment.ts";

/** log2 N of the points of a sweep: N = 4 .. 2048, half an octave apart. */
export const SWEEP = Array.from({ length: 19 }, (_, i) => 2 + i / 2);
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea"];
const DASHES = [undefined, "6 3", "2 3", "8 3 2 3"];
/** The largest N whose score matrix is drawn. */
const MAX_MATRIX = 256;

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import MemoryDemo from "./memory_demo.tsx";
 * <MemoryDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function MemoryDemo({ code }: { code: CodeProps }) {
  const [dim, setDim] = useState(64);
  const [logN, setLogN] = useState(7);
  const [curves, setCurves] = useState<{ dim: number; points: [number, number][] }[]>([]);
  const [matrix, setMatrix] = useState<ScoreMatrix>();
  const [point, setPoint] = useState<number>();
  const count = Math.round(2 ** logN);
  // Recall of `draws` random memories of n pairs at width d, with the learner's capacityTable.
  const recall = (
    e: {
      capacity: (
        o: { seed: number; dims: number[]; counts: number[]; draws: number },
      ) => number[][];
    },
    d: number,
    n: number,
    seed: number,
  ) => e.capacity({ seed, dims: [d], counts: [n], draws: 2 })[0][0];

  const exp = useExperiment<"03_associative_memory", never>({
    name: "03_associative_memory",
    code,
    idle: "Press “Start demo” to load TensorFlow.js and fill memories.",
    // The sweep over N for the chosen d, one point at a time.
    deps: [dim],
    run: async (ctx) => {
      setCurves((old) => [...old.filter((c) => c.dim !== dim).slice(-(COLORS.length - 1)), {
        dim,
        points: [],
      }]);
      for (const x of SWEEP) {
        if (ctx.cancelled()) return;
        const n = Math.round(2 ** x);
        ctx.status(`d = ${dim}: filling memories with N = ${n} pairs… (${ctx.backend} backend)`);
        const r = recall(ctx.module, dim, n, 1000 * dim + n);
        await new Promise((done) => setTimeout(done, 0)); // let the page draw
        if (ctx.cancelled()) return;
        setCurves((old) =>
          old.map((
            c,
          ) => (c.dim === dim ? { dim, points: [...c.points, [x, r] as [number, number]] } : c))
        );
      }
      ctx.status(
        `d = ${dim}: sweep done (mean of 2 random memories per point, ${ctx.backend} backend).`,
      );
    },
    // The chosen (d, N): its recall and one memory's score matrix.
    more: [{
      deps: [dim, count],
      run: (ctx) => {
        const r = recall(ctx.module, dim, count, 7 + count);
        const m = ctx.module.scoreMatrix(dim, Math.min(count, MAX_MATRIX), 11);
        if (ctx.cancelled()) return Promise.resolve();
        setPoint(r);
        setMatrix(m);
        return Promise.resolve();
      },
    }],
  });
  const { started } = exp;

  const series: Series[] = curves.map((c, i) => ({
    name: `d = ${c.dim}`,
    color: COLORS[i % COLORS.length],
    dash: DASHES[i % DASHES.length],
    points: c.points,
  }));

  return (
    <div class="demo-body" id="memory-demo">
      <div class="controls" role="group" aria-label="Memory settings">
        <Slider
          id="mem-d"
          label="d (width)"
          min={8}
          max={256}
          step={8}
          value={dim}
          onChange={setDim}
        />
        <div class="field">
          <label for="mem-n">N (pairs stored)</label>
          <input
            type="range"
            id="mem-n"
            min={2}
            max={11}
            step={0.25}
            value={logN}
            aria-valuetext={`${count} pairs`}
            onInput={(e) => setLogN(Number((e.currentTarget as HTMLInputElement).value))}
          />
          <output for="mem-n">{count}</output>
        </div>
        {!started && (
          <button
            type="button"
            class="start"
            id="mem-start"
            onClick={exp.start}
          >
            Start demo
          </button>
        )}
      </div>
      <CodePanel exp={exp} />
      <Status text={exp.status} error={exp.error} />
      {started && (
        <div class="demo-panels">
          <section class="panel" aria-labelledby="mem-curve-heading">
            <h3 id="mem-curve-heading">Recall against the number of pairs</h3>
            <LineChart
              id="mem-chart"
              label="Top-1 recall of W = Σ v_f(i) u_iᵀ against N (log scale)"
              series={series}
              xLabel="N (pairs stored)"
              xRange={[2, 11]}
              yRange={[0, 1]}
              xFormat={(x) => String(Math.round(2 ** x))}
            />
            <ul class="metrics" id="mem-metrics">
              <li>
                recall at d = {dim}, N = {count}{" "}
                <b>{point === undefined ? "…" : point.toFixed(3)}</b>
              </li>
              <li>
                d² / N <b>{(dim * dim / count).toFixed(1)}</b>
              </li>
            </ul>
            <p>
              Exact recall holds up to roughly N ≈ d² / (c log N): the noise on each score is about
              √N / d. The paper's memories (N = 65, d = 256) are far inside capacity; at d = 32 they
              already fail.
            </p>
          </section>
          {matrix && (
            <section class="panel" aria-labelledby="mem-matrix-heading">
              <h3 id="mem-matrix-heading">One memory's scores</h3>
              <Heatmap
                id="mem-heatmap"
                label={`Scores v_jᵀ W u_i of one memory storing i → i, N = ${matrix.count}${
                  count > MAX_MATRIX ? ` (larger memories are too big to draw)` : ""
                }, d = ${dim}: row i = input, column j = output; recall ${
                  matrix.recall.toFixed(3)
                }`}
                values={matrix.scores}
                rows={matrix.count}
                cols={matrix.count}
                min="auto"
                axes={["input i", "output j"]}
                size={320}
              />
            </section>
          )}
        </div>
      )}
    </div>
  );
}
