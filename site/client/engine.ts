/**
 * The demos' engine, bundled once per code source (see `glue/bundle.ts`'s `EngineBundles`):
 * TensorFlow.js with its backend chooser, and each lesson's experiment module
 * (`lessons/NN_slug/experiment.ts`, the same one `deno task demo N` prints), whose
 * `@exercises/` imports resolve to the learner's `lessons/` or to the reference `solutions/`.
 * Each experiment is its own chunk, fetched when its demo starts.
 *
 * @example
 * ```ts
 * import { experiments, startBackend } from "./engine.ts";
 * await startBackend("wasm");
 * const { sampleBigram } = await experiments["01_bigram_data"]();
 * ```
 * @module
 */
export { type BackendChoice, type BackendInfo, startBackend, tf } from "./tf.ts";
import { workerTraining } from "./live_workers.ts";

/** Each lesson's experiment module, by lesson slug, loaded on first use. */
export const experiments = {
  "00_tfjs_primer": () => import("../../lessons/00_tfjs_primer/experiment.ts"),
  "01_bigram_data": () => import("../../lessons/01_bigram_data/experiment.ts"),
  "02_attention": () => import("../../lessons/02_attention/experiment.ts"),
  "03_associative_memory": () => import("../../lessons/03_associative_memory/experiment.ts"),
  "04_induction_transformer": () => import("../../lessons/04_induction_transformer/experiment.ts"),
  "05_training": () => import("../../lessons/05_training/experiment.ts"),
  "06_webgpu": () => import("../../lessons/06_webgpu/experiment.ts"),
  "07_top_down": () => import("./top_down.ts"),
  "08_data_distribution": () => import("../../lessons/08_data_distribution/experiment.ts"),
  "09_beyond_simplified": () => import("../../lessons/09_beyond_simplified/experiment.ts"),
};

/** A lesson that has an experiment module. */
export type ExperimentName = keyof typeof experiments;

/** The experiment module of lesson `N`. */
export type Experiment<N extends ExperimentName> = Awaited<ReturnType<(typeof experiments)[N]>>;

export {
  canTrainInWorkers,
  serveShardWorker,
  serveTrainingWorker,
  whyNoWorkers,
} from "./live_workers.ts";
export type { CpuBackend, WorkerTraining } from "./live_workers.ts";

/**
 * Lesson 5's run `preset` trained in Web Workers (see `live_workers.ts`) on a CPU backend
 * (`wasm` by default), with this engine (the same code source) in each Worker: lesson 5's demo
 * and lesson 6's, when its backend is a CPU one.
 *
 * @example
 * ```ts
 * import { canTrainInWorkers, startWorkerTraining } from "./engine.ts";
 * if (canTrainInWorkers()) (await startWorkerTraining("tiny", { workers: 2 })).dispose();
 * ```
 */
export function startWorkerTraining(
  preset: import("../../lessons/05_training/experiment.ts").PresetChoice,
  options: {
    workers?: number;
    backend?: import("./live_workers.ts").CpuBackend;
    onNote?: (text: string) => void;
  } = {},
): Promise<import("./live_workers.ts").WorkerTraining> {
  return workerTraining(import.meta.url, preset, options);
}
