/// <reference lib="dom" />
/**
 * Lesson 2's live demo: the attention map of the hand-built previous-token head
 * W_K = a Σ_t p_t p_{t-1}^T, with sliders for the width d, the length T and the scale a, and
 * an option to add token embeddings to the residual stream. The map's sub-diagonal lights up
 * when d is large enough; the mean weight on t - 1 and the fraction of rows whose argmax is
 * t - 1 are shown beside it. It draws lesson 2's experiment
 * (`lessons/02_attention/experiment.ts`) on the learner's code or the reference, as the switch
 * says; token embeddings take a sequence of the lesson-1 generator.
 *
 * @example
 * ```tsx
 * import AttentionDemo from "./attention_demo.tsx";
 * <AttentionDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useState } from "preact/hooks";
import { Slider, Status } from "../components/controls.tsx";
import { Heatmap } from "../components/heatmap.tsx";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type { HeadResult, HeadSettings } from "../../lessons/02_attention/experiment.ts";
/**
 * The scales offered for W_K, from 0.0001 to 1 in steps of 1, 3, 10 (about half a power of ten
 * each). The slider moves an index into this list and shows the scale itself.
 */
const SCALES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import AttentionDemo from "./attention_demo.tsx";
 * <AttentionDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function AttentionDemo({ code }: { code: CodeProps }) {
  const [settings, setSettings] = useState<HeadSettings>({
    dim: 16,
    seqLen: 32,
    seed: 0,
    scale: 1,
    tokens: false,
    unit: false,
  });
  const exp = useExperiment<"02_attention", HeadResult>({
    name: "02_attention",
    code,
    idle: "Press “Start demo” to load TensorFlow.js and build the head.",
    deps: [settings],
    run: (ctx) => {
      const result = ctx.module.previousTokenHead(settings);
      ctx.show(
        result,
        `Head built for d = ${settings.dim}, T = ${settings.seqLen} (${ctx.backend} backend).`,
      );
      return Promise.resolve();
    },
  });
  const { started, result: out } = exp;

  const set = (patch: Partial<HeadSettings>) => setSettings({ ...settings, ...patch });
  const scaleIndex = Math.max(0, SCALES.indexOf(settings.scale));

  return (
    <div class="demo-body" id="attention-demo">
      <div class="controls" role="group" aria-label="Head settings">
        <Slider
          id="attn-d"
          label="d (width)"
          min={4}
          max={256}
          step={4}
          value={settings.dim}
          onChange={(dim) => set({ dim })}
        />
        <Slider
          id="attn-t"
          label="T (positions)"
          min={4}
          max={128}
          step={4}
          value={settings.seqLen}
          onChange={(seqLen) => set({ seqLen })}
        />
        <Slider
          id="attn-scale"
          label="scale a"
          min={0}
          max={SCALES.length - 1}
          value={scaleIndex}
          format={(i) => `${SCALES[i]}`}
          onChange={(i) => set({ scale: SCALES[i] })}
        />
        <div class="field">
          <label for="attn-tokens">
            <input
              type="checkbox"
              id="attn-tokens"
              checked={settings.tokens}
              onChange={(e) => set({ tokens: (e.currentTarget as HTMLInputElement).checked })}
            />{" "}
            add token embeddings
          </label>
        </div>
        {started
          ? (
            <button type="button" id="attn-reseed" onClick={() => set({ seed: settings.seed + 1 })}>
              New embeddings (seed {settings.seed + 1})
            </button>
          )
          : (
            <button type="button" class="start" id="attn-start" onClick={exp.start}>
              Start demo
            </button>
          )}
      </div>
      <CodePanel exp={exp} />
      <Status text={exp.status} error={exp.error} />
      {out && (
        <div class="demo-panels">
          <section class="panel" aria-labelledby="attn-map-heading">
            <h3 id="attn-map-heading">Attention weights β</h3>
            <Heatmap
              id="attn-heatmap"
              label={`β_{t,s} of the previous-token head: row t = query position, column s = key position (d = ${settings.dim}, T = ${settings.seqLen}); a sharp head lights the sub-diagonal s = t − 1`}
              values={out.weights}
              rows={settings.seqLen}
              cols={settings.seqLen}
              max={1}
              axes={["query t", "key s"]}
              titles={["query position t", "key position s"]}
              size={384}
            />
          </section>
          <section class="panel" aria-labelledby="attn-stats-heading">
            <h3 id="attn-stats-heading">How sharp is it?</h3>
            <ul class="metrics" id="attn-metrics">
              <li>
                mean weight on t − 1 <b id="attn-mean">{out.meanWeight.toFixed(3)}</b>
              </li>
              <li>
                rows whose argmax is t − 1 <b id="attn-acc">{(out.accuracy * 100).toFixed(1)}%</b>
              </li>
            </ul>
            <p>
              The score of the right key is about a·d²/√d; the cross-talk of the other keys grows
              like a·d√(T + d)/√d. Shrink d or grow T and the sub-diagonal fades; shrink the scale a
              and the softmax spreads its weight even when the argmax is right. Adding token
              embeddings puts more vectors in the residual stream and more cross-talk.
            </p>
          </section>
        </div>
      )}
    </div>
  );
}
