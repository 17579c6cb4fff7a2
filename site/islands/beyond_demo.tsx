/// <reference lib="dom" />
/**
 * Lesson 9's live demo: pick a variant of the model (one layer, a freezing schedule, the loss on
 * all targets with W_F, learned embeddings, two layers, or the full transformer) and watch it
 * train in the browser at a small size: in-context accuracy, the global loss, the probes, and
 * for the full transformer the induction score of each of its 8 heads. Below it, the cached
 * `cpu`-preset runs of the lesson. Runs the learner's code or the reference (the switch).
 *
 * @example
 * ```tsx
 * import BeyondDemo from "./beyond_demo.tsx";
 * <BeyondDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useState } from "preact/hooks";
import { Choice, Slider, Status } from "../components/controls.tsx";
import { LineChart, type Series } from "../components/line_chart.tsx";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type { LivePoint, RunRow } from "../../lessons/09_beyond_simplified/experiment.ts";

/** The variants, as the experiment module lists them (kept here so the page needs no engine). */
const VARIANTS = [
  { value: "one-layer", text: "one layer (W_O^1 = 0)" },
  { value: "two-layer", text: "two layers (the simplified model)" },
  { value: "freeze-wO2", text: "W_O^2 frozen for the first half" },
  { value: "freeze-wK", text: "W_K^1 and W_K^2 frozen for the first half" },
  { value: "freeze-wK1", text: "W_K^1 frozen for the first half" },
  { value: "freeze-wK2", text: "W_K^2 frozen for the first half" },
  { value: "global-linear", text: "loss on all targets, linear W_F" },
  { value: "embed-N1", text: "learned w_E, W_U; w_E, p ~ N(0, 1)" },
  { value: "embed-N1d", text: "learned w_E, W_U; w_E, p ~ N(0, 1/d)" },
  { value: "full", text: "the full transformer (2 layers x 4 heads, AdamW)" },
];

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

interface Result {
  points: LivePoint[];
  rows: RunRow[];
}

const series = (points: LivePoint[], key: keyof LivePoint, name: string, i: number): Series => ({
  name,
  color: COLOURS[i % COLOURS.length],
  points: points.filter((p) => typeof p[key] === "number").map((p) => [p.step, p[key] as number]),
  dash: i > 0 ? "4 3" : undefined,
});

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import BeyondDemo from "./beyond_demo.tsx";
 * <BeyondDemo code={{ source: "learner", exercises: {} }} />;
 * ```
 */
export default function BeyondDemo({ code }: { code: CodeProps }) {
  const [variant, setVariant] = useState("one-layer");
  const [steps, setSteps] = useState(200);
  const exp = useExperiment<"09_beyond_simplified", Result>({
    name: "09_beyond_simplified",
    code,
    idle: "Pick a variant and press “Start training”.",
    deps: [variant, steps],
    run: async (ctx) => {
      const m = ctx.module;
      const rows = m.runTable(m.cachedRuns());
      const title = VARIANTS.find((v) => v.value === variant)?.text ?? variant;
      ctx.status(`Training: ${title}.`);
      const points = await m.trainLive(variant, {
        steps,
        evalEvery: 10,
        cancelled: ctx.cancelled,
        onEval: (ps) =>
          ctx.show(
            { points: [...ps], rows },
            `${title}: step ${ps.at(-1)!.step} of ${steps}.`,
          ),
      });
      if (!ctx.cancelled()) ctx.show({ points, rows }, `${title}: done, ${steps} steps.`);
    },
  });
  const r = exp.result;
  const last = r?.points.at(-1);
  const heads = last?.induction
    ? last.induction.flatMap((hs, l) => hs.map((s, h) => ({ name: `${l + 1}.${h + 1}`, s })))
    : [];
  const best = heads.length ? heads.reduce((a, b) => (b.s > a.s ? b : a)) : undefined;
  return (
    <div class="demo-body" id="beyond-demo">
      <div class="controls" role="group" aria-label="Variant">
        <Choice
          id="beyond-variant"
          label="Variant"
          options={VARIANTS}
          value={variant}
          onChange={setVariant}
        />
        <Slider
          id="beyond-steps"
          label="Steps"
          min={50}
          max={400}
          step={50}
          value={steps}
          onChange={setSteps}
        />
        {!exp.started && (
          <button type="button" class="start" id="beyond-start" onClick={exp.start}>
            Start training
          </button>
        )}
      </div>
      <Status text={exp.status} error={exp.error} />
      <CodePanel exp={exp} />
      {r && (
        <div class="demo-panels">
          <section class="panel" aria-labelledby="beyond-acc-heading">
            <h3 id="beyond-acc-heading">In-context accuracy and probes</h3>
            <LineChart
              id="beyond-acc"
              label="In-context accuracy and memory probes during training"
              xLabel="step"
              yRange={[0, 1]}
              series={[
                series(r.points, "inContextAcc", "in-context accuracy", 0),
                series(r.points, "wO2", "W_O^2 recall", 1),
                series(r.points, "wK2", "W_K^2 recall", 2),
                series(r.points, "wK1", "W_K^1 recall", 3),
              ].filter((s) => s.points.length > 0)}
            />
            <LineChart
              id="beyond-loss"
              label="Loss on the global targets (nats)"
              xLabel="step"
              series={[series(r.points, "lossGlobal", "global loss", 0)]}
            />
            {best && (
              <p id="beyond-heads">
                Induction score per head (layer.head):{" "}
                {heads.map((h) => `${h.name} ${h.s.toFixed(2)}`).join(", ")}. Highest:{" "}
                <b>{best.name}</b>{" "}
                (an induction head scores near 1; a head that spreads its attention evenly, about
                0.1 to 0.2).
              </p>
            )}
          </section>
          <section class="panel" aria-labelledby="beyond-cached-heading">
            <h3 id="beyond-cached-heading">The cached runs (cpu preset)</h3>
            {r.rows.length === 0 ? <p>No cached runs yet.</p> : (
              <table id="beyond-cached">
                <thead>
                  <tr>
                    <th scope="col">run</th>
                    <th scope="col">90% at step</th>
                    <th scope="col">95% at step</th>
                    <th scope="col">late accuracy</th>
                  </tr>
                </thead>
                <tbody>
                  {r.rows.map((row) => (
                    <tr key={row.key}>
                      <th scope="row">{row.title}</th>
                      <td>{row.to90 ?? "never"}</td>
                      <td>{row.to95 ?? "never"}</td>
                      <td>{row.lateAcc.mean.toFixed(2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
