/**
 * The final feed-forward layer F of the simplified model (h3 = h2 + F(h2)), in one place for the
 * reference forward pass and the W_F probe (paper_spec §2.1; `FeedForward` in the authors'
 * `ihead_basic_model.py`):
 *
 * - `finalFfn: true`: the linear F(h) = W_F h (`linear_final_ffn=True`, the authors' default);
 * - `finalFfn: "relu"`: F(h) = W_F2 relu(W_F1 h), d -> 4d -> d, no biases (`linear_final_ffn=False`).
 *
 * The fast path (lib/model/forward.ts) computes the same F with its saved values and a
 * hand-written backward pass, tested equal to this one.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, finalLayer, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 8, finalFfn: "relu" as const };
 * finalLayer(initParams(config), config, tf.ones([3, 16])).shape; // [3, 16]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.ts";
import { need, type Params } from "./params.ts";

/**
 * F(h) for every row h of `x` (`[..., d]` -> `[..., d]`), without the residual: W_F h, or
 * W_F2 relu(W_F1 h). Throws when the configuration has no final layer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, finalLayer, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 8, maxLen: 4, finalFfn: true };
 * const params = initParams(config);
 * params.wF!.assign(tf.eye(8));
 * finalLayer(params, config, tf.ones([2, 3, 8])).sum().dataSync()[0]; // 48: W_F = I
 * ```
 */
export function finalLayer(params: Params, config: ModelConfig, x: tf.Tensor): tf.Tensor {
  if (!config.finalFfn) throw new Error("finalLayer: the config has no final layer (finalFfn)");
  return tf.tidy(() => {
    const shape = x.shape;
    const rows = x.reshape([-1, shape[shape.length - 1]]) as tf.Tensor2D; // [rows, d]
    const out = config.finalFfn === "relu"
      ? tf.matMul(
        tf.relu(tf.matMul(rows, need(params, "wF1"), false, true)),
        need(params, "wF2"),
        false,
        true,
      ) // [rows, 4d] -> [rows, d]
      : tf.matMul(rows, need(params, "wF"), false, true); // [rows, d]
    return out.reshape(shape);
  });
}
