/// <reference lib="dom" />
/**
 * Lesson 0's live demo: gradient descent in the browser with the primer's exercises. It fits a
 * `[3, 4]` matrix W to 64 pairs (x_i, W* x_i) from W = 0 with `applyToRows` and `sgdStep`, and
 * draws the loss (log scale) and the tensor count after each step, which stays flat when
 * nothing leaks; beside it, what a leaky function and its `tf.tidy` version leave behind after
 * 20 calls, counted with `tensorsLeftBy`. It draws lesson 0's experiment
 * (`lessons/00_tfjs_primer/experiment.ts`) on the learner's code or the reference, as the switch
 * says.
 *
 * @example
 * ```tsx
 * import PrimerDemo from "./primer_demo.tsx";
 * <PrimerDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useState } from "preact/hooks";
import { Slider, Status } from "../components/controls.tsx";
import { LineChart } from "../components/line_chart.tsx";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type { FitResult, LeakCounts } from "../../lessons/00_tfjs_primer/experiment.ts";

/** The learning rates offered: the slider moves an index into this list. */
const RATES = [0.01, 0.03, 0.1, 0.3, 1, 2.5, 3];
const STEPS = 100;

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import PrimerDemo from "./primer_demo.tsx";
 * <PrimerDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function PrimerDemo({ code }: { code: CodeProps }) {
  const [rate, setRate] = useState(3); // index into RATES: 0.3
  const [seed, setSeed] = useState(0);
  const lr = RATES[rate];
  const exp = useExperiment<"00_tfjs_primer", { fit: FitResult; leaks: LeakCounts }>({
    name: "00_tfjs_primer",
    code,
    idle: "Press “Start demo” to load TensorFlow.js and run the gradient descent.",
    deps: [lr, seed],
    run: (ctx) => {
      const fit = ctx.module.fitLinear({ seed, steps: STEPS, lr, samples: 64 });
      const leaks = ctx.module.leakCounts(20);
      ctx.show(
        { fit, leaks },
        `Fitted with lr = ${lr}, seed ${seed}: loss ${fit.losses.at(-1)!.toExponential(2)} ` +
          `after ${STEPS} steps (${ctx.backend} backend).`,
      );
      return Promise.resolve();
    },
  });
  const { started, result: out } = exp;
  // log10 of the loss, floored at 1e-15 (float32's rounding; an exact 0 happens), finite only.
  const loss = (out?.fit.losses ?? []).map((v, i): [number, number] => [
    i + 1,
    Math.log10(Math.max(v, 1e-15)),
  ]).filter(([, y]) => Number.isFinite(y));
  const tensors = (out?.fit.tensors ?? []).map((v, i) => [i + 1, v]);

  return (
    <div class="demo-body" id="primer-demo">
      <div class="controls" role="group" aria-label="Gradient descent settings">
        <div class="field">
          <label for="primer-lr">learning rate</label>
          <input
            type="range"
            id="primer-lr"
            min={0}
            max={RATES.length - 1}
            step={1}
            value={rate}
            aria-valuetext={String(lr)}
            onInput={(e) => setRate(Number((e.currentTarget as HTMLInputElement).value))}
          />
          <output for="primer-lr">{lr}</output>
        </div>
        <Slider
          id="primer-seed"
          label="seed"
          min={0}
          max={9}
          step={1}
          value={seed}
          onChange={setSeed}
        />
        {!started && (
          <button type="button" class="start" id="primer-start" onClick={exp.start}>
            Start demo
          </button>
        )}
      </div>
      <CodePanel exp={exp} />
      <Status text={exp.status} error={exp.error} />
      {started && out && (
        <div class="demo-panels">
          <section class="panel" aria-labelledby="primer-loss-heading">
            <h3 id="primer-loss-heading">Loss (log10) over sgdStep's steps</h3>
            <LineChart
              id="primer-loss"
              label="log10 of the mean squared error after each step"
              series={[{
                name: "log10 loss",
                color: "#2563eb",
                points: loss,
              }]}
              xLabel="step"
            />
            <ul class="metrics" id="primer-metrics">
              <li>
                largest |W − W*| entry <b id="primer-error">{out.fit.maxError.toExponential(2)}</b>
              </li>
              <li>
                tensors alive, first and last step{" "}
                <b id="primer-tensors">
                  {tensors[0]?.[1]} → {tensors.at(-1)?.[1]}
                </b>
              </li>
            </ul>
            <p>
              From a rate of 2.5 on, the loss grows instead: each step overshoots the minimum. The
              tensor count stays the same from step to step because sgdStep frees its gradients.
            </p>
          </section>
          <section class="panel" aria-labelledby="primer-leak-heading">
            <h3 id="primer-leak-heading">Tensors left by 20 calls, counted by tensorsLeftBy</h3>
            <ul class="metrics" id="primer-leaks">
              <li>
                <code>x.add(1).mul(2).sub(3).div(4)</code> <b>{out.leaks.leaky.at(-1)}</b>
              </li>
              <li>
                <code>tf.tidy(() =&gt; …)</code> of the same <b>{out.leaks.tidy.at(-1)}</b>
              </li>
            </ul>
          </section>
        </div>
      )}
    </div>
  );
}
