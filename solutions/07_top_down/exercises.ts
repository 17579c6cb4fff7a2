/**
 * Lesson 7: a few gradient steps, top-down. An "ideal" model whose embedding families are exactly
 * orthogonal (the infinite-width limit), gradients of the in-context loss averaged over many
 * sequences (the population loss), the copy gradient in closed form, one chosen step per matrix,
 * and the order W_O^2, then W_K^2, then W_K^1 (Bietti et al. 2023, section 6; the theorem's exact
 * statement is recalled, not checked: see the lesson's README).
 *
 * The model is the library's (`@lib/model/mod.ts`: `forward`, `initParams`, `memoryProbes`), the
 * data lesson 1's reference generator (`@lib/train/data.ts`), so this lesson tests only its own
 * code.
 *
 * @example
 * ```ts
 * import { idealModel } from "@exercises/07_top_down/exercises.ts";
 * const { config, params } = idealModel(65, 16);
 * config.dim; // 4 * 65 + 16 = 276
 * params.wO2!.shape; // [276, 276], all zeros
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  defaultModelConfig,
  forward,
  type MemoryProbes,
  memoryProbes,
  type ModelConfig,
  need,
  type ParamName,
  type Params,
  tokenLosses,
} from "@lib/model/mod.ts";
import {
  type BigramStats,
  type DataConfig,
  makeBatch,
} from "@exercises/01_bigram_data/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";

// ------------------------------------------------------------------------------------------
// Provided: the ideal model's layout, the data held as plain arrays, and its evaluation.

/** The families of vectors of the ideal model, each in its own block of standard basis vectors. */
export type Family = "wE" | "pos" | "w1E" | "v2E" | "wU";

/**
 * Where each family starts in the ideal model's d = 4N + T coordinates: w_E(k) = e_{wE + k},
 * p_t = e_{pos + t}, W_O^1 W_V^1 w_E(k) = e_{w1E + k}, W_V^2 w_E(k) = e_{v2E + k},
 * w_U(j) = e_{wU + j}.
 */
export interface IdealLayout {
  /** d = 4N + T. */
  dim: number;
  /** N, the vocabulary size. */
  vocabSize: number;
  /** T, the number of positions. */
  maxLen: number;
  /** The first coordinate of each family. */
  offset: Record<Family, number>;
}

/**
 * The layout of the ideal model for N tokens and T positions: w_E, then p, then the images of
 * w_E under W_O^1 W_V^1 and under W_V^2, then w_U.
 *
 * @example
 * ```ts
 * import { idealLayout } from "@exercises/07_top_down/exercises.ts";
 * idealLayout(65, 32).offset.wU; // 3 * 65 + 32 = 227
 * ```
 */
export function idealLayout(vocabSize: number, maxLen: number): IdealLayout {
  const n = vocabSize;
  const t = maxLen;
  return {
    dim: 4 * n + t,
    vocabSize: n,
    maxLen: t,
    offset: { wE: 0, pos: n, w1E: n + t, v2E: 2 * n + t, wU: 3 * n + t },
  };
}

/** The size of a family: N vectors, or T for the positions. */
export function familySize(layout: IdealLayout, family: Family): number {
  return family === "pos" ? layout.maxLen : layout.vocabSize;
}

/**
 * The block of a d×d matrix W that maps family `from` to family `to`: entry [i][j] is
 * to_i^T W from_j (in the ideal model these are plain entries of W, since every family is a set
 * of standard basis vectors).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { familyBlock, idealLayout } from "@exercises/07_top_down/exercises.ts";
 * const layout = idealLayout(2, 1); // d = 9
 * familyBlock(tf.eye(9) as tf.Tensor2D, layout, "wE", "wE"); // [[1, 0], [0, 1]]
 * ```
 */
export function familyBlock(
  w: tf.Tensor2D,
  layout: IdealLayout,
  from: Family,
  to: Family,
): number[][] {
  return tf.tidy(() =>
    w.slice(
      [layout.offset[to], layout.offset[from]],
      [familySize(layout, to), familySize(layout, from)],
    ).arraySync() as number[][]
  );
}

/** Sequences held as plain arrays, `[S][T]` each, so that they can be cut into any chunks. */
export interface SequenceData {
  /** z_1 .. z_T of each sequence. */
  inputs: number[][];
  /** z_2 .. z_{T+1}. */
  targets: number[][];
  /** 1 where the target is in-context (label >= 2), else 0. */
  mask: number[][];
}

/**
 * `count` sequences of lesson 1's generator, drawn from `new Rng(seed)` in batches of at most
 * 256, read back into plain arrays.
 *
 * @example
 * ```ts
 * import { sampleData } from "@exercises/07_top_down/exercises.ts";
 * import { defaultDataConfig, loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * const data = sampleData(0, loadStats(), { ...defaultDataConfig, seqLen: 16 }, 8);
 * data.inputs.length; // 8
 * ```
 */
export function sampleData(
  seed: number,
  stats: BigramStats,
  dataConfig: DataConfig,
  count: number,
): SequenceData {
  const rng = new Rng(seed);
  const data: SequenceData = { inputs: [], targets: [], mask: [] };
  for (let done = 0; done < count; done += 256) {
    const batch = makeBatch(rng, stats, dataConfig, Math.min(256, count - done));
    data.inputs.push(...(batch.inputs.arraySync() as number[][]));
    data.targets.push(...(batch.targets.arraySync() as number[][]));
    data.mask.push(...(batch.inContextMask.arraySync() as number[][]));
    tf.dispose([batch.inputs, batch.targets, batch.labels, batch.inContextMask]);
  }
  return data;
}

/**
 * Sequences `start` to `end - 1` as tensors: inputs and targets int32 `[rows, T]`, the mask
 * float32 `[rows, T]`. The caller disposes them.
 *
 * @example
 * ```ts
 * import { chunkTensors } from "@exercises/07_top_down/exercises.ts";
 * const c = chunkTensors({ inputs: [[1, 2]], targets: [[2, 3]], mask: [[0, 1]] }, 0, 1);
 * c.inputs.shape; // [1, 2]
 * ```
 */
export function chunkTensors(data: SequenceData, start: number, end: number) {
  return {
    inputs: tf.tensor2d(data.inputs.slice(start, end), undefined, "int32"),
    targets: tf.tensor2d(data.targets.slice(start, end), undefined, "int32"),
    mask: tf.tensor2d(data.mask.slice(start, end), undefined, "float32"),
  };
}

/**
 * The in-context loss (mean cross-entropy over every in-context target of `data`) and the
 * in-context accuracy (argmax = target), computed `chunkSize` sequences at a time.
 *
 * @example
 * ```ts
 * import { evaluate, idealModel, sampleData } from "@exercises/07_top_down/exercises.ts";
 * import { defaultDataConfig, loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * const { config, params } = idealModel(65, 16);
 * const data = sampleData(0, loadStats(), { ...defaultDataConfig, seqLen: 16 }, 8);
 * evaluate(params, config, data, 8).loss; // log 65 = 4.17: the ideal model starts uniform
 * ```
 */
export function evaluate(
  params: Params,
  config: ModelConfig,
  data: SequenceData,
  chunkSize: number,
): { loss: number; acc: number; count: number } {
  let loss = 0;
  let hits = 0;
  let count = 0;
  for (let start = 0; start < data.inputs.length; start += chunkSize) {
    const c = chunkTensors(data, start, Math.min(start + chunkSize, data.inputs.length));
    const [l, h, n] = tf.tidy(() => {
      const { logits } = forward(params, config, c.inputs);
      const right = tf.equal(tf.argMax(logits, -1), c.targets).toFloat();
      return [
        tf.sum(tf.mul(tokenLosses(logits, c.targets), c.mask)),
        tf.sum(tf.mul(right, c.mask)),
        tf.sum(c.mask),
      ];
    });
    loss += l.dataSync()[0];
    hits += h.dataSync()[0];
    count += n.dataSync()[0];
    tf.dispose([l, h, n, c.inputs, c.targets, c.mask]);
  }
  return { loss: loss / Math.max(count, 1), acc: hits / Math.max(count, 1), count };
}

/**
 * Runs `fn` with only parameter `name` marked trainable (so that the library's fast forward
 * pass computes that gradient and no other), then restores every flag.
 *
 * @example
 * ```ts
 * import { idealModel, withOnlyTrainable } from "@exercises/07_top_down/exercises.ts";
 * const { params } = idealModel(65, 8);
 * withOnlyTrainable(params, "wO2", () => params.wK1!.trainable); // false
 * ```
 */
export function withOnlyTrainable<T>(params: Params, name: ParamName, fn: () => T): T {
  const saved = new Map<ParamName, boolean>();
  for (const [key, v] of Object.entries(params) as [ParamName, tf.Variable][]) {
    saved.set(key, v.trainable);
    v.trainable = key === name;
  }
  try {
    return fn();
  } finally {
    for (const [key, flag] of saved) params[key]!.trainable = flag;
  }
}

/**
 * A copy of the course's random model (N(0,1) embeddings, uniform frozen matrices, from
 * `initParams(config)`) with W_K^1, W_K^2 and W_O^2 set to zero: the starting point of the
 * steps with random embeddings.
 *
 * @example
 * ```ts
 * import { zeroMemories } from "@exercises/07_top_down/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 32, maxLen: 8 };
 * const params = zeroMemories(initParams(config));
 * params.wO2!.sum().dataSync()[0]; // 0
 * ```
 */
export function zeroMemories(params: Params): Params {
  for (const name of ["wK1", "wK2", "wO2"] as ParamName[]) {
    const v = need(params, name);
    tf.tidy(() => v.assign(tf.zerosLike(v)));
  }
  return params;
}

// ------------------------------------------------------------------------------------------
// Exercises.

/**
 * Exercise 7.1. The ideal model for N tokens and T positions, laid out by
 * {@linkcode idealLayout} (d = 4N + T): w_E(k), p_t and w_U(j) are standard basis vectors of
 * their own blocks, the frozen W_O^1 W_V^1 maps w_E(k) to e_{w1E + k} and W_V^2 maps w_E(k) to
 * e_{v2E + k} (both are 0 on every other vector), and the three memories W_K^1, W_K^2, W_O^2 start
 * at zero and are trainable. Store W_V^1 as the projection onto the w_E block and W_O^1 as the
 * map from it to the w1E block.
 *
 * @returns The model's configuration (d = 4N + T, T positions, N tokens, no W_F) and its
 *   parameters as `tf.Variable`s (the caller disposes them).
 *
 * @example
 * ```ts
 * import { idealModel } from "@exercises/07_top_down/exercises.ts";
 * const { params } = idealModel(3, 2); // d = 14
 * params.wE!.arraySync()[1]; // e_1: [0, 1, 0, ...]
 * ```
 */
export function idealModel(
  vocabSize: number,
  maxLen: number,
): { config: ModelConfig; params: Params } {
  // BEGIN SOLUTION
  const layout = idealLayout(vocabSize, maxLen);
  const { dim: d, offset } = layout;
  const n = vocabSize;
  const zeros = (rows: number) => Array.from({ length: rows }, () => new Array(d).fill(0));
  const wE = zeros(n);
  const wU = zeros(n);
  const pos = zeros(maxLen);
  const wV1 = zeros(d);
  const wO1 = zeros(d);
  const wV2 = zeros(d);
  for (let k = 0; k < n; k++) {
    wE[k][offset.wE + k] = 1;
    wU[k][offset.wU + k] = 1;
    wV1[offset.wE + k][offset.wE + k] = 1; // projection onto the w_E block
    wO1[offset.w1E + k][offset.wE + k] = 1; // w_E(k) -> e_{w1E + k}
    wV2[offset.v2E + k][offset.wE + k] = 1; // w_E(k) -> e_{v2E + k}
  }
  for (let t = 0; t < maxLen; t++) pos[t][offset.pos + t] = 1;
  const trainable: ParamName[] = ["wK1", "wK2", "wO2"];
  const config: ModelConfig = {
    ...defaultModelConfig,
    dim: d,
    maxLen,
    vocabSize: n,
    finalFfn: false,
    trainable,
  };
  const values: Partial<Record<ParamName, number[][]>> = { wE, pos, wV1, wO1, wV2, wU };
  const params: Params = {};
  for (const name of ["wE", "pos", "wK1", "wV1", "wO1", "wK2", "wV2", "wO2", "wU"] as ParamName[]) {
    params[name] = tf.tidy(() =>
      tf.variable(
        values[name] ? tf.tensor2d(values[name]!) : tf.zeros([d, d]) as tf.Tensor2D,
        trainable.includes(name),
      )
    );
  }
  return { config, params };
  // END SOLUTION
}

/**
 * Exercise 7.2. The population gradient of one matrix: the gradient of the in-context loss
 * (mean cross-entropy over **every** in-context target of `data`), computed `chunkSize`
 * sequences at a time. Sum the per-token losses of each chunk (not their mean), add up the
 * chunks' gradients and in-context counts, and divide once at the end: the result does not
 * depend on the chunking.
 *
 * @param name The matrix to differentiate (the others are held fixed; use
 *   {@linkcode withOnlyTrainable} around the forward pass).
 * @returns `grad`: dL/dW, `[d, d]` (the caller disposes it); `loss`: L; `count`: the number of
 *   in-context targets.
 *
 * @example
 * ```ts
 * import { idealModel, populationGradient, sampleData } from "@exercises/07_top_down/exercises.ts";
 * import { defaultDataConfig, loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * const { config, params } = idealModel(65, 16);
 * const data = sampleData(0, loadStats(), { ...defaultDataConfig, seqLen: 16 }, 16);
 * const { grad } = populationGradient(params, config, data, "wO2", 8);
 * grad.shape; // [276, 276]
 * ```
 */
export function populationGradient(
  params: Params,
  config: ModelConfig,
  data: SequenceData,
  name: ParamName,
  chunkSize: number,
): { grad: tf.Tensor2D; loss: number; count: number } {
  // BEGIN SOLUTION
  const v = need(params, name);
  let sum = tf.zerosLike(v) as tf.Tensor2D;
  let loss = 0;
  let count = 0;
  for (let start = 0; start < data.inputs.length; start += chunkSize) {
    const c = chunkTensors(data, start, Math.min(start + chunkSize, data.inputs.length));
    const { value, grads } = withOnlyTrainable(params, name, () =>
      tf.variableGrads(
        () =>
          tf.tidy(() => {
            const { logits } = forward(params, config, c.inputs);
            return tf.sum(tf.mul(tokenLosses(logits, c.targets), c.mask)) as tf.Scalar;
          }),
        [v],
      ));
    const next = tf.add(sum, grads[v.name]) as tf.Tensor2D;
    loss += value.dataSync()[0];
    count += tf.tidy(() => c.mask.sum().dataSync()[0]);
    tf.dispose([sum, value, grads[v.name], c.inputs, c.targets, c.mask]);
    sum = next;
  }
  const grad = tf.tidy(() => tf.div(sum, Math.max(count, 1)) as tf.Tensor2D);
  sum.dispose();
  return { grad, loss: loss / Math.max(count, 1), count };
  // END SOLUTION
}

/**
 * Exercise 7.3. The copy gradient in closed form. At zero init of the ideal model the logits are
 * 0 (uniform predictions) and layer 2 attends uniformly, so the block of -dL/dW_O^2 that maps
 * W_V^2 w_E(k) to w_U(j) is
 *
 *   G[j][k] = (1 / |M|) Σ_{(b,t) in M} (1[y_{b,t} = j] - 1/N) · share_{b,t}(k),
 *
 * where M is the set of in-context targets, y their targets, and share_{b,t}(k) the fraction of
 * the context z_{b,1} .. z_{b,t} (the t tokens up to and including the current one) equal to k.
 *
 * @returns `[N][N]` (rows j: outputs, columns k: context tokens).
 *
 * @example
 * ```ts
 * import { copyGradient } from "@exercises/07_top_down/exercises.ts";
 * // one in-context target y = 1 after the context [1, 0]: shares 1/2 each
 * copyGradient({ inputs: [[1, 0]], targets: [[0, 1]], mask: [[0, 1]] }, 2);
 * // [[-0.25, -0.25], [0.25, 0.25]]
 * ```
 */
export function copyGradient(data: SequenceData, vocabSize: number): number[][] {
  // BEGIN SOLUTION
  const n = vocabSize;
  const g = Array.from({ length: n }, () => new Array(n).fill(0));
  let count = 0;
  for (let b = 0; b < data.inputs.length; b++) {
    const z = data.inputs[b];
    const counts = new Array(n).fill(0);
    for (let t = 0; t < z.length; t++) {
      counts[z[t]]++;
      if (data.mask[b][t] === 0) continue;
      count++;
      const y = data.targets[b][t];
      for (let j = 0; j < n; j++) {
        const err = (j === y ? 1 : 0) - 1 / n;
        for (let k = 0; k < n; k++) if (counts[k] > 0) g[j][k] += err * counts[k] / (t + 1);
      }
    }
  }
  return g.map((row) => row.map((x) => x / Math.max(count, 1)));
  // END SOLUTION
}

/**
 * Exercise 7.4. One step on matrix `name` along `-grad`, with its size chosen on held-out data:
 * for each η of `grid` (ascending, 0 included), W = W0 - η · grad / ‖grad‖_F, evaluated with
 * {@linkcode evaluate} on `heldOut`; keep the η with the lowest held-out loss (the smallest η on a
 * tie), and leave W at that value. A zero gradient leaves W unchanged.
 *
 * @returns The chosen η, the held-out loss at each η of the grid, and the chosen loss.
 *
 * @example
 * ```ts
 * import { chooseStep, idealModel, populationGradient, sampleData } from "@exercises/07_top_down/exercises.ts";
 * import { defaultDataConfig, loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * const { config, params } = idealModel(65, 16);
 * const cfg = { ...defaultDataConfig, seqLen: 16 };
 * const { grad } = populationGradient(params, config, sampleData(0, loadStats(), cfg, 16), "wO2", 16);
 * chooseStep(params, config, "wO2", grad, sampleData(1, loadStats(), cfg, 16), [0, 1, 10], 16).eta;
 * ```
 */
export function chooseStep(
  params: Params,
  config: ModelConfig,
  name: ParamName,
  grad: tf.Tensor2D,
  heldOut: SequenceData,
  grid: number[],
  chunkSize: number,
): { eta: number; losses: number[]; loss: number } {
  // BEGIN SOLUTION
  const v = need(params, name);
  const start = v.clone();
  const norm = tf.tidy(() => tf.norm(grad).dataSync()[0]);
  const direction = tf.tidy(() => norm > 0 ? tf.div(grad, norm) : tf.zerosLike(grad));
  const losses: number[] = [];
  let best = 0;
  for (let i = 0; i < grid.length; i++) {
    if (norm === 0 && i > 0) {
      losses.push(losses[0]); // W does not move: the same loss at every η
      continue;
    }
    tf.tidy(() => v.assign(tf.sub(start, tf.mul(direction, grid[i]))));
    losses.push(evaluate(params, config, heldOut, chunkSize).loss);
    if (losses[i] < losses[best]) best = i;
  }
  tf.tidy(() => v.assign(tf.sub(start, tf.mul(direction, grid[best]))));
  tf.dispose([start, direction]);
  return { eta: grid[best], losses, loss: losses[best] };
  // END SOLUTION
}

/** What {@linkcode topDownSteps} needs besides the model. */
export interface StepsOptions {
  /** The sequences whose population gradient each step follows. */
  train: SequenceData;
  /** Held-out sequences: the step sizes are chosen on them, and the metrics measured. */
  heldOut: SequenceData;
  /** The step sizes to try (ascending, starting with 0). */
  grid: number[];
  /** Sequences per chunk of the gradient and of the evaluation. */
  chunkSize: number;
  /** The fixed triggers for the W_K^2 probe, or null for all tokens. */
  triggers: number[] | null;
}

/** The model after one step (or before any, with `name` null). */
export interface StepRecord {
  /** The matrix that took this step (null: the starting point). */
  name: ParamName | null;
  /** The chosen step size (0 for the starting point). */
  eta: number;
  /** ‖dL/dW‖_F of the step's population gradient. */
  gradNorm: number;
  /** The held-out in-context loss after the step. */
  loss: number;
  /** The held-out in-context accuracy after the step. */
  acc: number;
  /** The memory-recall probes of the library (`memoryProbes`) after the step. */
  probes: MemoryProbes;
}

/**
 * Exercise 7.5. Takes one step per matrix of `order`, in that order: the population gradient of
 * the matrix on `options.train` (Exercise 7.2), then the step chosen on `options.heldOut`
 * (Exercise 7.4). Returns the starting point and the model after each step: held-out loss and
 * accuracy ({@linkcode evaluate}) and the library's `memoryProbes(params, config, triggers)`.
 *
 * @example
 * ```ts
 * import { idealModel, sampleData, topDownSteps } from "@exercises/07_top_down/exercises.ts";
 * import { defaultDataConfig, loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * const { config, params } = idealModel(65, 16);
 * const cfg = { ...defaultDataConfig, seqLen: 16 };
 * const records = topDownSteps(params, config, ["wO2", "wK2", "wK1"], {
 *   train: sampleData(0, loadStats(), cfg, 32),
 *   heldOut: sampleData(1, loadStats(), cfg, 32),
 *   grid: [0, 1, 10, 100],
 *   chunkSize: 32,
 *   triggers: [1, 43, 58, 53, 39],
 * });
 * records.length; // 4
 * ```
 */
export function topDownSteps(
  params: Params,
  config: ModelConfig,
  order: ParamName[],
  options: StepsOptions,
): StepRecord[] {
  // BEGIN SOLUTION
  const { train, heldOut, grid, chunkSize, triggers } = options;
  const measure = (name: ParamName | null, eta: number, gradNorm: number): StepRecord => {
    const { loss, acc } = evaluate(params, config, heldOut, chunkSize);
    return { name, eta, gradNorm, loss, acc, probes: memoryProbes(params, config, triggers) };
  };
  const records = [measure(null, 0, 0)];
  for (const name of order) {
    const { grad } = populationGradient(params, config, train, name, chunkSize);
    const gradNorm = tf.tidy(() => tf.norm(grad).dataSync()[0]);
    const { eta } = chooseStep(params, config, name, grad, heldOut, grid, chunkSize);
    grad.dispose();
    records.push(measure(name, eta, gradNorm));
  }
  return records;
  // END SOLUTION
}

/**
 * Exercise 7.6. Reads a W_O^2 gradient through the model's embeddings, for any model (ideal or
 * random): entry [j][k] is w_U(j)^T (-G) W_V^2 w_E(k), how much the step -G raises the logit of
 * token j when token k is in the attended context. In the ideal model this is exactly the
 * closed form of Exercise 7.3; with random embeddings it is that signal plus cross-talk.
 *
 * @param grad dL/dW_O^2, `[d, d]`.
 * @returns `[N, N]` (rows j, columns k); the caller disposes it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { copyReadout, idealModel } from "@exercises/07_top_down/exercises.ts";
 * const { params } = idealModel(3, 2);
 * copyReadout(params, tf.zeros([14, 14])).shape; // [3, 3]
 * ```
 */
export function copyReadout(params: Params, grad: tf.Tensor2D): tf.Tensor2D {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const v = tf.matMul(need(params, "wE"), need(params, "wV2"), false, true); // rows (W_V2 w_E(k))^T
    const out = tf.matMul(v, tf.neg(grad), false, true); // rows (-G W_V2 w_E(k))^T: [N (k), d]
    return tf.matMul(need(params, "wU"), out, false, true) as tf.Tensor2D; // [N (j), N (k)]
  });
  // END SOLUTION
}
