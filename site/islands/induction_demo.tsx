/// <reference lib="dom" />
/**
 * Lesson 4's live demo: the induction transformer wired by hand. Type a text (or sample a
 * sequence from the bigram task) and see layer 1 attend to the previous token, layer 2 attend
 * to the token after an earlier copy of the current one, and the prediction at each position:
 * wherever the current character appeared before, the model predicts what followed it. It
 * draws lesson 4's experiment (`lessons/04_induction_transformer/experiment.ts`: the learner's
 * `handWireInduction` and `inductionForward`, or the reference, as the switch says).
 *
 * @example
 * ```tsx
 * import InductionDemo from "./induction_demo.tsx";
 * <InductionDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Choice, Status } from "../components/controls.tsx";
import { attentionAxes, Heatmap } from "../components/heatmap.tsx";
import { showChar } from "../components/tokens.ts";
import { CodePanel, type CodeProps, useExperiment } from "../components/use_experiment.tsx";
import type {
  Task,
  WiredModel,
  WiredRun,
} from "../../lessons/04_induction_transformer/experiment.ts";

/** The longest sequence the demo's model reads. */
export const MAX_LEN = 64;
const DEFAULT_TEXT = "the cat sat on the mat. the dog sat on the cat. the cat sat on";

/**
 * For each position whose token appeared earlier, the tokens that followed its earlier copies
 * (what an induction head can copy); undefined where the token is new.
 *
 * @example
 * ```ts
 * import { inductionTargets } from "./induction_demo.tsx";
 * inductionTargets([1, 2, 1, 3, 1]); // [undefined, undefined, Set {2}, undefined, Set {2, 3}]
 * ```
 */
export function inductionTargets(tokens: number[]): (Set<number> | undefined)[] {
  return tokens.map((z, t) => {
    const next = new Set<number>();
    for (let s = 0; s < t; s++) if (tokens[s] === z) next.add(tokens[s + 1]);
    return next.size > 0 ? next : undefined;
  });
}

/**
 * What the wired head did at width `dim`, in words, from this run's counts: the positions whose
 * token appeared before that it copied correctly (and, on a sampled sequence, the in-context
 * targets), and why it misses some (its keys, wired over all 65 tokens, interfere: more so the
 * narrower the model).
 *
 * @example
 * ```ts
 * import { inductionCaption } from "./induction_demo.tsx";
 * inductionCaption(32, 9, 40); // "At d = 32 the wired head copied 9 of the 40 positions ..."
 * ```
 */
export function inductionCaption(
  dim: number,
  hits: number,
  total: number,
  inContext?: [number, number],
): string {
  const share = (h: number, n: number) => `${h} of the ${n} (${Math.round((100 * h) / n)}%)`;
  const done = total > 0
    ? `At d = ${dim} the wired head copied ${share(hits, total)} positions whose token appeared ` +
      "before"
    : `At d = ${dim} no token of this text appeared before, so there is nothing to copy`;
  const targets = inContext && inContext[1] > 0
    ? `, and predicted ${share(...inContext)} in-context targets.`
    : ".";
  const why = dim >= 256
    ? " Its keys are wired over all 65 tokens (any repeated token can be copied), so they " +
      "interfere: even at this width it misses some; lesson 5's training does better."
    : ` Its keys are wired over all 65 tokens, so they interfere, and at d = ${dim} the ` +
      `${65} keys crowd a ${dim}-dimensional space: choose d = 256 to see the head copy more ` +
      "(lesson 4's table has the numbers).";
  return done + targets + why;
}

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import InductionDemo from "./induction_demo.tsx";
 * <InductionDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function InductionDemo({ code }: { code: CodeProps }) {
  const [dim, setDim] = useState<"32" | "64" | "128" | "256">("256");
  const [text, setText] = useState(DEFAULT_TEXT);
  const [sampleSeed, setSampleSeed] = useState<number>();
  const model = useRef<WiredModel>();
  const nextSeed = useRef(0);

  const exp = useExperiment<
    "04_induction_transformer",
    { out: WiredRun; task?: Task & { seed: number }; dim: number }
  >({
    name: "04_induction_transformer",
    code,
    idle: "Press “Start demo” to load TensorFlow.js and wire the model.",
    deps: [dim, text, sampleSeed],
    run: (ctx) => {
      const { WiredModel } = ctx.module;
      // A new model for a new width, or for the other code source (another module).
      if (!(model.current instanceof WiredModel) || model.current.config.dim !== Number(dim)) {
        ctx.status(`Wiring a model with d = ${dim}…`);
        model.current?.dispose();
        model.current = undefined;
        model.current = new WiredModel({ dim: Number(dim), maxLen: MAX_LEN });
      }
      const m = model.current;
      const task = sampleSeed === undefined
        ? undefined
        : { ...m.sample(sampleSeed, MAX_LEN, false), seed: sampleSeed };
      let ids: number[];
      try {
        ids = task?.tokens ?? m.encode(text);
      } catch (e) {
        throw new Error(`Cannot run: ${(e as Error).message}`);
      }
      const out = m.run(ids);
      const what = task ? `sampled sequence ${task.seed}` : "your text";
      ctx.show(
        { out, task, dim: Number(dim) },
        `Ran ${ids.length} tokens of ${what} through the hand-wired model (d = ${dim}).`,
      );
      return Promise.resolve();
    },
  });
  const { started } = exp;
  const out = exp.result?.out;

  useEffect(() => () => model.current?.dispose(), []);

  const vocab = model.current?.vocab ?? "";
  const copy = out ? inductionTargets(out.tokens) : [];
  const copyable = copy.map((c) => c !== undefined);
  const hits = out ? copy.filter((c, t) => c?.has(out.predictions[t])).length : 0;
  const total = copy.filter((c) => c !== undefined).length;
  // On a sampled sequence: the in-context targets (label >= 2), which the wiring is built for.
  const task = exp.result?.task;
  const inContext = task ? task.labels.map((l, t) => (l >= 2 ? t : -1)).filter((t) => t >= 0) : [];
  const inContextHits = inContext.filter((t) => out?.predictions[t] === task?.targets[t]).length;

  return (
    <div class="demo-body" id="induction-demo">
      <div class="controls" role="group" aria-label="Model and input">
        <Choice
          id="ind-d"
          label="d (width)"
          options={[
            { value: "32", text: "32" },
            { value: "64", text: "64" },
            { value: "128", text: "128" },
            { value: "256", text: "256" },
          ]}
          value={dim}
          onChange={setDim}
        />
        <div class="field field-wide">
          <label for="ind-text">Text (at most {MAX_LEN} characters)</label>
          <input
            id="ind-text"
            type="text"
            maxLength={MAX_LEN}
            value={sampleSeed !== undefined ? "" : text}
            placeholder={sampleSeed !== undefined ? "(a sampled sequence: type to replace it)" : ""}
            onInput={(e) => {
              setSampleSeed(undefined);
              setText((e.currentTarget as HTMLInputElement).value);
            }}
          />
        </div>
        {started
          ? (
            <button
              type="button"
              id="ind-sample"
              onClick={() => setSampleSeed(nextSeed.current++)}
            >
              Sample a sequence
            </button>
          )
          : (
            <button type="button" class="start" id="ind-start" onClick={exp.start}>
              Start demo
            </button>
          )}
      </div>
      <CodePanel exp={exp} />
      <Status text={exp.status} error={exp.error} />
      {out && (
        <>
          <ul class="metrics" id="ind-metrics">
            {task && (
              <li>
                in-context targets (label ≥ 2) predicted{" "}
                <b id="ind-ctx-acc">{inContextHits} / {inContext.length}</b>
              </li>
            )}
            <li>
              positions whose token appeared before <b>{total}</b>
            </li>
            <li>
              of those, predicted a token that followed an earlier copy{" "}
              <b id="ind-acc">{hits} / {total}</b>
            </li>
          </ul>
          <div class="demo-panels">
            <Heatmap
              id="ind-attn1"
              label="Layer 1 attention (row = query, column = key): the previous-token head"
              values={out.attn1}
              rows={out.tokens.length}
              cols={out.tokens.length}
              {...attentionAxes(out.tokens.map((z) => showChar(vocab[z])))}
              size={300}
            />
            <Heatmap
              id="ind-attn2"
              label="Layer 2 attention: the induction head looks at the token after an earlier copy of the current one"
              values={out.attn2}
              rows={out.tokens.length}
              cols={out.tokens.length}
              {...attentionAxes(out.tokens.map((z) => showChar(vocab[z])))}
              size={300}
            />
          </div>
          <p class="legend-text" id="ind-caption">
            {inductionCaption(
              exp.result!.dim,
              hits,
              total,
              task ? [inContextHits, inContext.length] : undefined,
            )}{" "}
            Each column: the input token, then the predicted next token and its probability. Boxed:
            the token appeared before, so copying applies; <span class="pred ok">green</span>{" "}
            when the prediction is a token that followed one of its earlier copies.
          </p>
          <ol
            class="predictions"
            id="ind-predictions"
            aria-label="Input and predicted next token per position"
          >
            {out.tokens.map((z, t) => {
              const ok = copy[t]?.has(out.predictions[t]) ?? false;
              return (
                <li class={`cell${copyable[t] ? " ctx" : ""}`}>
                  <span class="in">{showChar(vocab[z])}</span>
                  <span class={`pred ${ok ? "ok" : copyable[t] ? "bad" : ""}`}>
                    {showChar(vocab[out.predictions[t]])}
                  </span>
                  <span class="conf">{Math.round(out.confidence[t] * 100)}%</span>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </div>
  );
}
