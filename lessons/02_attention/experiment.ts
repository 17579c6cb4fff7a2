/**
 * Lesson 2's experiment, shared by the terminal demo (`demo.ts`) and the site's island
 * (`site/islands/attention_demo.tsx`): the hand-built previous-token head
 * W_K = a Σ_t p_t p_{t-1}^T over random positions p_t, applied to x_t = p_t or, with tokens,
 * x_t = w_E(z_t) + p_t for a sequence of the lesson-1 generator; its attention map and its
 * sharpness, and the sharpness as d and T vary. It runs the exercises imported through
 * `@exercises/` (the learner's code or the reference). The caller starts the backend.
 *
 * @example
 * ```ts
 * import { previousTokenHead } from "./experiment.ts";
 * const out = previousTokenHead({ seed: 0, dim: 64, seqLen: 32, scale: 1, tokens: false, unit: false });
 * out.weights.length; // 32 * 32
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  defaultDataConfig,
  loadStats,
  sampleSequence,
} from "@exercises/01_bigram_data/exercises.ts";
import {
  attention,
  previousTokenKey,
  previousTokenSharpness,
  randomPositions,
  type Sharpness,
} from "@exercises/02_attention/exercises.ts";
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };
import { Rng } from "@lib/rng/mod.ts";

/** The experiment's settings. */
export interface HeadSettings {
  /** The seed of the positions, the embeddings and the sequence. */
  seed: number;
  /** d, the width. */
  dim: number;
  /** T, the number of positions. */
  seqLen: number;
  /** a, the scale of W_K (the softmax's inverse temperature); 1 in the lesson. */
  scale: number;
  /** Add token embeddings w_E(z_t) of a lesson-1 sequence to the positions. */
  tokens: boolean;
  /** Entries N(0, 1/d) (unit-norm embeddings) instead of the authors' N(0, 1). */
  unit: boolean;
}

/** What {@linkcode previousTokenHead} returns. */
export interface HeadResult extends Sharpness {
  /** β, row-major `[T, T]`: row t = query, column s = key. */
  weights: Float32Array;
  /** The sequence's token ids (with `tokens`), else empty. */
  tokens: number[];
  /** The characters, in id order. */
  vocab: string;
}

const VOCAB = counts.vocab.length;

/**
 * Builds the head and returns its attention map on one sequence. The draws come in a fixed
 * order (positions, token embeddings, then the sequence, only when tokens are added), so that a
 * positions-only run needs nothing of lesson 1.
 *
 * @example
 * ```ts
 * import { previousTokenHead } from "./experiment.ts";
 * previousTokenHead({ seed: 1, dim: 128, seqLen: 16, scale: 1, tokens: false, unit: false }).accuracy; // 1
 * ```
 */
export function previousTokenHead(s: HeadSettings): HeadResult {
  const rng = new Rng(s.seed);
  const std = s.unit ? 1 / Math.sqrt(s.dim) : 1;
  const pos = randomPositions(rng, s.seqLen, s.dim, std); // p_t: [T, d]
  const wE = tf.tensor2d(rng.normals(VOCAB * s.dim, std), [VOCAB, s.dim]); // w_E: [N, d]
  let tokens: number[] = [];
  if (s.tokens) {
    tokens = sampleSequence(rng, loadStats(), { ...defaultDataConfig, seqLen: s.seqLen }).tokens
      .slice(0, s.seqLen);
  }
  const weights = tf.tidy(() => {
    const x = s.tokens // x_t: [T, d]
      ? tf.add(tf.gather(wE, tf.tensor1d(tokens, "int32")), pos) as tf.Tensor2D
      : pos;
    const wK = tf.mul(previousTokenKey(pos), s.scale) as tf.Tensor2D; // a Σ p_t p_{t-1}^T
    const eye = tf.eye(s.dim) as tf.Tensor2D;
    const out = attention(x.expandDims(0) as tf.Tensor3D, wK, eye, eye);
    return out.weights; // [1, T, T]
  });
  try {
    const sharp = previousTokenSharpness(weights);
    return { ...sharp, weights: weights.dataSync() as Float32Array, tokens, vocab: counts.vocab };
  } finally {
    tf.dispose([pos, wE, weights]);
  }
}

/** One cell of {@linkcode sharpnessGrid}: the means over the draws. */
export interface SharpnessCell extends Sharpness {
  /** d. */
  dim: number;
  /** T. */
  seqLen: number;
}

/**
 * The head's sharpness for every d and T, each the mean of `draws` heads (seeded from `seed`,
 * d, T and the draw), with a = 1.
 *
 * @example
 * ```ts
 * import { sharpnessGrid } from "./experiment.ts";
 * sharpnessGrid({ seed: 42, dims: [8], lens: [16], draws: 1, tokens: false, unit: false }).length; // 1
 * ```
 */
export function sharpnessGrid(o: {
  seed: number;
  dims: number[];
  lens: number[];
  draws: number;
  tokens: boolean;
  unit: boolean;
}): SharpnessCell[] {
  const cells: SharpnessCell[] = [];
  for (const seqLen of o.lens) {
    for (const dim of o.dims) {
      let meanWeight = 0;
      let accuracy = 0;
      for (let k = 0; k < o.draws; k++) {
        const seed = o.seed * 7919 + 1000 * dim + 10 * seqLen + k;
        const r = previousTokenHead({ ...o, seed, dim, seqLen, scale: 1 });
        meanWeight += r.meanWeight / o.draws;
        accuracy += r.accuracy / o.draws;
      }
      cells.push({ dim, seqLen, meanWeight, accuracy });
    }
  }
  return cells;
}
