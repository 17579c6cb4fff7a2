/// <reference lib="dom" />
/**
 * Lesson 9's live demo: pick a variant of the model (one layer, a freezing schedule, the loss on
 * all targets with W_F, learned embeddings, two layers, or the full transformer) and watch it
 * train in the browser at a small size: in-context accuracy, the global loss, the probes, and
 * for the full transformer the induction score of each of its 8 heads. Beside it, the cached run
 * of the same variant (the `cpu` preset; for the full transformer its runs with fixed and random
 * triggers, and each run's induction head's attention map), and the table of all cached runs.
 * Runs the learner's code or the reference (the switch).
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
import { attentionAxes, Heatmap } from "../components/heatmap.tsx";
import { LineChart, type Series } from "../components/line_chart.tsx";
import { showChar } from "../components/tokens.ts";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type {
  FullMap,
  LivePoint,
  RunResult,
  RunRow,
} from "../../lessons/09_beyond_simplified/experiment.ts";

/**
 * The variants, as the experiment module lists them (`LIVE_VARIANTS`; kept here so the page
 * needs no engine; `site/tests/components_test.ts` checks that the two lists have the same keys),
 * each with its default steps (`liveSteps`: the full transformer needs more to grow its head).
 */
export const VARIANTS: { value: string; text: string; steps: number }[] = [
  { value: "one-layer", text: "one layer (W_O^1 = 0)", steps: 200 },
  { value: "two-layer", text: "two layers (the simplified model)", steps: 200 },
  { value: "freeze-wO2", text: "W_O^2 frozen for the first half", steps: 200 },
  { value: "freeze-wK", text: "W_K^1 and W_K^2 frozen for the first half", steps: 200 },
  { value: "freeze-wK1", text: "W_K^1 frozen for the first half", steps: 200 },
  { value: "freeze-wK2", text: "W_K^2 frozen for the first half", steps: 200 },
  { value: "global-linear", text: "loss on all targets, linear W_F", steps: 200 },
  { value: "global-relu", text: "loss on all targets, ReLU W_F (d -> 4d -> d)", steps: 200 },
  { value: "embed-N1", text: "learned w_E, W_U; w_E, p ~ N(0, 1)", steps: 200 },
  { value: "embed-N1d", text: "learned w_E, W_U; w_E, p ~ N(0, 1/d)", steps: 200 },
  { value: "full", text: "the full transformer (2 layers x 4 heads, AdamW)", steps: 400 },
];

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

interface Result {
  points: LivePoint[];
  rows: RunRow[];
  /** The cached runs of the chosen variant. */
  cached: RunResult[];
  /** The cached full runs' induction-head maps (the full transformer only). */
  maps: FullMap[];
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/**
 * What one map shows, in words: its head, whether it is the highest-scoring one, and where its
 * argmax lands at the triggers' repeats and at the other repeated tokens.
 *
 * @example
 * ```ts
 * import { mapCaption } from "./beyond_demo.tsx";
 * const all = { queries: 3, argmaxRight: 1, meanWeight: 0.9 };
 * mapCaption({ title: "random triggers", name: "2.1", score: 0.8, best: { name: "2.1", score: 0.8 }, all });
 * ```
 */
export function mapCaption(
  m: Pick<FullMap, "title" | "name" | "score" | "best" | "all" | "triggers" | "others">,
): string {
  const head = m.name === m.best.name
    ? `head ${m.name} (layer ${m.name.split(".")[0]}, head ${
      m.name.split(".")[1]
    }), the highest induction score (${m.score.toFixed(2)})`
    : `head ${m.name} (score ${m.score.toFixed(2)}; the highest is ${m.best.name}, ${
      m.best.score.toFixed(2)
    })`;
  const where = m.triggers && m.others
    ? `at the ${m.triggers.queries} in-context targets its argmax is the token after an earlier copy ${
      pct(m.triggers.argmaxRight)
    } of the time, at the ${m.others.queries} other repeated tokens ${pct(m.others.argmaxRight)}`
    : `at the ${m.all.queries} repeated tokens its argmax is the token after an earlier copy ${
      pct(m.all.argmaxRight)
    } of the time`;
  return `${m.title}: ${head}; ${where}.`;
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
  const [steps, setSteps] = useState(VARIANTS[0].steps);
  const exp = useExperiment<"09_beyond_simplified", Result>({
    name: "09_beyond_simplified",
    code,
    idle: "Pick a variant and press “Start training”.",
    deps: [variant, steps],
    run: async (ctx) => {
      const m = ctx.module;
      const runs = m.cachedRuns();
      const base = {
        points: [],
        rows: m.runTable(runs),
        cached: m.cachedFor(variant, runs),
        maps: variant === "full" ? m.fullMaps(runs) : [],
      };
      const title = VARIANTS.find((v) => v.value === variant)?.text ?? variant;
      ctx.show(base, `Training: ${title}.`);
      const points = await m.trainLive(variant, {
        steps,
        evalEvery: 10,
        cancelled: ctx.cancelled,
        onEval: (ps) =>
          ctx.show(
            { ...base, points: [...ps] },
            `${title}: step ${ps.at(-1)!.step} of ${steps}.`,
          ),
      });
      if (!ctx.cancelled()) ctx.show({ ...base, points }, `${title}: done, ${steps} steps.`);
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
          onChange={(v) => {
            setVariant(v);
            setSteps(VARIANTS.find((x) => x.value === v)?.steps ?? steps);
          }}
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
              label="Loss on the global targets, and the W_F probe with W_F (nats)"
              xLabel="step"
              series={[
                series(r.points, "lossGlobal", "global loss", 0),
                series(r.points, "wF", "W_F probe (KL)", 1),
              ].filter((s) => s.points.length > 0)}
            />
            {best && (
              <p id="beyond-heads">
                Induction score per head (layer.head):{" "}
                {heads.map((h) => `${h.name} ${h.s.toFixed(2)}`).join(", ")}. Highest:{" "}
                <b>{best.name}</b>{" "}
                (a head that spreads its attention evenly scores about 0.1 to 0.2; an induction head
                for the 5 fixed triggers only, about 0.4, because the score averages over every
                repeated token: see the maps of the cached runs).
              </p>
            )}
            {last?.map && (
              <Heatmap
                id="beyond-live-map"
                label={`Now (step ${last.step}): head ${last.map.name} (layer.head), the highest ` +
                  `induction score (${last.map.score.toFixed(2)}), on one sequence`}
                values={last.map.weights}
                rows={last.map.tokens.length}
                cols={last.map.tokens.length}
                {...attentionAxes(last.map.chars.map(showChar))}
                markRows={last.map.inContext}
                markCells={last.map.targets}
                size={300}
              />
            )}
          </section>
          {r.cached.length > 0 && (
            <section class="panel" aria-labelledby="beyond-run-heading">
              <h3 id="beyond-run-heading">
                {variant === "full"
                  ? "The cached runs of the full transformer (d = 64, T = 64, batch 64)"
                  : "The cached run of this variant (the cpu preset: d = 128, T = 64, batch 64)"}
              </h3>
              <LineChart
                id="beyond-cached-acc"
                label="In-context accuracy of the cached run (made with the reference code)"
                xLabel="step"
                yRange={[0, 1]}
                series={r.cached.map((c, i) => ({
                  name: c.key,
                  color: COLOURS[i % COLOURS.length],
                  points: c.steps.map((s, j) => [s, c.metrics.inContextAcc?.[j] ?? NaN]),
                }))}
              />
            </section>
          )}
          {r.maps.length > 0 && (
            <section
              class="panel panel-wide"
              aria-labelledby="beyond-maps-heading"
              id="beyond-maps"
            >
              <h3 id="beyond-maps-heading">
                The induction head's attention, fixed vs random triggers
              </h3>
              <div class="demo-panels">
                {r.maps.map((m) => (
                  <Heatmap
                    key={m.key}
                    id={`beyond-map-${m.key}`}
                    label={`${m.title}: head ${m.name} (layer.head), induction score ${
                      m.score.toFixed(2)
                    }`}
                    values={m.weights}
                    rows={m.tokens.length}
                    cols={m.tokens.length}
                    {...attentionAxes(m.chars.map(showChar))}
                    markRows={m.inContext}
                    markCells={m.targets}
                    size={340}
                  />
                ))}
              </div>
              <p class="legend-text">
                Each map is the head with the highest induction score at the run's last step, on a
                fresh sequence of its training distribution. Red boxes: the positions s whose
                previous token is the query's token (where an induction head looks from t); red
                ticks: the in-context targets (a trigger's repeat).
              </p>
              <ul id="beyond-maps-text">
                {r.maps.map((m) => <li key={m.key}>{mapCaption(m)}</li>)}
              </ul>
            </section>
          )}
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
