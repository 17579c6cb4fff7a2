/// <reference lib="dom" />
/**
 * Lesson 4's live demo: the induction transformer wired by hand. Type a text (or sample a
 * sequence from the bigram task) and see layer 1 attend to the previous token, layer 2 attend
 * to the token after an earlier copy of the current one, and the prediction at each position:
 * wherever the current character appeared before, the model predicts what followed it.
 *
 * @example
 * ```tsx
 * import InductionDemo from "./induction_demo.tsx";
 * <InductionDemo />;
 * ```
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Choice, Status } from "../components/controls.tsx";
import { Heatmap } from "../components/heatmap.tsx";
import { showChar } from "../components/tokens.ts";
import type { HandWired, InductionOutput } from "../client/induction.ts";

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
 * The demo.
 *
 * @example
 * ```tsx
 * import InductionDemo from "./induction_demo.tsx";
 * <InductionDemo />;
 * ```
 */
export default function InductionDemo() {
  const [dim, setDim] = useState<"32" | "64" | "128" | "256">("256");
  const [text, setText] = useState(DEFAULT_TEXT);
  const [sampled, setSampled] = useState<
    { tokens: number[]; targets: number[]; labels: number[]; seed: number }
  >();
  const [started, setStarted] = useState(false);
  const [status, setStatus] = useState(
    "Press “Start demo” to load TensorFlow.js and wire the model.",
  );
  const [error, setError] = useState<string>();
  const [out, setOut] = useState<InductionOutput>();
  const model = useRef<HandWired>();
  const seed = useRef(0);

  const getModel = async () => {
    if (!model.current || model.current.config.dim !== Number(dim)) {
      setStatus(`Loading TensorFlow.js and wiring a model with d = ${dim}…`);
      const { HandWired } = await import("../client/induction.ts");
      model.current?.dispose();
      model.current = await HandWired.create(Number(dim), MAX_LEN);
    }
    return model.current;
  };

  useEffect(() => {
    if (!started) return;
    let cancelled = false;
    (async () => {
      try {
        const m = await getModel();
        const ids = sampled?.tokens ?? m.encode(text);
        const result = await m.run(ids);
        if (cancelled) return;
        setOut(result);
        setError(undefined);
        const what = sampled ? `sampled sequence ${sampled.seed}` : "your text";
        setStatus(`Ran ${ids.length} tokens of ${what} through the hand-wired model (d = ${dim}).`);
      } catch (e) {
        if (!cancelled) setError(`Cannot run: ${(e as Error).message}`);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [started, dim, text, sampled]);

  useEffect(() => () => model.current?.dispose(), []);

  const vocab = model.current?.vocab ?? "";
  const copy = out ? inductionTargets(out.tokens) : [];
  const copyable = copy.map((c) => c !== undefined);
  const hits = out ? copy.filter((c, t) => c?.has(out.predictions[t])).length : 0;
  const total = copy.filter((c) => c !== undefined).length;
  // On a sampled sequence: the in-context targets (label >= 2), which the wiring is built for.
  const task = out && sampled?.tokens === out.tokens ? sampled : undefined;
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
            value={sampled ? "" : text}
            placeholder={sampled ? "(a sampled sequence: type to replace it)" : ""}
            onInput={(e) => {
              setSampled(undefined);
              setText((e.currentTarget as HTMLInputElement).value);
            }}
          />
        </div>
        {started
          ? (
            <button
              type="button"
              id="ind-sample"
              onClick={async () => {
                try {
                  const m = await getModel();
                  const s = seed.current++;
                  setSampled({ ...m.sample(s), seed: s });
                } catch (e) {
                  setError(`Cannot sample: ${(e as Error).message}`);
                }
              }}
            >
              Sample a sequence
            </button>
          )
          : (
            <button type="button" class="start" id="ind-start" onClick={() => setStarted(true)}>
              Start demo
            </button>
          )}
      </div>
      <Status text={status} error={error} />
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
              max={1}
              axes={["query t", "key s"]}
              rowName={(i) => `${i + 1} “${showChar(vocab[out.tokens[i]])}”`}
              colName={(j) => `${j + 1} “${showChar(vocab[out.tokens[j]])}”`}
              size={300}
            />
            <Heatmap
              id="ind-attn2"
              label="Layer 2 attention: the induction head looks at the token after an earlier copy of the current one"
              values={out.attn2}
              rows={out.tokens.length}
              cols={out.tokens.length}
              max={1}
              axes={["query t", "key s"]}
              rowName={(i) => `${i + 1} “${showChar(vocab[out.tokens[i]])}”`}
              colName={(j) => `${j + 1} “${showChar(vocab[out.tokens[j]])}”`}
              size={300}
            />
          </div>
          <p class="legend-text">
            The head is wired over all 65 tokens (any repeated token can be copied), so its keys
            interfere: at d = 256 it gets most in-context targets right, not all (the lesson's
            table); lesson 5's training does better at the same width. Each column: the input token,
            then the predicted next token and its probability. Boxed: the token appeared before, so
            copying applies; <span class="pred ok">green</span>{" "}
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
