/**
 * Lesson 4's experiments, shared by the terminal demo (`demo.ts`) and the site's island
 * (`site/islands/induction_demo.tsx`): the two-layer model with its three memories wired by
 * hand (`handWireInduction`, run with `inductionForward`), on one sequence (both attention maps
 * and the prediction at each position), on a batch (metrics, probes, the whitened key memory),
 * its ablations, and its accuracy as the width d varies. They run the exercises imported
 * through `@exercises/` (the learner's code or the reference). The caller starts the backend.
 *
 * @example
 * ```ts
 * import { WiredModel } from "./experiment.ts";
 * const model = new WiredModel({ dim: 64, maxLen: 32, seed: 0 });
 * const out = model.run(model.encode("the cat sat. the cat"));
 * model.dispose();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type BigramStats,
  defaultDataConfig,
  loadStats,
  makeBatch,
  sampleSequence,
  topTriggers,
} from "@exercises/01_bigram_data/exercises.ts";
import {
  type AblationResults,
  type EvalMetrics,
  evaluateBatch,
  handWireInduction,
  inductionForward,
  inductionProbe,
  previousTokenProbe,
  runAblations,
  smallExperiment,
  whitenedKeyMemory,
} from "@exercises/04_induction_transformer/exercises.ts";
import {
  defaultModelConfig,
  disposeParams,
  initParams,
  type ModelConfig,
  type Params,
} from "@lib/model/mod.ts";
import { NotImplementedError } from "@lib/testing/mod.ts";
import { Rng } from "@lib/rng/mod.ts";

/** One sequence through the wired model. */
export interface WiredRun {
  /** The input token ids. */
  tokens: number[];
  /** Layer 1 attention, row-major `[T, T]`. */
  attn1: Float32Array;
  /** Layer 2 attention, row-major `[T, T]`. */
  attn2: Float32Array;
  /** The next-token probabilities, row-major `[T, N]`. */
  probs: Float32Array;
  /** The argmax prediction of the next token at each position. */
  predictions: number[];
  /** Its probability. */
  confidence: number[];
}

/** A sequence of the bigram task: inputs, the next token of each, labels, triggers. */
export interface Task {
  /** The input tokens (T). */
  tokens: number[];
  /** The next token of each input. */
  targets: number[];
  /** The targets' labels (≥ 2: in-context). */
  labels: number[];
  /** The triggers, and the output each one was given. */
  triggers: number[];
  /** See `triggers`. */
  outputs: number[];
}

/**
 * The hand-wired model: `initParams`, then `handWireInduction` (over `triggers`, or all 65
 * tokens), run with `inductionForward`. Call `dispose()` when done.
 *
 * @example
 * ```ts
 * import { WiredModel } from "./experiment.ts";
 * const model = new WiredModel({ dim: 64, maxLen: 32, seed: 0 });
 * model.run(model.sample(1, 32, false).tokens).predictions.length; // 32
 * model.dispose();
 * ```
 */
export class WiredModel {
  /** The model's configuration. */
  readonly config: ModelConfig;
  /** The 65 characters. */
  readonly vocab: string;
  /** The triggers W_K^2 stores (all tokens when undefined). */
  readonly triggers?: number[];
  /** The parameters (freed by `dispose`). */
  readonly params: Params;
  #stats: BigramStats;

  /** Builds and wires the model (width `dim`, at most `maxLen` tokens, seeded by `seed`). */
  constructor(o: { dim: number; maxLen: number; seed?: number; triggers?: number[] }) {
    this.config = { ...defaultModelConfig, dim: o.dim, maxLen: o.maxLen, seed: o.seed ?? 0 };
    this.#stats = loadStats();
    this.vocab = this.#stats.vocab;
    this.triggers = o.triggers;
    this.params = initParams(this.config);
    try {
      handWireInduction(this.params, this.config, { triggers: o.triggers });
    } catch (error) {
      disposeParams(this.params);
      throw error;
    }
  }

  /**
   * Token ids of a text; throws an error naming the characters outside the vocabulary.
   *
   * @example
   * ```ts
   * // model.encode("abc"); // [39, 40, 41]
   * ```
   */
  encode(text: string): number[] {
    const bad = [...new Set([...text].filter((c) => !this.vocab.includes(c)))];
    if (bad.length > 0) {
      throw new Error(
        `these characters are not in the 65-character vocabulary: ${
          bad.map((c) => JSON.stringify(c)).join(" ")
        }`,
      );
    }
    if (text.length === 0) throw new Error("type at least one character");
    if (text.length > this.config.maxLen) {
      throw new Error(
        `the model reads at most ${this.config.maxLen} characters; this text has ${text.length}`,
      );
    }
    return [...text].map((c) => this.vocab.indexOf(c));
  }

  /**
   * A sequence of the bigram task with K = 5 fixed or random triggers (the lesson-1 generator,
   * `new Rng(seed)`): its `seqLen` input tokens, their targets and labels.
   *
   * @example
   * ```ts
   * // model.sample(0, 64, false).tokens.length === 64
   * ```
   */
  sample(seed: number, seqLen: number, fixedTriggers: boolean): Task {
    const config = { ...defaultDataConfig, seqLen, fixedTriggers };
    const seq = sampleSequence(new Rng(seed), this.#stats, config);
    return {
      tokens: seq.tokens.slice(0, seqLen),
      targets: seq.tokens.slice(1, seqLen + 1),
      labels: seq.labels.slice(0, seqLen),
      triggers: seq.triggers,
      outputs: seq.outputs,
    };
  }

  /** Runs the model on one sequence. */
  run(tokens: number[]): WiredRun {
    const inputs = tf.tensor2d([tokens], [1, tokens.length], "int32"); // [1, T]
    const out = inductionForward(this.params, this.config, inputs);
    const probs = tf.tidy(() => tf.softmax(out.logits.squeeze([0]))); // [T, N]
    const best = tf.tidy(() => probs.argMax(-1)); // [T]
    const conf = tf.tidy(() => probs.max(-1)); // [T]
    try {
      return {
        tokens,
        attn1: out.attn1.dataSync() as Float32Array,
        attn2: out.attn2.dataSync() as Float32Array,
        probs: probs.dataSync() as Float32Array,
        predictions: Array.from(best.dataSync()),
        confidence: Array.from(conf.dataSync()),
      };
    } finally {
      tf.dispose([inputs, out.logits, out.attn1, out.attn2, probs, best, conf]);
    }
  }

  /**
   * Replaces W_K^2 with the whitened key memory (Exercise 4.9). While `whitenedKeyMemory` is a
   * stub, W_K^2 stays the plain one and the stub's name is returned (the wiring has one home,
   * the exercise: there is no other copy to fall back on).
   */
  whitenKeys(): string | undefined {
    const { params, config, triggers } = this;
    try {
      const w = whitenedKeyMemory(params, config, { triggers });
      params.wK2!.assign(w);
      w.dispose();
      return undefined;
    } catch (error) {
      if (!(error instanceof NotImplementedError)) throw error;
      return error.exercise;
    }
  }

  /** Frees the parameters. */
  dispose(): void {
    disposeParams(this.params);
  }
}

/** What {@linkcode batchReport} measures. */
export interface BatchReport {
  /** Metrics with the plain key memory. */
  plain: EvalMetrics;
  /** The previous-token and induction probes, plain. */
  previousToken: number;
  /** See `previousToken`. */
  induction: number;
  /** Metrics with the whitened key memory (undefined while `whitenedKeyMemory` is a stub). */
  whitened?: EvalMetrics;
  /** The induction probe, whitened (undefined likewise). */
  inductionWhitened?: number;
  /** The stub the whitened rows wait for, if any (`whitenedKeyMemory`). */
  whitenedWaitsFor?: string;
}

/**
 * The K = 5 fixed triggers of lesson 1 (the most frequent tokens: ' ', e, t, o, a).
 *
 * @example
 * ```ts
 * import { fixedTriggers } from "./experiment.ts";
 * fixedTriggers(); // [1, 43, 58, 53, 39]
 * ```
 */
export function fixedTriggers(): number[] {
  return topTriggers(loadStats().unigram, 5);
}

/** The model wired for the top-5 triggers, and 16 fresh sequences of length 64. */
function wiredForBatch(dim: number, seed: number) {
  const stats = loadStats();
  const model = new WiredModel({ dim, maxLen: 64, seed, triggers: fixedTriggers() });
  const batch = makeBatch(new Rng(seed + 1000), stats, { ...defaultDataConfig, seqLen: 64 }, 16);
  return { model, batch };
}

/**
 * Metrics and probes of the model wired for the top-5 triggers on 16 fresh sequences of length
 * 64, with the plain and with the whitened key memory.
 *
 * @example
 * ```ts
 * import { batchReport } from "./experiment.ts";
 * batchReport(64, 1).plain.inContextAcc; // between 0 and 1
 * ```
 */
export function batchReport(dim: number, seed: number): BatchReport {
  const { model, batch } = wiredForBatch(dim, seed);
  try {
    const b = inductionForward(model.params, model.config, batch.inputs);
    const plain = evaluateBatch(b.logits, batch.targets, batch.labels);
    const previousToken = previousTokenProbe(b.attn1, batch.labels);
    const induction = inductionProbe(b.attn2, batch.inputs, batch.labels);
    tf.dispose([b.logits, b.attn1, b.attn2]);
    const whitenedWaitsFor = model.whitenKeys();
    if (whitenedWaitsFor) return { plain, previousToken, induction, whitenedWaitsFor };
    const w = inductionForward(model.params, model.config, batch.inputs);
    const whitened = evaluateBatch(w.logits, batch.targets, batch.labels);
    const inductionWhitened = inductionProbe(w.attn2, batch.inputs, batch.labels);
    tf.dispose([w.logits, w.attn1, w.attn2]);
    return { plain, previousToken, induction, whitened, inductionWhitened };
  } finally {
    tf.dispose(Object.values(batch));
    model.dispose();
  }
}

/**
 * In-context accuracy of the wired model at one width (fixed triggers, T = 64, 16 sequences),
 * with the plain and with the whitened key memory (undefined while `whitenedKeyMemory` is a
 * stub).
 *
 * @example
 * ```ts
 * import { accuracyAt } from "./experiment.ts";
 * accuracyAt(64, 1).whitened; // between 0 and 1
 * ```
 */
export function accuracyAt(
  dim: number,
  seed: number,
): { plain: number; whitened: number | undefined } {
  const { model, batch } = wiredForBatch(dim, seed);
  const accuracy = () => {
    const out = inductionForward(model.params, model.config, batch.inputs);
    const acc = evaluateBatch(out.logits, batch.targets, batch.labels).inContextAcc;
    tf.dispose([out.logits, out.attn1, out.attn2]);
    return acc;
  };
  try {
    const plain = accuracy();
    if (model.whitenKeys()) return { plain, whitened: undefined };
    return { plain, whitened: accuracy() };
  } finally {
    tf.dispose(Object.values(batch));
    model.dispose();
  }
}

/**
 * The ablations of Exercise 4.7 at width `dim` (T = 64, 16 sequences), with `runAblations`.
 *
 * @example
 * ```ts
 * import { ablations } from "./experiment.ts";
 * ablations(64, 1).wired; // between 0 and 1
 * ```
 */
export function ablations(dim: number, seed: number): AblationResults {
  return runAblations({ ...smallExperiment, dim, seed });
}
