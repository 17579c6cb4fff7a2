/**
 * The two optimizers of the paper's code: SGD with momentum and L2 weight decay (the simplified
 * model's trainer, `torch.optim.SGD`) and AdamW (the full model's trainer, `torch.optim.AdamW`).
 * The learning rate is constant. Both keep their state (momentum buffers, Adam moments) in
 * `tf.Variable`s created up front, so a run allocates no new state tensors after its first step,
 * and expose that state for checkpoints.
 *
 * The SGD update itself is lesson 5's Exercise 5.2 (`sgdMomentumUpdate`): the tool that builds
 * the optimizer passes it in (the reference's or the learner's), so that the course has one copy
 * of it and lib never imports an exercise.
 *
 * @example
 * ```ts
 * import { makeOptimizer } from "@lib/train/optimizer.ts";
 * import { initParams, defaultModelConfig } from "@lib/model/mod.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * declare const sgdMomentumUpdate: TrainingLesson["sgdMomentumUpdate"]; // lesson 5's
 * const params = initParams({ ...defaultModelConfig, dim: 16, maxLen: 8 });
 * const sgd = { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 } as const;
 * const opt = makeOptimizer(sgd, params, ["wO2"], sgdMomentumUpdate);
 * // opt.update(params, { wO2: gradient });
 * opt.dispose();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ParamName, Params } from "@lib/model/mod.ts";
import type { OptimizerConfig } from "./config.ts";

/** The SGD hyperparameters (PyTorch's `torch.optim.SGD` with momentum, no dampening). */
export interface SgdOptions {
  /** Learning rate eta. */
  lr: number;
  /** Momentum mu (the paper: 0.9). */
  momentum: number;
  /** L2 weight decay lambda, added to the gradient (the paper: 1e-4). */
  weightDecay: number;
}

/** Applies gradients to parameters and owns the state this needs. */
export interface Optimizer {
  /** Updates each parameter named in `grads` in place (`grads` are not disposed). */
  update(params: Params, grads: Partial<Record<ParamName, tf.Tensor>>): void;
  /** The state tensors by name (e.g. `wK1.velocity`), for checkpoints. */
  slots(): Record<string, tf.Variable>;
  /** Per-parameter counters (AdamW's step counts), for checkpoints. */
  counters(): Record<string, number>;
  /** Restores counters saved by {@linkcode Optimizer.counters}. */
  setCounters(counters: Record<string, number>): void;
  /** Frees the state tensors. */
  dispose(): void;
}

/** The SGD update function's signature (Exercise 5.2), so that a learner's can be passed in. */
export type SgdUpdate = (
  param: tf.Variable,
  grad: tf.Tensor,
  velocity: tf.Variable,
  options: SgdOptions,
) => void;

/**
 * Creates the optimizer of `config` with state for the parameters in `names`.
 *
 * @param sgdUpdate The SGD step (lesson 5's Exercise 5.2); needed by `kind: "sgd"` only.
 *
 * @example
 * ```ts
 * import { makeOptimizer } from "@lib/train/optimizer.ts";
 * import { initParams, defaultModelConfig } from "@lib/model/mod.ts";
 * const params = initParams({ ...defaultModelConfig, dim: 16, maxLen: 8 });
 * const adam = makeOptimizer({ kind: "adamw", lr: 1e-3, momentum: 0, weightDecay: 0.01 }, params, ["wK1"]);
 * Object.keys(adam.slots()); // ["wK1.m", "wK1.v"]
 * ```
 */
export function makeOptimizer(
  config: OptimizerConfig,
  params: Params,
  names: ParamName[],
  sgdUpdate?: SgdUpdate,
): Optimizer {
  const zerosLike = (name: ParamName, slot: string): [string, tf.Variable] => {
    const p = params[name];
    if (!p) throw new Error(`cannot optimise "${name}": the model has no such matrix`);
    // tidy frees the zeros once the variable holds its own reference to them.
    return [`${name}.${slot}`, tf.tidy(() => tf.variable(tf.zerosLike(p), false))];
  };
  if (config.kind === "sgd") {
    if (!sgdUpdate) {
      throw new Error("the sgd optimizer needs lesson 5's sgdMomentumUpdate (Exercise 5.2)");
    }
    return new Sgd(
      config,
      Object.fromEntries(names.map((n) => zerosLike(n, "velocity"))),
      sgdUpdate,
    );
  }
  if (config.kind === "adamw") {
    const slots = names.flatMap((n) => [zerosLike(n, "m"), zerosLike(n, "v")]);
    return new AdamW(config, Object.fromEntries(slots));
  }
  throw new Error(
    `unknown optimizer kind "${(config as { kind: string }).kind}": use sgd or adamw`,
  );
}

class Sgd implements Optimizer {
  #slots: Record<string, tf.Variable>;
  #options: SgdOptions;
  #update: SgdUpdate;

  constructor(config: OptimizerConfig, slots: Record<string, tf.Variable>, update: SgdUpdate) {
    this.#slots = slots;
    this.#options = { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay };
    this.#update = update;
  }

  update(params: Params, grads: Partial<Record<ParamName, tf.Tensor>>): void {
    for (const [name, grad] of Object.entries(grads) as [ParamName, tf.Tensor][]) {
      const velocity = this.#slots[`${name}.velocity`];
      if (!velocity) throw new Error(`the optimizer has no state for "${name}"`);
      if (!grad) throw new Error(noGradient(name));
      this.#update(params[name]!, grad, velocity, this.#options);
    }
  }

  slots(): Record<string, tf.Variable> {
    return { ...this.#slots };
  }

  counters(): Record<string, number> {
    return {};
  }

  setCounters(): void {}

  dispose(): void {
    tf.dispose(Object.values(this.#slots));
  }
}

/**
 * AdamW as in PyTorch: W *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * W -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with t counted per parameter
 * (a frozen parameter's clock does not run).
 */
class AdamW implements Optimizer {
  #slots: Record<string, tf.Variable>;
  #config: OptimizerConfig;
  #steps: Record<string, number> = {};

  constructor(config: OptimizerConfig, slots: Record<string, tf.Variable>) {
    this.#config = config;
    this.#slots = slots;
  }

  update(params: Params, grads: Partial<Record<ParamName, tf.Tensor>>): void {
    const { lr, weightDecay } = this.#config;
    const [b1, b2] = this.#config.betas ?? [0.9, 0.99];
    const eps = this.#config.eps ?? 1e-8;
    for (const [name, g] of Object.entries(grads) as [ParamName, tf.Tensor][]) {
      const m = this.#slots[`${name}.m`];
      const v = this.#slots[`${name}.v`];
      if (!m || !v) throw new Error(`the optimizer has no state for "${name}"`);
      if (!g) throw new Error(noGradient(name));
      const t = (this.#steps[name] ?? 0) + 1;
      this.#steps[name] = t;
      const p = params[name]!;
      tf.tidy(() => {
        const mNew = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(mNew);
        v.assign(vNew);
        const denom = tf.add(tf.sqrt(tf.div(vNew, 1 - b2 ** t)), eps);
        const stepDir = tf.div(tf.div(mNew, 1 - b1 ** t), denom);
        p.assign(tf.sub(tf.mul(p, 1 - lr * weightDecay), tf.mul(stepDir, lr)));
      });
    }
  }

  slots(): Record<string, tf.Variable> {
    return { ...this.#slots };
  }

  counters(): Record<string, number> {
    return { ...this.#steps };
  }

  setCounters(counters: Record<string, number>): void {
    this.#steps = { ...counters };
  }

  dispose(): void {
    tf.dispose(Object.values(this.#slots));
  }
}

function noGradient(name: string): string {
  return `no gradient for "${name}": was it in the variable list of tf.variableGrads, with its ` +
    `variable's trainable flag set?`;
}
