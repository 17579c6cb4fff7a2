/**
 * Lesson 4's demo engine, loaded when the demo starts: the paper's two-layer model with its
 * three memories wired by hand (`lib/model`'s `handWire`: W_K^1 = Σ p_t p_{t-1}^T,
 * W_K^2 = Σ_k w_E(k) (W_O^1 W_V^1 w_E(k))^T, W_O^2 = Σ_k w_U(k) (W_V^2 w_E(k))^T over all 65
 * tokens), run on one sequence: both layers' attention and the prediction at each position.
 *
 * @example
 * ```ts
 * const { HandWired } = await import("./induction.ts");
 * const model = await HandWired.create(128, 64);
 * const out = await model.run(model.encode("the cat sat. the cat"));
 * model.dispose();
 * ```
 * @module
 */
import {
  defaultModelConfig,
  disposeParams,
  forward,
  handWire,
  initParams,
  type ModelConfig,
  type Params,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  type BigramStats,
  defaultDataConfig,
  loadStats,
  sampleSequence,
} from "../../solutions/01_bigram_data/exercises.ts";
import { startBackend, tf } from "./tf.ts";

/** One sequence through the wired model. */
export interface InductionOutput {
  /** The input token ids. */
  tokens: number[];
  /** Layer 1 attention, row-major `[T, T]`. */
  attn1: Float32Array;
  /** Layer 2 attention, row-major `[T, T]`. */
  attn2: Float32Array;
  /** The argmax prediction of the next token at each position. */
  predictions: number[];
  /** Its probability. */
  confidence: number[];
}

/**
 * A hand-wired model on the wasm backend.
 *
 * @example
 * ```ts
 * import { HandWired } from "./induction.ts";
 * const model = await HandWired.create(64, 32);
 * const out = await model.run(model.sample(1).tokens);
 * out.predictions.length; // 32
 * model.dispose();
 * ```
 */
export class HandWired {
  /** The model's configuration. */
  readonly config: ModelConfig;
  /** The 65 characters. */
  readonly vocab: string;
  #params: Params;
  #stats: BigramStats;

  private constructor(config: ModelConfig) {
    this.config = config;
    this.#stats = loadStats();
    this.vocab = this.#stats.vocab;
    this.#params = initParams(config);
    handWire(this.#params, config);
  }

  /**
   * Builds a wired model of width `dim` reading up to `maxLen` tokens.
   *
   * @example
   * ```ts
   * import { HandWired } from "./induction.ts";
   * const m = await HandWired.create(64, 32);
   * ```
   */
  static async create(dim: number, maxLen: number): Promise<HandWired> {
    await startBackend("wasm");
    return new HandWired({ ...defaultModelConfig, dim, maxLen });
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
   * A sequence from the bigram task with K = 5 random triggers (lesson 1's reference generator):
   * its `maxLen` input tokens, the next token of each (the targets) and the targets' labels
   * (≥ 2: in-context).
   *
   * @example
   * ```ts
   * // model.sample(0).tokens.length === model.config.maxLen
   * ```
   */
  sample(seed: number): { tokens: number[]; targets: number[]; labels: number[] } {
    const config = { ...defaultDataConfig, seqLen: this.config.maxLen, fixedTriggers: false };
    const seq = sampleSequence(new Rng(seed), this.#stats, config);
    return { tokens: seq.tokens.slice(0, -1), targets: seq.tokens.slice(1), labels: seq.labels };
  }

  /** Runs the model on one sequence. */
  async run(tokens: number[]): Promise<InductionOutput> {
    const inputs = tf.tensor2d([tokens], [1, tokens.length], "int32");
    const out = forward(this.#params, this.config, inputs, { attention: true });
    const probs = tf.tidy(() => tf.softmax(out.logits.squeeze([0]))); // [T, N]
    const best = tf.tidy(() => probs.argMax(-1));
    const conf = tf.tidy(() => probs.max(-1));
    try {
      const [attn1, attn2, pred, c] = await Promise.all([
        out.attn1!.data() as Promise<Float32Array>,
        out.attn2!.data() as Promise<Float32Array>,
        best.data(),
        conf.data(),
      ]);
      return { tokens, attn1, attn2, predictions: Array.from(pred), confidence: Array.from(c) };
    } finally {
      tf.dispose(
        [inputs, out.logits, out.attn1, out.attn2, probs, best, conf].filter((t) =>
          t !== undefined
        ),
      );
    }
  }

  /** Frees the parameters. */
  dispose(): void {
    disposeParams(this.#params);
  }
}
