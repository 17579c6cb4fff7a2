/**
 * CPU time per thread of this process (Linux: `/proc/self/task/TID/schedstat`, nanoseconds on
 * the CPU), and the data-parallel step's profile built on it: where one step's CPU goes in one
 * process and with N Workers (the main thread, each Worker, V8's helper threads), plus the data,
 * the gradients of a whole and a shard-sized batch, and an evaluation. CPU time, unlike wall
 * time, hardly moves when other jobs share the cores, so it profiles on a loaded machine; an
 * idle machine's wall time can be estimated from it (labelled as an estimate).
 *
 * @example
 * ```ts
 * import { cpuDelta, threadCpu } from "@lib/bench/thread_cpu.ts";
 * const before = threadCpu();
 * let x = 0;
 * for (let i = 0; i < 1e6; i++) x += i;
 * const spent = cpuDelta(before, threadCpu()); // [{ thread: "main", ms: ... }, ...]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "@lib/train/config.ts";
import type { TrainerParts } from "@lib/train/parts.ts";
import type { Optimizer } from "@lib/train/optimizer.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { type GradientAverager, GradientPool } from "@lib/train/parallel.ts";

/** CPU milliseconds by thread: `main`, or `TID:name` (Workers are `worker-N`, V8's helpers `V8 DefaultWorke`). */
export type ThreadCpu = Map<string, number>;

/**
 * Every thread's CPU time so far, in ms; an empty map where `/proc` cannot be read (not Linux,
 * or no read permission).
 *
 * @example
 * ```ts
 * import { threadCpu } from "@lib/bench/thread_cpu.ts";
 * threadCpu().get("main"); // e.g. 812.4
 * ```
 */
export function threadCpu(): ThreadCpu {
  const out: ThreadCpu = new Map();
  let tasks: Deno.DirEntry[];
  try {
    tasks = [...Deno.readDirSync("/proc/self/task")];
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const ns = Number(
        Deno.readTextFileSync(`/proc/self/task/${task.name}/schedstat`).split(" ")[0],
      );
      const name = Deno.readTextFileSync(`/proc/self/task/${task.name}/comm`).trim();
      out.set(task.name === String(Deno.pid) ? "main" : `${task.name}:${name}`, ns / 1e6);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * The CPU ms each thread spent between two readings, largest first, threads under `minMs` left
 * out.
 *
 * @example
 * ```ts
 * import { cpuDelta } from "@lib/bench/thread_cpu.ts";
 * cpuDelta(new Map([["main", 10]]), new Map([["main", 25], ["7:worker-1", 40]]));
 * // [{ thread: "7:worker-1", ms: 40 }, { thread: "main", ms: 15 }]
 * ```
 */
export function cpuDelta(
  before: ThreadCpu,
  after: ThreadCpu,
  minMs = 0,
): { thread: string; ms: number }[] {
  return [...after]
    .map(([thread, ms]) => ({ thread, ms: ms - (before.get(thread) ?? 0) }))
    .filter((x) => x.ms > minMs)
    .sort((a, b) => b.ms - a.ms);
}

/** One line of {@linkcode profileWorkers}: CPU ms per unit, by thread. */
export interface ProfileLine {
  /** What was measured. */
  what: string;
  /** CPU ms per step (or per call), by thread, largest first. */
  threads: { thread: string; ms: number }[];
}

/**
 * Profiles `config`'s step by CPU time, after `warmup` steps of each trainer (the Workers'
 * shown as the first line): `steps` steps in one process, the same with `workers`
 * Workers, the data of a batch, the gradients of a batch and of one shard (no update), an
 * evaluation, and a Workers' step with an evaluation overlapped (as `train` runs every
 * `evalEvery` steps), each per call.
 *
 * @example
 * ```ts
 * import { profileWorkers } from "@lib/bench/thread_cpu.ts";
 * // const lines = await profileWorkers(presets.cpu, parts, { workers: 2, average, workerUrl, steps: 10 });
 * ```
 */
export async function profileWorkers(
  config: TrainConfig,
  parts: TrainerParts,
  options: {
    workers: number;
    average: GradientAverager;
    workerUrl: URL | string;
    steps: number;
    /** Steps of each trainer before the measured ones (default 20, at least 1); the Workers' are shown. */
    warmup?: number;
  },
): Promise<ProfileLine[]> {
  const pool = await GradientPool.start({
    workers: options.workers,
    backend: tf.getBackend(),
    model: config.model,
    average: options.average,
    workerUrl: options.workerUrl,
  });
  const one = new Trainer(config, parts);
  const many = new Trainer(config, { ...parts, ...pool.parts() });
  const noop: Optimizer = {
    update: () => {},
    slots: () => ({}),
    counters: () => ({}),
    setCounters: () => {},
    dispose: () => {},
  };
  const lines: ProfileLine[] = [];
  const n = options.steps;
  const measure = async (what: string, calls: number, fn: (i: number) => unknown) => {
    const before = threadCpu();
    for (let i = 0; i < calls; i++) await fn(i);
    const threads = cpuDelta(before, threadCpu(), calls * 0.5)
      .map((x) => ({ thread: x.thread, ms: x.ms / calls }));
    lines.push({ what, threads });
  };
  const step = async (t: Trainer) => {
    t.step();
    await t.lastLoss();
  };
  try {
    // Warm-up: V8 compiles each thread's code as it grows hot (on its helper threads) over the
    // first ~20 steps, which cost far more then (measured: a Worker's first 5 steps about 80 ms
    // each, 45 from step 20 on); shown apart, so that the lines after it are the steady state.
    const warm = Math.max(1, options.warmup ?? 20);
    for (let i = 0; i < warm; i++) await step(one);
    await measure(
      `first ${warm} steps with ${pool.size} Workers (warm-up)`,
      warm,
      () => step(many),
    );
    await measure("step, one process", n, () => step(one));
    await measure(`step, ${pool.size} Workers`, n, () => step(many));
    await measure(`data of a batch (${config.batchSize} sequences)`, n, (i) => {
      tf.dispose(Object.values(one.batchAt(1000 + i)) as tf.Tensor[]);
    });
    const shard = Math.ceil(config.batchSize / pool.size);
    for (const rows of [config.batchSize, shard]) {
      await measure(`gradients of ${rows} sequences, no update (with their data)`, n, async (i) => {
        const b = one.batchAt(i);
        const part = tf.tidy(() => ({
          inputs: b.inputs.slice([0, 0], [rows, -1]) as tf.Tensor2D,
          targets: b.targets.slice([0, 0], [rows, -1]) as tf.Tensor2D,
          inContextMask: b.inContextMask.slice([0, 0], [rows, -1]) as tf.Tensor2D,
          labels: b.labels.slice([0, 0], [rows, -1]) as tf.Tensor2D,
        }));
        const loss = parts.trainingStep(one.params, config.model, part, {
          trainable: config.model.trainable,
          loss: config.loss,
          optimizer: noop,
        });
        await loss.data();
        tf.dispose([loss, ...Object.values(b), ...Object.values(part)] as tf.Tensor[]);
      });
    }
    const evals = Math.max(2, Math.ceil(n / 4));
    await measure("evaluation (one per evalEvery steps)", evals, () => many.evaluate());
    await measure(
      `step with its evaluation, run on the main thread while ${pool.size} Workers compute`,
      evals,
      async () => {
        await many.stepWhile(() => many.evaluate());
        await many.lastLoss();
      },
    );
  } finally {
    one.dispose();
    many.dispose();
    pool.dispose();
  }
  return lines;
}
