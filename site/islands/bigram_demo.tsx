/// <reference lib="dom" />
/**
 * Lesson 1's live demo: sample sequences from the bigram task and see each trigger and the
 * output that follows it highlighted (in-context outputs, label ≥ 2, marked apart), next to the
 * global bigram table π_b and the transition counts of a sampled batch. It draws lesson 1's
 * experiment (`lessons/01_bigram_data/experiment.ts`) run on the learner's generator or the
 * reference, as the switch says, loaded with TensorFlow.js only when the demo starts.
 *
 * @example
 * ```tsx
 * import BigramDemo from "./bigram_demo.tsx";
 * <BigramDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useState } from "preact/hooks";
import { Choice, Slider, Status } from "../components/controls.tsx";
import { Heatmap } from "../components/heatmap.tsx";
import { showChar } from "../components/tokens.ts";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type { BigramSample, BigramSettings } from "../../lessons/01_bigram_data/experiment.ts";

/** Sequences in the counted batch. */
const BATCH = 64;

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import BigramDemo from "./bigram_demo.tsx";
 * <BigramDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function BigramDemo({ code }: { code: CodeProps }) {
  const [settings, setSettings] = useState<BigramSettings>({
    seed: 0,
    k: 5,
    fixedTriggers: true,
    outputs: "uniform",
    seqLen: 96,
    sequences: 4,
    batch: BATCH,
  });
  const [view, setView] = useState<"bigram" | "counts">("bigram");
  const exp = useExperiment<"01_bigram_data", BigramSample>({
    name: "01_bigram_data",
    code,
    idle: "Press “Start demo” to load the generator (TensorFlow.js).",
    deps: [settings],
    run: async (ctx) => {
      const out = await ctx.module.sampleBigram(settings);
      ctx.show(
        out,
        `Sampled ${settings.sequences} sequences of T = ${settings.seqLen} with seed ${settings.seed} ` +
          `(batch counted on the ${out.backend} backend).`,
      );
    },
  });
  const { started, result: sample } = exp;

  const set = (patch: Partial<BigramSettings>) => setSettings({ ...settings, ...patch });
  const vocab = sample?.vocab ?? "";
  const triggerIds = sample?.sequences[0]?.triggers ?? [];

  return (
    <div class="demo-body" id="bigram-demo">
      <div class="controls" role="group" aria-label="Generator settings">
        <Slider
          id="bigram-k"
          label="K (triggers)"
          min={1}
          max={10}
          value={settings.k}
          onChange={(k) => set({ k })}
        />
        <Slider
          id="bigram-t"
          label="T (length)"
          min={16}
          max={256}
          step={16}
          value={settings.seqLen}
          onChange={(seqLen) => set({ seqLen })}
        />
        <Choice
          id="bigram-triggers"
          label="Triggers"
          value={settings.fixedTriggers ? "fixed" : "random"}
          options={[{ value: "fixed", text: "fixed (K most frequent)" }, {
            value: "random",
            text: "random per sequence",
          }]}
          onChange={(v) => set({ fixedTriggers: v === "fixed" })}
        />
        <Choice
          id="bigram-outputs"
          label="Outputs"
          value={settings.outputs}
          options={[{ value: "uniform", text: "uniform" }, {
            value: "unigram",
            text: "from π_u",
          }, { value: "bigram", text: "from π_b(·|q)" }]}
          onChange={(outputs) => set({ outputs })}
        />
        {started
          ? (
            <button
              type="button"
              id="bigram-resample"
              onClick={() => set({ seed: settings.seed + 1 })}
            >
              Sample again (seed {settings.seed + 1})
            </button>
          )
          : (
            <button type="button" class="start" id="bigram-start" onClick={exp.start}>
              Start demo
            </button>
          )}
      </div>
      <CodePanel exp={exp} />
      <Status text={exp.status} error={exp.error} />
      {sample && (
        <div class="demo-panels">
          <section class="panel" aria-labelledby="bigram-seq-heading">
            <h3 id="bigram-seq-heading">Sequences</h3>
            <p class="legend-text">
              <span class="tok trig">q</span> trigger · <span class="tok out">o</span>{" "}
              first output (label 1, unpredictable) · <span class="tok out2">o</span>{" "}
              in-context output (label ≥ 2, predictable by looking back)
            </p>
            <ol class="sequences" id="bigram-sequences">
              {sample.sequences.map((seq, i) => (
                <li>
                  <p class="pairs">
                    Sequence {i + 1}: {seq.triggers.map((q, k) => (
                      <span class="pair">
                        <span class="tok trig">{showChar(vocab[q])}</span>→<span class="tok out">
                          {showChar(vocab[seq.outputs[k]])}
                        </span>
                      </span>
                    ))}
                  </p>
                  <p class="tokens">
                    {seq.tokens.map((z, t) => {
                      const label = t > 0 ? seq.labels[t - 1] : 0;
                      const isTrigger = t < seq.labels.length && seq.labels[t] >= 1;
                      const cls = [
                        isTrigger ? "trig" : "",
                        label >= 2 ? "out2" : label === 1 ? "out" : "",
                      ]
                        .join(" ").trim();
                      return (
                        <span
                          class={`tok ${cls}`}
                          title={`t=${t + 1} id=${z}${label ? ` label=${label}` : ""}`}
                        >
                          {showChar(vocab[z])}
                        </span>
                      );
                    })}
                  </p>
                </li>
              ))}
            </ol>
          </section>
          <section class="panel" aria-labelledby="bigram-map-heading">
            <h3 id="bigram-map-heading">Transitions</h3>
            <Choice
              id="bigram-view"
              label="Show"
              value={view}
              options={[
                { value: "bigram", text: "global bigram π_b(j | i)" },
                { value: "counts", text: `counts in a batch of ${BATCH} sequences` },
              ]}
              onChange={setView}
            />
            <Heatmap
              id="bigram-heatmap"
              label={view === "bigram"
                ? "π_b(j | i): row i = current character, column j = next (square-root colour scale); red ticks mark sequence 1's triggers"
                : "Transition counts (i then j) in a batch of 64 sampled sequences; trigger rows spread over their outputs"}
              values={view === "bigram" ? sample.bigram : sample.counts}
              rows={vocab.length}
              cols={vocab.length}
              scale="sqrt"
              markRows={triggerIds}
              rowName={(i) => `“${showChar(vocab[i])}”`}
              colName={(j) => `“${showChar(vocab[j])}”`}
              axes={["current", "next"]}
              titles={["current character i", "next character j"]}
              rowLabels={[...vocab].map(showChar)}
              colLabels={[...vocab].map(showChar)}
              crowded="thin"
              size={390}
            />
          </section>
        </div>
      )}
    </div>
  );
}
