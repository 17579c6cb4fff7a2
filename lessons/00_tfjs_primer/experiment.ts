/**
 * Lesson 0's experiment, shared by the terminal demo (`demo.ts`) and the site's island
 * (`site/islands/primer_demo.tsx`): three small runs of the primer's exercises, imported
 * through `@exercises/` (the learner's code or the reference). {@linkcode leakCounts} counts
 * what a leaky function and its `tf.tidy` version leave behind, {@linkcode fitLinear} fits a
 * linear map by gradient descent with `sgdStep`, and {@linkcode timeBackends} runs one matrix
 * product on each backend with `onBackend`. The caller starts the backend; no tensor leaves.
 *
 * @example
 * ```ts
 * import { fitLinear } from "./experiment.ts";
 * const fit = fitLinear({ seed: 0, steps: 20, lr: 0.3, samples: 64 });
 * fit.losses.length; // 20
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  applyToRows,
  onBackend,
  sgdStep,
  tensorsLeftBy,
} from "@exercises/00_tfjs_primer/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";

/** What {@linkcode leakCounts} returns: tensors alive after each call. */
export interface LeakCounts {
  /** Tensors left by call i of `x.add(1).mul(2).sub(3).div(4)` (3 each), cumulated. */
  leaky: number[];
  /** The same for `tf.tidy(() => ...)` of it (0 each). */
  tidy: number[];
}

/**
 * Calls a leaky function and its tidy version `calls` times each and counts, with
 * `tensorsLeftBy`, the tensors left alive so far. The leaked tensors are freed at the end.
 *
 * @example
 * ```ts
 * import { leakCounts } from "./experiment.ts";
 * leakCounts(3); // { leaky: [3, 6, 9], tidy: [0, 0, 0] }
 * ```
 */
export function leakCounts(calls: number): LeakCounts {
  const x = tf.ones([4]);
  const made: tf.Tensor[] = []; // what the leaky version leaves, to free it afterwards
  const leaky = (): tf.Tensor => {
    const a = x.add(1);
    const b = a.mul(2);
    const c = b.sub(3);
    made.push(a, b, c);
    return c.div(4);
  };
  const tidy = () => tf.tidy(() => x.add(1).mul(2).sub(3).div(4));
  const out: LeakCounts = { leaky: [], tidy: [] };
  try {
    let left = 0;
    for (let i = 0; i < calls; i++) out.leaky.push(left += tensorsLeftBy(leaky));
    left = 0;
    for (let i = 0; i < calls; i++) out.tidy.push(left += tensorsLeftBy(tidy));
  } finally {
    tf.dispose([x, ...made]);
  }
  return out;
}

/** Settings of {@linkcode fitLinear}. */
export interface FitSettings {
  /** The seed of the true map and of the inputs. */
  seed: number;
  /** Gradient steps. */
  steps: number;
  /** The learning rate. */
  lr: number;
  /** The number of pairs (x_i, W* x_i). */
  samples: number;
}

/** What {@linkcode fitLinear} returns. */
export interface FitResult {
  /** The mean squared error before each step. */
  losses: number[];
  /** `tf.memory().numTensors` after each step: flat when nothing leaks. */
  tensors: number[];
  /** The largest |W - W*| entry after the last step. */
  maxError: number;
  /** W*, the map the fit looks for, row-major `[3, 4]`. */
  truth: number[];
  /** The fitted W, row-major `[3, 4]`. */
  fitted: number[];
}

/** The fitted map's shape: W maps R^4 to R^3. */
const OUT = 3;
const IN = 4;

/**
 * Fits W (`[3, 4]`, from 0) to pairs (x_i, W* x_i) with N(0, 1) entries by gradient descent on
 * the mean squared error, with `applyToRows` for the model and `sgdStep` for each step.
 *
 * @example
 * ```ts
 * import { fitLinear } from "./experiment.ts";
 * fitLinear({ seed: 1, steps: 100, lr: 0.3, samples: 64 }).maxError; // about 1e-4 or less
 * ```
 */
export function fitLinear(s: FitSettings): FitResult {
  const rng = new Rng(s.seed);
  const truthData = rng.normals(OUT * IN, 1);
  const truth = tf.tensor2d(truthData, [OUT, IN]); // W*: [out, in]
  const x = tf.tensor2d(rng.normals(s.samples * IN, 1), [s.samples, IN]); // [samples, in]
  const y = applyToRows(x, truth); // [samples, out]
  const w = tf.variable(tf.zeros([OUT, IN])) as tf.Variable<tf.Rank.R2>;
  const loss = () => tf.mean(tf.square(tf.sub(applyToRows(x, w), y))) as tf.Scalar;
  try {
    const losses: number[] = [];
    const tensors: number[] = [];
    for (let i = 0; i < s.steps; i++) {
      losses.push(sgdStep([w], loss, s.lr));
      tensors.push(tf.memory().numTensors);
    }
    const fitted = Array.from(w.dataSync());
    const maxError = Math.max(...fitted.map((v, i) => Math.abs(v - truthData[i])));
    return { losses, tensors, maxError, truth: Array.from(truthData), fitted };
  } finally {
    tf.dispose([truth, x, y, w]);
  }
}

/** One backend's run of {@linkcode timeBackends}. */
export interface BackendTiming {
  /** The backend's name. */
  backend: string;
  /** The time of one product, in milliseconds; NaN when it did not run. */
  ms: number;
  /** 2 n³ / time, in GFLOP/s. */
  gflops: number;
  /** The largest difference from the first backend's result (float32 rounding). */
  maxDiff: number;
  /** Why the backend did not run, when it did not. */
  error?: string;
}

/**
 * Times a `[n, n] @ [n, n]` product on each backend with `onBackend`: after a warm-up call, one
 * call runs `repeats` products and reads the last one back; the time per product is that call's
 * time over `repeats`. The result is compared with the first backend's. Wall-clock times: they
 * depend on the machine and on its load.
 *
 * @example
 * ```ts
 * import { timeBackends } from "./experiment.ts";
 * const [cpu] = await timeBackends({ size: 64, repeats: 2, backends: ["cpu"] });
 * cpu.backend; // "cpu"
 * ```
 */
export async function timeBackends(o: {
  size: number;
  repeats: number;
  backends: string[];
}): Promise<BackendTiming[]> {
  const n = o.size;
  const rng = new Rng(7);
  const a = rng.normals(n * n, 1);
  const b = rng.normals(n * n, 1);
  // `repeats` products, each freed but the last (the inputs are made on the backend in use).
  const products = (repeats: number) => () =>
    tf.tidy(() => {
      const [ta, tb] = [tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])];
      let c = tf.matMul(ta, tb);
      for (let i = 1; i < repeats; i++) {
        c.dispose();
        c = tf.matMul(ta, tb);
      }
      return c;
    });
  const out: BackendTiming[] = [];
  let first: number[] | undefined;
  for (const backend of o.backends) {
    try {
      await onBackend(backend, products(1)); // warm-up: the backend's first kernels compile
      const started = performance.now();
      const { values } = await onBackend(backend, products(o.repeats));
      const ms = (performance.now() - started) / o.repeats;
      first ??= values;
      const maxDiff = Math.max(...values.map((v, i) => Math.abs(v - first![i])));
      out.push({ backend, ms, gflops: (2 * n ** 3) / (ms * 1e6), maxDiff });
    } catch (error) {
      if ((error as Error).name === "NotImplementedError") throw error;
      const message = (error as Error).message.split("\n")[0];
      out.push({ backend, ms: NaN, gflops: NaN, maxDiff: NaN, error: message });
    }
  }
  return out;
}

/**
 * The backends this TensorFlow.js has registered (loaded), in the order cpu, wasm, webgl,
 * webgpu.
 *
 * @example
 * ```ts
 * import { registeredBackends } from "./experiment.ts";
 * registeredBackends().includes("cpu"); // true
 * ```
 */
export function registeredBackends(): string[] {
  const known = Object.keys(tf.engine().registryFactory);
  return ["cpu", "wasm", "webgl", "webgpu"].filter((name) => known.includes(name));
}
