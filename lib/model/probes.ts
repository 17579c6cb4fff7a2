/**
 * Probes of what the model has stored (paper_spec §4.2 and §4.3, `ihead_basic_main.py`):
 *
 * - memory-recall probes: is each memory's top-1 recall of its ideal associations right?
 * - attention probes: does layer 1 attend to the previous token, and layer 2 to the token after
 *   an earlier occurrence of the current one?
 *
 * @example
 * ```ts
 * import { defaultModelConfig, initParams, memoryProbes, type ModelConfig, type Params } from "@lib/model/mod.ts";
 * // lesson 4's wiring (Exercise 4.4), passed in by the tool
 * declare const handWireInduction: (p: Params, c: ModelConfig) => void;
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * const params = initParams(config);
 * memoryProbes(params, config, null).wO2; // near chance, 1/65
 * handWireInduction(params, config);
 * memoryProbes(params, config, null).wO2; // 1
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.ts";
import { need, type Params } from "./params.ts";
import { finalLayer } from "./final_ffn.ts";

/** Top-1 recall of each memory (1 = every association recalled), and the W_F KL. */
export interface MemoryProbes {
  /** W_O^2: argmax_j w_U(j)^T W_O2 W_V2 w_E(k) = k, over all N tokens (`wo1_acc`). */
  wO2: number;
  /** W_K^2: argmax_j w_E(k)^T W_K2 W_O1 W_V1 w_E(j) = k, j and k in the trigger set (`wk1_acc`). */
  wK2: number;
  /** W_K^1: argmax_s p_t^T W_K1 p_s = t - 1 over all s (not masked), t = 1..T-1 (`wk0_acc`). */
  wK1: number;
  /** The W_K^1 probe on positions < 64 only (`wk0_64_acc`). */
  wK1Early: number;
  /**
   * KL(pi_b(.|i) || softmax(W_U F(w_E(i)))), mean over non-trigger tokens (`ff1_loss`), with F
   * the final layer alone: W_F, or W_F2 relu(W_F1 .) with `finalFfn: "relu"`.
   */
  wF?: number;
}

/** Fraction of the entries of `argmax` equal to their index (the expected row i -> i). */
function diagonalRecall(argmax: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < argmax.length; i++) hits += argmax[i] === i ? 1 : 0;
  return hits / argmax.length;
}

/** argmax_s p_t^T W_K1 p_s for queries t = 1..len-1 over keys s = 0..len-2 (expected: t - 1). */
function positionArgmax(p: tf.Tensor2D, wK1: tf.Tensor2D, len: number): tf.Tensor1D {
  const d = p.shape[1];
  const q = p.slice([1, 0], [len - 1, d]); // p_t, t = 1..len-1
  const k = p.slice([0, 0], [len - 1, d]); // p_s, s = 0..len-2
  return tf.matMul(tf.matMul(q, wK1), k, false, true).argMax(1) as tf.Tensor1D; // p_t^T W_K1 p_s
}

/** The probes' tensors: one argmax per stored association (index i should be i), and the KL. */
function memoryProbeTensors(
  params: Params,
  config: ModelConfig,
  triggers: number[] | null,
  bigram?: number[][],
): tf.Tensor[] {
  const n = config.vocabSize;
  const all = Array.from({ length: n }, (_, i) => i);
  const set = triggers ?? all;
  for (const k of set) {
    if (!Number.isInteger(k) || k < 0 || k >= n) {
      throw new Error(`memoryProbes: trigger ${k} is not a token id in [0, ${n})`);
    }
  }
  if (config.maxLen < 2) throw new Error("memoryProbes: the W_K1 probe needs maxLen >= 2");
  return tf.tidy(() => {
    const wE = need(params, "wE");
    // W_O2: row k, column j = w_U(j)^T W_O2 W_V2 w_E(k)
    const copied = tf.matMul(
      tf.matMul(tf.matMul(wE, need(params, "wV2"), false, true), need(params, "wO2"), false, true),
      need(params, "wU"),
      false,
      true,
    ); // [N (k), N (j)]
    // W_K2: queries w_E(k), keys W_K2 W_O1 W_V1 w_E(j), k and j in the set
    const e = tf.gather(wE, tf.tensor1d(set, "int32"));
    const keys = tf.matMul(
      tf.matMul(tf.matMul(e, need(params, "wV1"), false, true), need(params, "wO1"), false, true),
      need(params, "wK2"),
      false,
      true,
    );
    const p = need(params, "pos");
    const wK1 = need(params, "wK1");
    const out: tf.Tensor[] = [
      copied.argMax(1),
      tf.matMul(e, keys, false, true).argMax(1),
      positionArgmax(p, wK1, config.maxLen),
      positionArgmax(p, wK1, Math.min(64, config.maxLen)),
    ];
    if (config.finalFfn && bigram) {
      // KL(pi_b(.|i) || softmax(W_U F(w_E(i)))) over the non-trigger tokens, "batchmean", with F
      // the final layer alone (no residual): W_F, or W_F2 relu(W_F1 .)
      const used = all.filter((i) => !(triggers ?? []).includes(i));
      const eu = tf.gather(wE, tf.tensor1d(used, "int32"));
      const logq = tf.logSoftmax(
        tf.matMul(finalLayer(params, config, eu), need(params, "wU"), false, true),
      );
      const target = tf.tensor2d(used.map((i) => bigram[i]));
      const logTarget = tf.log(tf.maximum(target, 1e-30)); // 0 log 0 = 0
      out.push(target.mul(logTarget.sub(logq)).sum().div(used.length));
    }
    return out;
  });
}

function memoryProbesFrom(values: ArrayLike<number>[]): MemoryProbes {
  const [wO2, wK2, wK1, wK1Early] = values.slice(0, 4).map(diagonalRecall);
  const result: MemoryProbes = { wO2, wK2, wK1, wK1Early };
  if (values.length > 4) result.wF = values[4][0];
  return result;
}

/**
 * The memory-recall probes of the paper's code. Reads back synchronously; on the WebGPU backend
 * (where Deno has no synchronous readback) use {@linkcode memoryProbesAsync}.
 *
 * @param triggers The fixed trigger set (W_K^2 probe over those K tokens and W_F probe excluding
 *   them), or null for all tokens (random triggers).
 * @param bigram pi_b `[N, N]`; needed for the W_F probe (only with `finalFfn`, linear or ReLU).
 *
 * @example
 * ```ts
 * import { defaultModelConfig, initParams, memoryProbes } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * memoryProbes(initParams(config), config, [1, 43, 58, 53, 39]).wK2; // near 1/5 at random init
 * ```
 */
export function memoryProbes(
  params: Params,
  config: ModelConfig,
  triggers: number[] | null,
  bigram?: number[][],
): MemoryProbes {
  const tensors = memoryProbeTensors(params, config, triggers, bigram);
  const values = tensors.map((t) => t.dataSync());
  tf.dispose(tensors);
  return memoryProbesFrom(values);
}

/**
 * {@linkcode memoryProbes} with an asynchronous readback (works on every backend).
 *
 * @example
 * ```ts
 * import { defaultModelConfig, initParams, memoryProbesAsync } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * (await memoryProbesAsync(initParams(config), config, null)).wO2; // near 1/65 at random init
 * ```
 */
export async function memoryProbesAsync(
  params: Params,
  config: ModelConfig,
  triggers: number[] | null,
  bigram?: number[][],
): Promise<MemoryProbes> {
  const tensors = memoryProbeTensors(params, config, triggers, bigram);
  const values = await Promise.all(tensors.map((t) => t.data()));
  tf.dispose(tensors);
  return memoryProbesFrom(values);
}

/**
 * The attention probes (`score_acc`, `score2_acc`):
 * - `prevToken`: at every output position t+1 (the token after a trigger at t, label[t] >= 1),
 *   is layer 1's argmax key t?
 * - `induction`: at every in-context target t (label >= 2), does layer 2's argmax key s* follow an
 *   occurrence of the current token (s* >= 1 and z_{s*-1} = z_t)?
 *
 * @param attn1 Layer 1 weights `[batch, seq, seq]`; `attn2` layer 2's.
 * @param inputs, targets, labels `[batch, seq]` int32, as in a lesson-1 batch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { attentionProbes } from "@lib/model/probes.ts";
 * const eye = tf.eye(3).expandDims(0) as tf.Tensor3D;
 * const ids = tf.tensor2d([[0, 1, 0]], undefined, "int32");
 * attentionProbes(eye, eye, ids, ids, tf.tensor2d([[1, 0, 2]], undefined, "int32"));
 * // { prevToken: 0, induction: 0 }
 * ```
 */
export function attentionProbes(
  attn1: tf.Tensor3D,
  attn2: tf.Tensor3D,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): { prevToken: number; induction: number } {
  const tensors = attentionProbeTensors(attn1, attn2, inputs, targets, labels);
  const values = tensors.map((t) => t.dataSync());
  tf.dispose(tensors.slice(0, 2));
  return attentionProbesFrom(values, inputs.shape[1]);
}

/**
 * {@linkcode attentionProbes} with an asynchronous readback (works on every backend).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { attentionProbesAsync } from "@lib/model/probes.ts";
 * const eye = tf.eye(2).expandDims(0) as tf.Tensor3D;
 * const ids = tf.tensor2d([[0, 0]], undefined, "int32");
 * await attentionProbesAsync(eye, eye, ids, ids, ids); // { prevToken: NaN, induction: NaN }
 * ```
 */
export async function attentionProbesAsync(
  attn1: tf.Tensor3D,
  attn2: tf.Tensor3D,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): Promise<{ prevToken: number; induction: number }> {
  const tensors = attentionProbeTensors(attn1, attn2, inputs, targets, labels);
  const values = await Promise.all(tensors.map((t) => t.data()));
  tf.dispose(tensors.slice(0, 2));
  return attentionProbesFrom(values, inputs.shape[1]);
}

/** Checks the shapes; returns [argmax of attn1, argmax of attn2, inputs, labels]. */
function attentionProbeTensors(
  attn1: tf.Tensor3D,
  attn2: tf.Tensor3D,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): tf.Tensor[] {
  const [batch, seq] = inputs.shape;
  for (const [name, t] of [["attn1", attn1], ["attn2", attn2]] as const) {
    if (t.rank !== 3 || t.shape[0] !== batch || t.shape[1] !== seq || t.shape[2] !== seq) {
      throw new Error(
        `attentionProbes: ${name} must be [${batch}, ${seq}, ${seq}], got [${t.shape}]`,
      );
    }
  }
  if (targets.shape[0] !== batch || labels.shape[0] !== batch || labels.shape[1] !== seq) {
    throw new Error(
      "attentionProbes: inputs, targets and labels must share one [batch, seq] shape",
    );
  }
  return [tf.tidy(() => attn1.argMax(-1)), tf.tidy(() => attn2.argMax(-1)), inputs, labels];
}

/** Counts the probes from the read-back argmaxes, ids and labels (flat `[batch * seq]`). */
function attentionProbesFrom(
  values: ArrayLike<number>[],
  seq: number,
): { prevToken: number; induction: number } {
  const [a1, a2, z, lab] = values;
  let prevHits = 0;
  let prevCount = 0;
  let indHits = 0;
  let indCount = 0;
  for (let i = 0; i < lab.length; i++) {
    const t = i % seq;
    const start = i - t; // position 0 of this sequence
    if (t + 1 < seq && lab[i] >= 1) {
      prevCount++;
      if (a1[i + 1] === t) prevHits++;
    }
    if (lab[i] >= 2) {
      indCount++;
      const s = a2[i];
      if (s >= 1 && z[start + s - 1] === z[i]) indHits++;
    }
  }
  return { prevToken: prevHits / prevCount, induction: indHits / indCount };
}
