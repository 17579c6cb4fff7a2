/**
 * One backend's share of `deno task bench`, run as its own process so that backends do not
 * share memory or state and a run that blows its time can be stopped. It starts the backend,
 * measures the plain matmul, then each task in order, and prints one line per result:
 * `BENCH {json}` (see {@linkcode WorkerMessage}). A job of birth runs only skips the matmul.
 *
 * A training-step task is skipped, with its estimated time, when it would not fit the budget:
 * first estimated from the model FLOPs, the matmul GFLOP/s and the efficiency seen on earlier
 * tasks of this run (30% before any), then checked again against the first step's time.
 *
 * The worker's body, not its entry point: the entry point is `lessons/06_webgpu/bench_worker.ts`,
 * which takes the taught parts (lessons 1, 5 and 6) from `@exercises/` and passes them to
 * {@linkcode workerMain}, so the import map it is started with (`deno task bench` passes its
 * own) decides whose code it times.
 *
 * @example
 * ```sh
 * deno run -A lessons/06_webgpu/bench_worker.ts '{"backend":"wasm","tasks":[],"warmup":2,"steps":5,"budgetS":60}'
 * ```
 * @module
 */
import { initBackend, parseBackend } from "@lib/tf/mod.ts";
import { type TrainConfig, withOverrides } from "@lib/train/config.ts";
import { BIRTH_THRESHOLD } from "@lib/train/birth.ts";
import {
  benchConfig,
  type BenchParts,
  meanLossRows,
  stepShapeOf,
  type Variant,
  variantShape,
} from "./configs.ts";
import { timeWorkers, workersSteps } from "./parallel.ts";
import { GradientPool } from "@lib/train/parallel.ts";
import { stepFlops } from "./flops.ts";
import {
  type MatmulTiming,
  median,
  type StepTiming,
  timeAttentionOps,
  timeBirth,
  timeMatmul,
  timePipeline,
  timeSteps,
} from "./measure.ts";
import type {
  BirthResult,
  MatmulResult,
  OpResult,
  PipelineResult,
  StepResult,
  WorkersResult,
} from "./table.ts";

/**
 * What a worker runs of the lessons, passed in by its entry point
 * (`lessons/06_webgpu/bench_worker.ts`): the copy its import map chose.
 */
export interface BenchWorkerParts extends BenchParts {
  /** The Worker script of data-parallel training (`lessons/05_training/train_worker.ts`). */
  workerUrl: URL;
}

/** One thing for a worker to measure. */
export type Task =
  | { kind: "step"; config: string; variant: Variant }
  | { kind: "op"; config: string }
  | { kind: "pipeline"; config: string }
  | { kind: "birth"; config: string; capS: number; workers?: number }
  | { kind: "workers"; config: string; workers: number };

/** What a worker is asked to do. */
export interface Job {
  /** The backend to start: `cpu`, `wasm` or `webgpu`. */
  backend: string;
  /** Tasks, in order (the plain matmul is always measured first). */
  tasks: Task[];
  /** Untimed steps before timing. */
  warmup: number;
  /** Timed steps. */
  steps: number;
  /** Seconds one step measurement may take. */
  budgetS: number;
  /** Replaces every configuration's batch size. */
  batch?: number;
  /** n of the plain matmul (default 512). */
  matmulN?: number;
}

/** One line of a worker's output. */
export type WorkerMessage =
  | { type: "started"; backend: string; summary: string }
  | { type: "unavailable"; backend: string; reason: string }
  | { type: "matmul"; result: MatmulResult }
  | { type: "step"; result: StepResult }
  | { type: "op"; result: OpResult }
  | { type: "pipeline"; result: PipelineResult }
  | { type: "birth"; result: BirthResult }
  | { type: "workers"; result: WorkersResult };

/** The prefix of a result line. */
export const MESSAGE_PREFIX = "BENCH ";

/** The efficiency assumed for a first estimate, before any step of this run was measured. */
const DEFAULT_EFFICIENCY = 0.3;

function emit(message: WorkerMessage): void {
  console.log(MESSAGE_PREFIX + JSON.stringify(message));
}

function why(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

/** What the measurements of one worker share. */
interface Context {
  job: Job;
  /** The lessons' code being timed. */
  parts: BenchWorkerParts;
  backend: string;
  /** This backend's plain matmul, measured first. */
  matmul: MatmulTiming;
  /** Achieved / matmul GFLOP/s of the steps measured so far: sharpens the estimates. */
  efficiencies: number[];
}

/** Seconds `flops` would take at the best efficiency seen so far. */
function estimateSeconds(ctx: Context, flops: number): number {
  const e = ctx.efficiencies.length > 0
    ? Math.min(1, Math.max(...ctx.efficiencies))
    : DEFAULT_EFFICIENCY;
  return flops / (ctx.matmul.gflops * 1e9 * e);
}

/**
 * Rows (batch × seq) a CPU backend's step may have. The wasm backend's memory is limited (the
 * paper's batch of 512 × 256 aborts it), so a larger step is measured at a smaller batch and
 * scaled: at fixed T and d every product of the step grows linearly with the batch.
 */
export const MAX_CPU_ROWS = 16384;

/**
 * The batch a step of `config` is measured at on `backend`, and the factor its time is then
 * multiplied by (1 when measured as is).
 *
 * @example
 * ```ts
 * import { benchConfig } from "@lib/bench/configs.ts";
 * import { measuredBatch } from "@lib/bench/worker.ts";
 * measuredBatch(benchConfig("paper"), "wasm"); // { batch: 64, factor: 8 }
 * ```
 */
export function measuredBatch(
  config: TrainConfig,
  backend: string,
): { batch: number; factor: number } {
  const rows = config.batchSize * config.data.seqLen;
  if (backend === "webgpu" || rows <= MAX_CPU_ROWS) return { batch: config.batchSize, factor: 1 };
  const batch = Math.max(1, Math.floor(MAX_CPU_ROWS / config.data.seqLen));
  return { batch, factor: config.batchSize / batch };
}

/** Measures one configuration's step variants together (interleaved), or skips them. */
async function measureSteps(ctx: Context, configName: string, variants: Variant[]) {
  const { job, backend, matmul } = ctx;
  const config = benchConfig(configName, job.batch);
  // The variants of one configuration differ in FLOPs by the causal blocks' saving and the
  // course step's loss rows (the mean over the batches the measurement trains on).
  const lossRows = variants.includes("course")
    ? meanLossRows(config, ctx.parts.trainer, job.warmup + job.steps)
    : undefined;
  const flopsOf = (v: Variant) => stepFlops(variantShape(v, config, lossRows)).total;
  const flops = Math.max(...variants.map(flopsOf));
  const tokens = config.batchSize * config.data.seqLen;
  const { batch, factor } = measuredBatch(config, backend);
  const base = (variant: Variant): StepResult => ({
    config: configName,
    backend,
    variant,
    status: "ok",
    flops: flopsOf(variant),
    tokens,
    ...(factor !== 1 ? { measuredBatch: batch } : {}),
  });
  // Estimated per measured step, i.e. at the measured batch.
  const estimatedMs = 1000 * estimateSeconds(ctx, flops / factor);
  const planned = (estimatedMs / 1000) * (job.warmup + job.steps);
  if (planned > job.budgetS) {
    const e = (100 * flops) / factor / (estimatedMs * 1e6 * matmul.gflops);
    const reason = `${job.warmup + job.steps} steps would take about ${Math.round(planned)} s ` +
      `(at ${Math.round(e)}% of ${matmul.gflops.toFixed(1)} GFLOP/s)`;
    for (const v of variants) {
      emit({
        type: "step",
        result: { ...base(v), status: "skipped", estimatedMs: estimatedMs * factor, reason },
      });
    }
    return;
  }
  const measured = factor === 1 ? config : withOverrides(config, { batchSize: batch });
  let timings: Map<Variant, StepTiming>;
  try {
    timings = await timeSteps(measured, variants, job, ctx.parts);
  } catch (error) {
    for (const v of variants) {
      emit({ type: "step", result: { ...base(v), status: "failed", reason: why(error) } });
    }
    return;
  }
  for (const [variant, r] of timings) {
    if (r.status === "skipped") {
      const reason = `the first step took ${(r.firstMs / 1000).toFixed(1)} s`;
      emit({
        type: "step",
        result: { ...base(variant), status: "skipped", estimatedMs: r.firstMs * factor, reason },
      });
      continue;
    }
    const ms = median(r.ms) * factor;
    const gflops = flopsOf(variant) / (ms * 1e6);
    ctx.efficiencies.push(gflops / matmul.gflops);
    emit({
      type: "step",
      result: {
        ...base(variant),
        medianMs: ms,
        stepMs: r.ms.map((x) => x * factor),
        tokensPerS: tokens / (ms / 1000),
        gflops,
        ofMatmul: gflops / matmul.gflops,
        kernels: r.kernels,
        leakedTensors: r.leakedTensors,
      },
    });
  }
}

/** The attention op, composition vs fused kernels, at the configuration's shape. */
async function measureOp(ctx: Context, configName: string): Promise<OpResult> {
  const config = benchConfig(configName, ctx.job.batch);
  const shape: [number, number, number] = [
    config.batchSize,
    config.data.seqLen,
    config.model.dim,
  ];
  const base = { config: configName, backend: ctx.backend, shape };
  // 7 runs of each variant; each run is three per-sequence [T, T]-sized products.
  const [b, t, d] = shape;
  const seconds = estimateSeconds(ctx, 14 * 3 * 2 * b * t * t * d);
  if (seconds > ctx.job.budgetS) {
    return {
      ...base,
      reason: `skipped: about ${Math.round(seconds)} s (budget ${ctx.job.budgetS} s)`,
    };
  }
  try {
    return { ...base, ...await timeAttentionOps(shape, ctx.parts.webgpu.fusedCausalSoftmax) };
  } catch (error) {
    return { ...base, reason: why(error) };
  }
}

/** Readback every step vs once, on the configuration. */
async function measurePipeline(ctx: Context, configName: string): Promise<PipelineResult> {
  const config = benchConfig(configName, ctx.job.batch);
  const base = { config: configName, backend: ctx.backend };
  const steps = ctx.job.steps;
  const seconds = estimateSeconds(ctx, (2 * steps + 1) * stepFlops(stepShapeOf(config)).total);
  if (seconds > ctx.job.budgetS) {
    return {
      ...base,
      reason: `skipped: about ${Math.round(seconds)} s (budget ${ctx.job.budgetS} s)`,
    };
  }
  try {
    return { ...base, ...await timePipeline(config, ctx.parts.trainer, steps) };
  } catch (error) {
    return { ...base, reason: why(error) };
  }
}

/** Time to birth on the configuration, in this process or with `workers` Workers. */
async function measureBirth(
  ctx: Context,
  configName: string,
  capS: number,
  workers = 1,
): Promise<BirthResult> {
  const base = {
    config: configName,
    backend: ctx.backend,
    threshold: BIRTH_THRESHOLD,
    ...(workers > 1 ? { workers } : {}),
  };
  const config = benchConfig(configName, ctx.job.batch);
  let pool: GradientPool | undefined;
  try {
    const t0 = performance.now();
    if (workers > 1) {
      pool = await GradientPool.start({
        workers,
        backend: ctx.backend,
        model: config.model,
        average: ctx.parts.webgpu.averageGradients,
        workerUrl: ctx.parts.workerUrl,
      });
    }
    const startS = (performance.now() - t0) / 1000;
    const parts = pool ? { ...ctx.parts.trainer, ...pool.parts() } : ctx.parts.trainer;
    return { ...base, ...(pool ? { startS } : {}), ...await timeBirth(config, parts, capS) };
  } catch (error) {
    return { ...base, status: "failed", reason: why(error) };
  } finally {
    pool?.dispose();
  }
}

/** The course's step in this process against N Workers, interleaved. */
async function measureWorkers(
  ctx: Context,
  configName: string,
  workers: number,
): Promise<WorkersResult> {
  const config = benchConfig(configName, ctx.job.batch);
  const base = { config: configName, backend: ctx.backend, workers };
  const counts = workersSteps(ctx.job);
  const steps = counts.warmup + counts.steps;
  const seconds = estimateSeconds(ctx, 2 * steps * stepFlops(stepShapeOf(config)).total);
  if (seconds > ctx.job.budgetS) {
    return {
      ...base,
      reason: `skipped: about ${Math.round(seconds)} s (budget ${ctx.job.budgetS} s)`,
    };
  }
  try {
    return {
      ...base,
      ...await timeWorkers(config, ctx.parts.trainer, {
        workers,
        backend: ctx.backend,
        average: ctx.parts.webgpu.averageGradients,
        workerUrl: ctx.parts.workerUrl,
        ...counts,
      }),
    };
  } catch (error) {
    return { ...base, reason: why(error) };
  }
}

/**
 * Runs a job in this process on the lessons' `parts`, printing a {@linkcode WorkerMessage} line
 * per result.
 *
 * @example
 * ```ts
 * import { type BenchWorkerParts, runJob } from "@lib/bench/worker.ts";
 * declare const parts: BenchWorkerParts; // assembled by lessons/06_webgpu/bench_worker.ts
 * await runJob({ backend: "cpu", tasks: [], warmup: 1, steps: 1, budgetS: 10, matmulN: 64 }, parts);
 * ```
 */
export async function runJob(job: Job, parts: BenchWorkerParts): Promise<void> {
  const backend = parseBackend(job.backend);
  const info = await initBackend(backend);
  if (info.name !== backend) {
    emit({ type: "unavailable", backend, reason: info.notes.join("; ") || info.summary });
    return;
  }
  emit({ type: "started", backend, summary: info.summary });
  const onlyBirth = job.tasks.every((t) => t.kind === "birth");
  const matmul = onlyBirth ? { n: 0, ms: 0, gflops: NaN } : await timeMatmul(job.matmulN ?? 512);
  if (!onlyBirth) emit({ type: "matmul", result: { backend, ...matmul } });
  const ctx: Context = { job, parts, backend, matmul, efficiencies: [] };
  for (let i = 0; i < job.tasks.length; i++) {
    const task = job.tasks[i];
    if (task.kind === "step") {
      // Consecutive step tasks of one configuration are measured together, interleaved.
      const variants = [task.variant];
      for (let next = job.tasks[i + 1]; next?.kind === "step" && next.config === task.config;) {
        variants.push(next.variant);
        next = job.tasks[++i + 1];
      }
      await measureSteps(ctx, task.config, variants);
    } else if (task.kind === "op") {
      emit({ type: "op", result: await measureOp(ctx, task.config) });
    } else if (task.kind === "pipeline") {
      emit({ type: "pipeline", result: await measurePipeline(ctx, task.config) });
    } else if (task.kind === "workers") {
      emit({ type: "workers", result: await measureWorkers(ctx, task.config, task.workers) });
    } else {
      const result = await measureBirth(ctx, task.config, task.capS, task.workers);
      emit({ type: "birth", result });
    }
  }
}

/**
 * The worker's command line: runs the job given as JSON in `args[0]` on the lessons' `parts`;
 * returns the exit code.
 *
 * @example
 * ```ts
 * import { type BenchWorkerParts, workerMain } from "@lib/bench/worker.ts";
 * declare const parts: BenchWorkerParts; // assembled by lessons/06_webgpu/bench_worker.ts
 * // await workerMain(['{"backend":"wasm","tasks":[],"warmup":1,"steps":2,"budgetS":60,"matmulN":256}'], parts);
 * ```
 */
export async function workerMain(args: string[], parts: BenchWorkerParts): Promise<number> {
  const job = JSON.parse(args[0] ?? "null") as Job | null;
  if (!job || typeof job.backend !== "string" || !Array.isArray(job.tasks)) {
    console.error(
      "usage: deno run -A lessons/06_webgpu/bench_worker.ts '<job as JSON>' (see lib/bench/cli.ts)",
    );
    return 2;
  }
  await runJob(job, parts);
  return 0;
}
