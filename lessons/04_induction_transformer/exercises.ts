// Your exercise file for lesson 4: replace each `throw notImplemented(...)` with your
// code. Check it with `deno task lesson 4`; `deno task lesson 4 --reset` restores
// this stub after saving a dated backup of your file.
// (Generated from solutions/04_induction_transformer/exercises.ts by `deno task stubs`.)

/**
 * Lesson 4: the paper's two-layer transformer (Bietti et al. 2023, section 4.2; spec §2), built
 * from your lesson-2 attention, and an induction head wired into it by hand as three associative
 * memories, before any training. Then the metrics and attention probes that lessons 5 and 6 use,
 * the ablations that show which memory does what, and the cross-talk of the plain key memory,
 * measured and fixed with a whitened read-out.
 *
 * The parameters come from the course library (`initParams` of `@lib/model/mod.ts`): token and
 * positional embeddings with N(0, 1) entries, every d×d matrix and W_U uniform in
 * (-1/√d, 1/√d), stored in the math convention (W_K1 is the paper's d×d matrix).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { handWireInduction, inductionForward } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 256, maxLen: 64 };
 * const params = initParams(config);
 * handWireInduction(params, config);
 * const { logits } = inductionForward(params, config, tf.zeros([2, 64], "int32") as tf.Tensor2D);
 * logits.shape; // [2, 64, 65]
 * ```
 * @module
 */
import { notImplemented } from "@lib/testing/mod.ts";
import * as tf from "@tensorflow/tfjs";
import {
  defaultDataConfig,
  loadStats,
  makeBatch,
  topTriggers,
} from "@exercises/01_bigram_data/exercises.ts";
import { previousTokenKey, residualAttention } from "@exercises/02_attention/exercises.ts";
import {
  defaultModelConfig,
  disposeParams,
  initParams,
  inverseSpd,
  type ModelConfig,
  need,
  type Params,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";

/** What {@linkcode inductionForward} returns. */
export interface InductionOutput {
  /** W_U h, `[batch, seq, N]`. */
  logits: tf.Tensor3D;
  /** Layer 1's attention weights β1, `[batch, seq, seq]` (query rows, key columns). */
  attn1: tf.Tensor3D;
  /** Layer 2's attention weights β2, `[batch, seq, seq]`. */
  attn2: tf.Tensor3D;
}

/**
 * The signal each hand-wired memory should give a stored association: the attention score
 * (after the 1/√d) of the right key in layers 1 and 2, and the logit of the copied token.
 * (Provided; Exercise 4.4 asks you to justify them.)
 */
export const DEFAULT_GAINS = { wK1: 10, wK2: 10, wO2: 15 };

/** Options of {@linkcode handWireInduction}. */
export interface WiringOptions {
  /** The tokens W_K^2 stores (default: all N tokens). */
  triggers?: number[];
  /** The signal of each memory (default {@linkcode DEFAULT_GAINS}). */
  gains?: typeof DEFAULT_GAINS;
}

/** The metrics of Exercise 4.5. */
export interface EvalMetrics {
  /** Fraction of in-context targets (label >= 2) predicted by the argmax. */
  inContextAcc: number;
  /** Mean cross-entropy on global targets (label 0). */
  lossGlobal: number;
  /** Mean cross-entropy on in-context targets (label >= 2). */
  lossInContext: number;
}

/** The size of one experiment of Exercise 4.7. */
export interface ExperimentSize {
  /** d. */
  dim: number;
  /** T, the sequence length (and the model's maxLen). */
  seqLen: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Seed of the parameters (the batch uses seed + 1000). */
  seed: number;
}

/** The CPU-friendly experiment the tests use: the paper's width, shorter sequences. */
export const smallExperiment: ExperimentSize = { dim: 256, seqLen: 64, batchSize: 16, seed: 0 };

/** The paper's size (d = 256, T = 256); a few seconds per evaluation on a CPU. */
export const paperExperiment: ExperimentSize = { dim: 256, seqLen: 256, batchSize: 32, seed: 0 };

/** In-context accuracy of each ablation of Exercise 4.7. */
export interface AblationResults {
  /** W_K^2 wired for the 5 fixed triggers, data with those triggers. */
  wired: number;
  /** The same model with W_K^1 = 0: layer 1 attends uniformly. */
  layer1Removed: number;
  /** Wired for the top-5 triggers, tested on data whose triggers are the next 5 tokens. */
  otherTriggers: number;
  /** W_K^2 wired for all N tokens, tested on that other trigger set. */
  allTokensWiring: number;
}

// ---------------------------------------------------------------- 4.1 embeddings

/**
 * Exercise 4.1. The input of the model: x_t = w_E(z_t) + p_t, for a batch of token ids.
 * Write the lookup as a matrix product oneHot(z) W_E (`tf.gather`'s gradient is missing on the
 * wasm backend, and lesson 5 trains through this function).
 *
 * @param params The model's parameters (`wE` `[N, d]`, `pos` `[maxLen, d]`).
 * @param inputs Token ids, int32 `[batch, seq]` with seq <= maxLen.
 * @returns x, `[batch, seq, d]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embedTokens } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const params = initParams({ ...defaultModelConfig, dim: 8, maxLen: 4 });
 * embedTokens(params, tf.tensor2d([[0, 3, 3]], undefined, "int32")).shape; // [1, 3, 8]
 * ```
 */
export function embedTokens(params: Params, inputs: tf.Tensor2D): tf.Tensor3D {
  const wE = need(params, "wE");
  const pos = need(params, "pos");
  if (inputs.rank !== 2 || inputs.dtype !== "int32") {
    throw new Error(
      `embedTokens: inputs must be int32 [batch, seq], got ${inputs.dtype} [${inputs.shape}]`,
    );
  }
  throw notImplemented("embedTokens");
}

// ---------------------------------------------------------------- 4.2 forward

/**
 * Exercise 4.2. The forward pass of the two-layer model, with your lesson-2 `residualAttention`:
 * h1 = x + attn1(x); h2 = h1 + attn2(h1) (queries, keys and values all from h1);
 * h3 = h2 + W_F h2 when `config.finalFfn`; logits = W_U h3.
 *
 * @param inputs Token ids, int32 `[batch, seq]`.
 * @returns The logits `[batch, seq, N]` and both attention maps `[batch, seq, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inductionForward } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * const out = inductionForward(initParams(config), config, tf.zeros([2, 8], "int32") as tf.Tensor2D);
 * out.attn2.shape; // [2, 8, 8]
 * ```
 */
export function inductionForward(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
): InductionOutput {
  if (inputs.rank !== 2 || inputs.shape[1] > config.maxLen) {
    throw new Error(
      `inductionForward: inputs must be [batch, seq] with seq <= maxLen ${config.maxLen}, got [${inputs.shape}]`,
    );
  }
  throw notImplemented("inductionForward");
}

// ---------------------------------------------------------------- 4.3 the memories

/**
 * Exercise 4.3. The induction memory of layer 2, unscaled:
 * W_K^2 = Σ_{k ∈ tokens} w_E(k) w_1(k)^T with w_1(k) = W_O^1 W_V^1 w_E(k), the copy of token k
 * that layer 1 writes into the next position's residual stream.
 *
 * @param tokens The tokens to store (e.g. the triggers); all N tokens when omitted.
 * @returns `[d, d]`.
 *
 * @example
 * ```ts
 * import { inductionKeyMemory } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * inductionKeyMemory(initParams({ ...defaultModelConfig, dim: 32 }), [1, 43]).shape; // [32, 32]
 * ```
 */
export function inductionKeyMemory(params: Params, tokens?: number[]): tf.Tensor2D {
  const wE = need(params, "wE");
  throw notImplemented("inductionKeyMemory");
}

/**
 * Exercise 4.3. The copy memory of layer 2, unscaled, over all N tokens:
 * W_O^2 = Σ_k w_U(k) (W_V^2 w_E(k))^T: the value of an attended token k is mapped onto its own
 * unembedding, so the model predicts k.
 *
 * @returns `[d, d]`.
 *
 * @example
 * ```ts
 * import { copyMemory } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * copyMemory(initParams({ ...defaultModelConfig, dim: 32 })).shape; // [32, 32]
 * ```
 */
export function copyMemory(params: Params): tf.Tensor2D {
  throw notImplemented("copyMemory");
}

// ---------------------------------------------------------------- 4.4 scales and wiring

/**
 * Exercise 4.4. The scale s that makes a stored association of W = s Σ_i v_i u_i^T read back
 * `gain` on average: v_i^T W u_i ≈ s |v_i|^2 |u_i|^2, so s = gain / (mean |u|^2 · mean |v|^2)
 * (the cross-terms are O(1/√d) smaller and ignored).
 *
 * @param u The input embeddings u_i as rows, `[count, d]`.
 * @param v The output embeddings v_i as rows, `[count, d]`.
 * @param gain The wanted read-back.
 * @returns s.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { memoryScale } from "@exercises/04_induction_transformer/exercises.ts";
 * memoryScale(tf.tensor2d([[2, 0]]), tf.tensor2d([[0, 1]]), 8); // 8 / (4 * 1) = 2
 * ```
 */
export function memoryScale(u: tf.Tensor2D, v: tf.Tensor2D, gain: number): number {
  throw notImplemented("memoryScale");
}

/**
 * Exercise 4.4. Wires an induction head into `params` (overwrites W_K^1, W_K^2, W_O^2):
 * - W_K^1 = a · previousTokenKey(p) (your lesson-2 function, Σ_t p_t p_{t-1}^T);
 * - W_K^2 = b · inductionKeyMemory(params, triggers);
 * - W_O^2 = c · copyMemory(params);
 * with a, b, c from {@linkcode memoryScale} so that the right key scores `gains.wK1`,
 * `gains.wK2` after the 1/√d of attention (so pass gain · √d) and the copied token's logit is
 * `gains.wO2`.
 *
 * @example
 * ```ts
 * import { handWireInduction } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * const params = initParams(config);
 * handWireInduction(params, config, { triggers: [1, 43, 58, 53, 39] });
 * ```
 */
export function handWireInduction(
  params: Params,
  config: ModelConfig,
  options: WiringOptions = {},
): void {
  const { triggers, gains = DEFAULT_GAINS } = options;
  throw notImplemented("handWireInduction");
}

// ---------------------------------------------------------------- 4.5 metrics

/**
 * Exercise 4.5. In-context accuracy: among the targets with label >= 2 (a trigger seen before),
 * the fraction where the argmax of the logits is the target. NaN when there is none.
 *
 * @param logits `[batch, seq, N]`; `targets`, `labels` int32 `[batch, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inContextAccuracy } from "@exercises/04_induction_transformer/exercises.ts";
 * const logits = tf.tensor3d([[[0, 1], [1, 0]]]);
 * inContextAccuracy(logits, tf.tensor2d([[1, 1]], undefined, "int32"),
 *   tf.tensor2d([[2, 2]], undefined, "int32")); // 0.5
 * ```
 */
export function inContextAccuracy(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): number {
  throw notImplemented("inContextAccuracy");
}

/**
 * Exercise 4.5. The mean cross-entropy -log softmax(logits_t)[target_t] over the positions where
 * `mask` is 1. NaN when the mask is empty.
 *
 * @param mask float32 `[batch, seq]` of 0 and 1.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { crossEntropyOn } from "@exercises/04_induction_transformer/exercises.ts";
 * crossEntropyOn(tf.zeros([1, 1, 4]) as tf.Tensor3D, tf.tensor2d([[2]], undefined, "int32"),
 *   tf.ones([1, 1]) as tf.Tensor2D); // log 4 = 1.386
 * ```
 */
export function crossEntropyOn(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
): number {
  throw notImplemented("crossEntropyOn");
}

/**
 * Exercise 4.5. The three metrics of the course on one batch: in-context accuracy, loss on
 * global tokens (label 0) and loss on in-context tokens (label >= 2).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { evaluateBatch } from "@exercises/04_induction_transformer/exercises.ts";
 * const ids = tf.tensor2d([[0, 1]], undefined, "int32");
 * evaluateBatch(tf.zeros([1, 2, 2]) as tf.Tensor3D, ids, ids).lossGlobal; // log 2
 * ```
 */
export function evaluateBatch(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): EvalMetrics {
  throw notImplemented("evaluateBatch");
}

// ---------------------------------------------------------------- 4.6 attention probes

/**
 * Exercise 4.6. The previous-token probe of layer 1 (the code's `score_acc`): for every trigger
 * occurrence at position t (label[t] >= 1) with t + 1 < seq, does the output position t + 1 put
 * its largest layer-1 weight on t? Returns the fraction of such positions.
 *
 * @param attn1 `[batch, seq, seq]`; `labels` int32 `[batch, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { previousTokenProbe } from "@exercises/04_induction_transformer/exercises.ts";
 * const prev = tf.tensor3d([[[1, 0], [1, 0]]]); // position 1 attends to 0
 * previousTokenProbe(prev, tf.tensor2d([[1, 0]], undefined, "int32")); // 1
 * ```
 */
export function previousTokenProbe(attn1: tf.Tensor3D, labels: tf.Tensor2D): number {
  throw notImplemented("previousTokenProbe");
}

/**
 * Exercise 4.6. The induction probe of layer 2 (the code's `score2_acc`): at every in-context
 * target t (label >= 2), take s* = the argmax of layer 2's weights; it is right when s* >= 1 and
 * z_{s*-1} = z_t (the attended token follows an earlier occurrence of the current token).
 *
 * @param attn2 `[batch, seq, seq]`; `inputs`, `labels` int32 `[batch, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inductionProbe } from "@exercises/04_induction_transformer/exercises.ts";
 * const attn2 = tf.tensor3d([[[1, 0, 0], [1, 0, 0], [0, 1, 0]]]); // t = 2 attends to s = 1
 * inductionProbe(attn2, tf.tensor2d([[5, 7, 5]], undefined, "int32"),
 *   tf.tensor2d([[1, 0, 2]], undefined, "int32")); // 1: z_0 = z_2 = 5
 * ```
 */
export function inductionProbe(
  attn2: tf.Tensor3D,
  inputs: tf.Tensor2D,
  labels: tf.Tensor2D,
): number {
  throw notImplemented("inductionProbe");
}

// ---------------------------------------------------------------- 4.7 ablations

/**
 * Exercise 4.7. Removes layer 1's memory: W_K^1 = 0, so every score of layer 1 is 0 and its
 * attention is uniform over s <= t.
 *
 * @example
 * ```ts
 * import { removePreviousTokenMemory } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const params = initParams({ ...defaultModelConfig, dim: 16 });
 * removePreviousTokenMemory(params); // params.wK1 is now all zeros
 * ```
 */
export function removePreviousTokenMemory(params: Params): void {
  throw notImplemented("removePreviousTokenMemory");
}

/**
 * Exercise 4.7. The ablation table at one size: build a model (`initParams` with
 * `{ ...defaultModelConfig, dim, maxLen: seqLen, seed }`), wire it for the 5 fixed triggers
 * (`topTriggers(pi_u, 5)`), and measure the in-context accuracy of your forward pass on one
 * batch of `batchSize` sequences drawn with `new Rng(seed + 1000)`:
 * 1. `wired`: data with those triggers (lesson 1's default data, `seqLen` long);
 * 2. `otherTriggers`: data whose fixed triggers are the next 5 tokens (`triggerOffset: 5`);
 * 3. `allTokensWiring`: rewired with W_K^2 over all N tokens, on that same other data;
 * 4. `layer1Removed`: the fixed-trigger wiring again, W_K^1 removed, on the data of (1).
 * Use one batch per data set (draw it with a fresh `new Rng(seed + 1000)` each time) and free
 * every tensor.
 *
 * @example
 * ```ts
 * import { runAblations, smallExperiment } from "@exercises/04_induction_transformer/exercises.ts";
 * const r = runAblations(smallExperiment);
 * r.wired; // about 0.9; r.layer1Removed about 0.3
 * ```
 */
export function runAblations(size: ExperimentSize): AblationResults {
  throw notImplemented("runAblations");
}

// ---------------------------------------------------------------- 4.8 the cross-talk, measured

/**
 * Exercise 4.8. The second moment C = E[h h^T] of what a key of layer 2 holds, `[d, d]`, from
 * the model's own embeddings. With a sharp previous-token layer 1, the residual stream at a key
 * position s is h^1_s = w_E(z_s) + w_1(z_{s-1}) + q_s, with w_1(k) = W_O^1 W_V^1 w_E(k) and
 * q_s = p_s + W_O^1 W_V^1 p_{s-1} (and q_0 = p_0 + W_O^1 W_V^1 p_0: position 0 can only attend to
 * itself). Take z_s and z_{s-1} independent and **uniform** over the N tokens, s uniform over the
 * T positions, and drop the cross terms between the three parts (they only involve the parts'
 * means, which are small for random embeddings):
 *
 * C = (1/N) Σ_k [w_E(k) w_E(k)^T + w_1(k) w_1(k)^T] + (1/T) Σ_s q_s q_s^T.
 *
 * @param params The model's parameters (`wE`, `pos`, `wV1`, `wO1` are read).
 * @param config Its configuration (`vocabSize` is N; T is the number of rows of `pos`).
 * @returns C, symmetric `[d, d]`.
 *
 * @example
 * ```ts
 * import { keySecondMoment } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 32 };
 * keySecondMoment(initParams(config), config).shape; // [64, 64], trace about 2.2 · 64
 * ```
 */
export function keySecondMoment(params: Params, config: ModelConfig): tf.Tensor2D {
  const wE = need(params, "wE");
  const pos = need(params, "pos");
  throw notImplemented("keySecondMoment");
}

/**
 * Exercise 4.8. How noisy a memory's read-out is. A read-out vector r_k is meant to answer
 * r_k · h large when the key's stream h holds the stored vector w_1(k), and small otherwise. Its
 * answer on the stored copy is r_k · w_1(k); its root-mean-square answer on a random key is
 * sqrt(r_k^T C r_k) (since E[(r · h)^2] = r^T E[h h^T] r). Returns, for each row k, the noise
 * relative to the signal: sqrt(r_k^T C r_k) / (r_k · w_1(k)).
 *
 * @param readouts The read-out vectors r_k as rows, `[K, d]`.
 * @param stored The stored vectors w_1(k) as rows, `[K, d]`.
 * @param c The second moment of the keys, `[d, d]`.
 * @returns `[K]` noise-to-signal ratios (about 0.3 for the plain r_k = w_1(k) at d = 256).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readoutNoise } from "@exercises/04_induction_transformer/exercises.ts";
 * const c = tf.tensor2d([[4, 0], [0, 1]]);
 * readoutNoise(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0]]), c); // [sqrt(4) / 2] = [1]
 * ```
 */
export function readoutNoise(
  readouts: tf.Tensor2D,
  stored: tf.Tensor2D,
  c: tf.Tensor2D,
): number[] {
  if (readouts.shape[0] !== stored.shape[0] || readouts.shape[1] !== stored.shape[1]) {
    throw new Error(
      `readoutNoise: readouts [${readouts.shape}] and stored [${stored.shape}] must be [K, d] both`,
    );
  }
  throw notImplemented("readoutNoise");
}

// ---------------------------------------------------------------- 4.9 the whitened memory

/** Options of {@linkcode whitenedKeyMemory}. */
export interface WhitenedOptions {
  /** The tokens W_K^2 stores (default: all N tokens). */
  triggers?: number[];
  /** The score of a stored pair after the 1/√d (default `DEFAULT_GAINS.wK2`, 10). */
  gain?: number;
  /** λ = ridge · tr(C) / d (default {@linkcode DEFAULT_RIDGE}). */
  ridge?: number;
  /** Subtract ρ_0, the read-out of position 0's key (default true). */
  cancelFirstKey?: boolean;
}

/**
 * The default ridge of the whitened read-out, relative to the mean eigenvalue tr(C) / d of C.
 * (Provided; 0.01 to 0.1 measured equally well at d = 256.)
 */
export const DEFAULT_RIDGE = 0.1;

/**
 * Exercise 4.9. The whitened induction memory of layer 2, scaled, `[d, d]`: still a sum of outer
 * products, W_K^2 = b Σ_k w_E(k) r_k^T, but each read-out is a matched filter with noise
 * whitening (as in linear discriminant analysis) instead of the plain r_k = w_1(k):
 * - r_k = (C + λI)^-1 w_1(k), with C = {@linkcode keySecondMoment} and λ = ridge · tr(C) / d
 *   (invert with `inverseSpd` from `@lib/model/mod.ts`);
 * - when `cancelFirstKey`: r_k ← r_k - ρ_0, with
 *   ρ_0 = (C + λI)^-1 q_0 · s / (q_0^T (C + λI)^-1 q_0), q_0 = p_0 + W_O^1 W_V^1 p_0 (position
 *   0's part of its key) and s = mean_k r_k · w_1(k): ρ_0 reads key 0 exactly as strongly as r_k
 *   reads a stored copy, so the copy of z_0 that layer 1 leaves at position 0 is cancelled;
 * - b = gain · √d / (mean_k |w_E(k)|^2 · mean_k r_k · w_1(k)) with the final r_k, so that a stored
 *   pair scores `gain` after the 1/√d.
 *
 * @example
 * ```ts
 * import { whitenedKeyMemory } from "@exercises/04_induction_transformer/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 256, maxLen: 64 };
 * const params = initParams(config);
 * params.wK2!.assign(whitenedKeyMemory(params, config, { triggers: [1, 43, 58, 53, 39] }));
 * ```
 */
export function whitenedKeyMemory(
  params: Params,
  config: ModelConfig,
  options: WhitenedOptions = {},
): tf.Tensor2D {
  const {
    triggers,
    gain = DEFAULT_GAINS.wK2,
    ridge = DEFAULT_RIDGE,
    cancelFirstKey = true,
  } = options;
  if (!(ridge > 0)) throw new Error(`whitenedKeyMemory: ridge must be positive, got ${ridge}`);
  throw notImplemented("whitenedKeyMemory");
}
