/// <reference lib="dom" />
/**
 * Lesson 8's live demo: pick a data setting and see what its sequences are made of (the share of
 * in-context targets, how many per sequence, how often the bigram alone predicts them), measured
 * live with lesson 1's generator and lesson 8's `composition`; train a small model on it in the
 * page (the `tiny` preset, {@linkcode PAGE_STEPS} steps: seconds on wasm) and compare it with the
 * bigram alone; and browse the cached sweep (steps to 50% and 90% in-context accuracy of the cpu
 * preset) and the out-of-distribution runs, read with lesson 8's `stepsTo`. All of it comes from
 * lesson 8's experiment module. Runs the learner's code or the reference (the switch below it).
 *
 * @example
 * ```tsx
 * import DataDemo from "./data_demo.tsx";
 * <DataDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useState } from "preact/hooks";
import { Choice, Slider, Status } from "../components/controls.tsx";
import { LineChart } from "../components/line_chart.tsx";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type {
  CachedResults,
  CompositionRow,
  SettingEval,
  SettingRun,
  SweepRow,
} from "../../lessons/08_data_distribution/experiment.ts";

/** The page's training run length (the experiment module's `PAGE_STEPS`). */
const PAGE_STEPS = 150;

/** The settings' names, as the experiment module lists them (kept here so the page needs no engine). */
const SETTINGS = [
  "fixed K=5",
  "random K=5",
  "fixed K=5, outputs ~ pi_b",
  "random K=5, outputs ~ pi_b",
  "fixed K=5, outputs ~ pi_u",
  "random K=5, outputs ~ pi_u",
  "fixed K=5, outputs < 48",
  "fixed K=5, skip 5",
  "fixed K=5, skip 10",
  "fixed K=1",
  "fixed K=3",
  "fixed K=10",
  "random K=1",
  "random K=3",
  "random K=10",
];

interface Result {
  row: CompositionRow;
  sweep: SweepRow[];
  cached: CachedResults;
}

/** A training run of the page: its setting, the evaluations so far, and the end result. */
interface Training {
  setting: string;
  evals: SettingEval[];
  run?: SettingRun;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import DataDemo from "./data_demo.tsx";
 * <DataDemo code={{ source: "learner", exercises: {} }} />;
 * ```
 */
export default function DataDemo({ code }: { code: CodeProps }) {
  const [setting, setSetting] = useState(SETTINGS[0]);
  const [seqLen, setSeqLen] = useState(256);
  // A press of "Train" asks for a run on the setting chosen then; a newer press replaces it.
  const [trainFor, setTrainFor] = useState<{ setting: string } | undefined>();
  const [training, setTraining] = useState<Training>();
  const exp = useExperiment<"08_data_distribution", Result>({
    name: "08_data_distribution",
    code,
    idle: "Press “Start demo” to sample sequences and read the cached sweep.",
    deps: [setting, seqLen],
    run: (ctx) => {
      const m = ctx.module;
      const chosen = m.COMPOSITION_SETTINGS.filter((s) => s.name === setting);
      const [row] = m.compositionTable(chosen, { count: 200, seqLen, seed: 0 });
      const cached = m.cachedResults();
      ctx.show(
        { row, sweep: m.sweepTable(cached.sweep), cached },
        `${setting}: 200 sequences of length ${seqLen} (seed 0).`,
      );
      return Promise.resolve();
    },
    more: [{
      deps: [trainFor],
      run: async (ctx) => {
        if (!trainFor) return;
        const m = ctx.module;
        const chosen = m.COMPOSITION_SETTINGS.find((s) => s.name === trainFor.setting)!;
        const stop = new AbortController();
        const evals: SettingEval[] = [];
        setTraining({ setting: chosen.name, evals: [] });
        const run = await m.trainSetting(chosen, {
          steps: PAGE_STEPS,
          signal: stop.signal,
          onEval: (e) => {
            if (ctx.cancelled()) return stop.abort();
            evals.push(e);
            setTraining({ setting: chosen.name, evals: [...evals] });
            ctx.status(
              `Training on ${chosen.name}: step ${e.step} of ${PAGE_STEPS}, in-context accuracy ` +
                `${e.inContextAcc.toFixed(2)}.`,
            );
          },
        });
        if (ctx.cancelled()) return;
        setTraining({ setting: chosen.name, evals: run.evals, run });
        ctx.status(
          `Trained on ${chosen.name}: ${run.evals.at(-1)!.step} steps, in-context accuracy ` +
            `${run.final.model.toFixed(2)} on fresh sequences (bigram alone ` +
            `${run.final.bigram.toFixed(2)}).`,
        );
      },
    }],
  });
  const r = exp.result;
  return (
    <div class="demo-body" id="data-demo">
      <div class="controls" role="group" aria-label="Data setting">
        <Choice
          id="data-setting"
          label="Data setting"
          options={SETTINGS.map((s) => ({ value: s, text: s }))}
          value={setting}
          onChange={setSetting}
        />
        <Slider
          id="data-T"
          label="T (sequence length)"
          min={32}
          max={256}
          step={32}
          value={seqLen}
          onChange={setSeqLen}
        />
        {!exp.started && (
          <button type="button" class="start" id="data-start" onClick={exp.start}>
            Start demo
          </button>
        )}
        {exp.started && (
          <button
            type="button"
            id="data-train"
            onClick={() => setTrainFor({ setting })}
            title={`The tiny preset (d = 64, T = 32, batch 32), ${PAGE_STEPS} steps, in this page`}
          >
            Train on this setting ({PAGE_STEPS} steps)
          </button>
        )}
      </div>
      <Status text={exp.status} error={exp.error} />
      <CodePanel exp={exp} />
      {r && (
        <div class="demo-panels">
          <section class="panel" aria-labelledby="data-comp-heading">
            <h3 id="data-comp-heading">What the sequences are made of</h3>
            <ul class="metrics" id="data-metrics">
              <li>
                in-context targets <b>{pct(r.row.inContextShare)}</b>
              </li>
              <li>
                first occurrences <b>{pct(r.row.firstShare)}</b>
              </li>
              <li>
                global targets <b>{pct(r.row.globalShare)}</b>
              </li>
              <li>
                in-context targets per sequence <b>{r.row.perSequence.toFixed(1)}</b>
              </li>
              <li>
                sequences with none <b>{pct(r.row.withNone)}</b>
              </li>
              <li>
                predicted by the bigram alone <b id="data-bigram">{pct(r.row.bigramRight)}</b>
              </li>
              <li>
                inputs that are a trigger <b>{pct(r.row.triggerShare)}</b>
              </li>
            </ul>
          </section>
          {training && (
            <section class="panel" aria-labelledby="data-train-heading">
              <h3 id="data-train-heading">Trained here: {training.setting}</h3>
              <p>
                The <code>tiny</code> preset (d = 64, T = 32, batch 32, {PAGE_STEPS}{" "}
                steps), trained in this page on the chosen setting; the cached sweep below used the
                larger <code>cpu</code> preset.
              </p>
              <LineChart
                id="data-train-chart"
                label="In-context accuracy on the training batch"
                xLabel="step"
                xRange={[0, PAGE_STEPS]}
                yRange={[0, 1]}
                series={[{
                  name: "in-context accuracy",
                  color: "#2563eb",
                  points: training.evals.map((e) => [e.step, e.inContextAcc]),
                }]}
              />
              {training.run && (
                <ul class="metrics" id="data-train-result">
                  <li>
                    model on fresh sequences{" "}
                    <b id="data-train-model">
                      {training.run.final.model.toFixed(2)}
                    </b>
                  </li>
                  <li>
                    bigram alone on the same targets{" "}
                    <b id="data-train-bigram">
                      {training.run.final.bigram.toFixed(2)}
                    </b>
                  </li>
                  <li>
                    in-context targets <b>{training.run.final.count}</b>
                  </li>
                </ul>
              )}
            </section>
          )}
          <section class="panel" aria-labelledby="data-sweep-heading">
            <h3 id="data-sweep-heading">The cached sweep (cpu preset)</h3>
            {r.sweep.length === 0 ? <p>No cached runs yet.</p> : (
              <table id="data-sweep">
                <thead>
                  <tr>
                    <th scope="col">setting</th>
                    <th scope="col">50% at step</th>
                    <th scope="col">90% at step</th>
                    <th scope="col">last</th>
                  </tr>
                </thead>
                <tbody>
                  {r.sweep.map((s) => (
                    <tr key={s.key}>
                      <th scope="row">{s.key}</th>
                      <td>{s.to50 ?? "never"}</td>
                      <td>{s.to90 ?? "never"}</td>
                      <td>
                        {s.last.acc.toFixed(2)} @ {s.last.step}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {r.cached.ood.map((o) => (
              <p key={o.name}>
                <b>{o.name}</b>: {o.tests.map((t) =>
                  `${t.name}: model ${t.model.toFixed(2)}, bigram alone ${t.bigram.toFixed(2)}`
                ).join(" · ")}
              </p>
            ))}
          </section>
        </div>
      )}
    </div>
  );
}
