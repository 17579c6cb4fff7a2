/**
 * Lesson 2's demo engine, loaded when the demo starts: the previous-token head built by the
 * lesson's reference code, W_K = a Σ_t p_t p_{t-1}^T over random positions p_t ~ N(0, I), applied
 * to x_t = p_t (or p_t + w_E(z_t) with random tokens), and its attention map and sharpness.
 *
 * @example
 * ```ts
 * const { previousTokenDemo } = await import("./attention.ts");
 * const out = await previousTokenDemo({ dim: 64, seqLen: 32, seed: 0, scale: 1, tokens: false });
 * out.weights.length; // 32 * 32
 * ```
 * @module
 */
import { Rng } from "@lib/rng/mod.ts";
import {
  attention,
  previousTokenKey,
  previousTokenSharpness,
  randomPositions,
  type Sharpness,
} from "../../solutions/02_attention/exercises.ts";
import { startBackend, tf } from "./tf.ts";

/** The demo's settings. */
export interface AttentionSettings {
  /** d, the width. */
  dim: number;
  /** T, the number of positions. */
  seqLen: number;
  /** The seed of the embeddings. */
  seed: number;
  /** a, the scale of W_K (the softmax's inverse temperature). */
  scale: number;
  /** Add random token embeddings w_E(z_t) (65 tokens, N(0, I)) to the positions. */
  tokens: boolean;
}

/** What the demo shows. */
export interface AttentionOutput extends Sharpness {
  /** β, row-major `[T, T]`: row t = query, column s = key. */
  weights: Float32Array;
  /** The backend used. */
  backend: string;
}

let backend: string | undefined;

/**
 * Builds the head and returns its attention map for one sequence.
 *
 * @example
 * ```ts
 * const { previousTokenDemo } = await import("./attention.ts");
 * const out = await previousTokenDemo({ dim: 64, seqLen: 32, seed: 0, scale: 1, tokens: false });
 * out.weights.length; // 32 * 32
 * ```
 */
export async function previousTokenDemo(s: AttentionSettings): Promise<AttentionOutput> {
  backend ??= (await startBackend("wasm")).name;
  const rng = new Rng(s.seed);
  const weights = tf.tidy(() => {
    const pos = randomPositions(rng, s.seqLen, s.dim); // p_t: [T, d]
    let x: tf.Tensor2D = pos;
    if (s.tokens) {
      const embed = randomPositions(rng.fork(1), 65, s.dim); // w_E: [N, d]
      const ids = Array.from({ length: s.seqLen }, () => rng.int(65));
      x = tf.add(pos, tf.gather(embed, ids)) as tf.Tensor2D; // x_t = p_t + w_E(z_t)
    }
    const wK = tf.mul(previousTokenKey(pos), s.scale) as tf.Tensor2D; // a Σ p_t p_{t-1}^T
    const eye = tf.eye(s.dim) as tf.Tensor2D;
    return attention(x.expandDims(0) as tf.Tensor3D, wK, eye, eye).weights; // [1, T, T]
  });
  const sharp = previousTokenSharpness(weights);
  const values = (await weights.data()) as Float32Array;
  weights.dispose();
  return { weights: values, ...sharp, backend };
}
