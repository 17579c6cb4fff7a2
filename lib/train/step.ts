/**
 * A lesson-5 training step around any forward pass: the masked cross-entropy it is given
 * (lesson 5's Exercise 5.1), gradients of the trainable matrices only, the optimizer's update.
 * The benchmark's climb (one forward pass per stage) and lesson 6 (a forward pass with a custom
 * attention kernel) both train through it, so that only the forward pass differs between the
 * runs they compare.
 *
 * @example
 * ```ts
 * import { forwardReference } from "@lib/model/mod.ts";
 * import { stepWithForward } from "@lib/train/step.ts";
 * import type { MaskedLoss } from "@lib/train/parts.ts";
 * declare const maskedCrossEntropy: MaskedLoss; // lesson 5's, passed in by the tool
 * const step = stepWithForward((p, c, ids) => forwardReference(p, c, ids).logits, maskedCrossEntropy);
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ModelConfig, need, type ParamName, type Params } from "@lib/model/mod.ts";
import type { MaskedLoss, TrainingStep } from "./parts.ts";

export type { TrainingStep };

/** A forward pass that returns logits `[batch, seq, N]` for inputs `[batch, seq]`. */
export type ForwardFn = (params: Params, config: ModelConfig, inputs: tf.Tensor2D) => tf.Tensor3D;

/**
 * The training step of lesson 5 with `forwardFn` in place of lib/model's `forward` and `loss`
 * (lesson 5's `maskedCrossEntropy`, passed in by the caller).
 *
 * @example
 * ```ts
 * import { forwardReference } from "@lib/model/mod.ts";
 * import { stepWithForward } from "@lib/train/step.ts";
 * import type { MaskedLoss } from "@lib/train/parts.ts";
 * declare const maskedCrossEntropy: MaskedLoss; // lesson 5's, passed in by the tool
 * const step = stepWithForward((p, c, ids) => forwardReference(p, c, ids).logits, maskedCrossEntropy);
 * // step(params, config, batch, { trainable, optimizer, loss }) returns the loss before the update
 * ```
 */
export function stepWithForward(forwardFn: ForwardFn, loss: MaskedLoss): TrainingStep {
  return (params, config, batch, options) => {
    const vars = options.trainable.map((name) => need(params, name));
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const logits = forwardFn(params, config, batch.inputs); // [batch, seq, N]
        const mask = options.loss === "all"
          ? tf.onesLike(batch.inContextMask)
          : batch.inContextMask;
        return loss(logits, batch.targets, mask);
      }), vars);
    const byName: Partial<Record<ParamName, tf.Tensor>> = {};
    options.trainable.forEach((name, i) => byName[name] = grads[vars[i].name]);
    options.optimizer.update(params, byName);
    tf.dispose(grads);
    return value;
  };
}
