/**
 * Lessons 5 and 6's live demos trained off the page's main thread, data-parallel across Web
 * Workers: the page starts one coordinator Worker, which starts `workers` shard Workers and
 * trains with lesson 5's experiment (`LiveTraining.parallel`: the batch split, lesson 6's
 * gradient averaging and the update of `lib/train/parallel.ts`, the same as
 * `deno task train --workers N`) on a CPU backend (`wasm`, or lesson 6's `cpu`).
 * The coordinator waits for its shards with `Atomics.wait`, which a page's main thread may not
 * do, so the page only sends it "run" and "evaluate" and draws what comes back. Shared memory
 * needs a cross-origin-isolated page (the site's COOP/COEP headers); {@linkcode whyNoWorkers}
 * says why this page cannot (one core, no isolation, no Workers), and the demo then trains on
 * the page's main thread and says so. Each Worker imports the engine (`url`, this build's
 * entry), so it runs the same code source as the page.
 *
 * @example
 * ```ts
 * import { canTrainInWorkers, workerTraining } from "./live_workers.ts";
 * if (canTrainInWorkers()) {
 *   const live = await workerTraining("/_engine/reference-1a2b3c4d.js", "tiny", { workers: 2 });
 *   await live.run(1);
 *   live.dispose();
 * }
 * ```
 * @module
 */
import type { LiveView, PresetChoice } from "../../lessons/05_training/experiment.ts";
import type { TrainConfig } from "@lib/train/config.ts";
import { startBackend, tf } from "./tf.ts";
import { defaultWorkers } from "@lib/train/parallel.ts";
import type { BrokenLesson } from "./broken_lesson.ts";

/** A training run in Workers, with the parts of `LiveTraining` the demo uses. */
export interface WorkerTraining {
  /** How many Workers compute gradients (1: the coordinator trains alone). */
  workers: number;
  /** The run's configuration. */
  config: TrainConfig;
  /** The 65 characters. */
  vocab: string;
  /** Optimizer steps taken so far. */
  stepCount: number;
  /** The loss of the last step's batch (before its update), NaN before the first. */
  loss: number;
  /** Runs `steps` steps; milliseconds per step. */
  run(steps: number): Promise<number>;
  /** Evaluates (see `LiveTraining.evaluate`). */
  evaluate(): Promise<LiveView>;
  /** Ends the Workers. */
  dispose(): void;
}

/** Messages to the coordinator. */
type Request =
  | { type: "start"; preset: PresetChoice; workers: number; engine: string; backend: CpuBackend }
  | { type: "run"; steps: number }
  | { type: "evaluate" }
  | { type: "dispose" };

/** Its answers (and notes, at any time). */
type Reply =
  | { type: "started"; workers: number; config: TrainConfig; vocab: string }
  | { type: "ran"; ms: number; stepCount: number; loss: number }
  | { type: "view"; view: LiveView }
  | { type: "note"; text: string }
  | { type: "error"; message: string; name: string; exercise?: string; broken?: BrokenLesson };

/** The backends the Workers train on: the CPU ones (see `PoolOptions.backend`). */
export type CpuBackend = "wasm" | "cpu";

/** What {@linkcode whyNoWorkers} looks at (default: this page's). */
export interface WorkerEnv {
  /** Whether `Worker` exists. */
  workers: boolean;
  /** `crossOriginIsolated` (COOP/COEP headers) and `SharedArrayBuffer` both there. */
  shared: boolean;
  /** `navigator.hardwareConcurrency`. */
  cores: number;
}

/** This page's {@linkcode WorkerEnv}. */
function pageEnv(): WorkerEnv {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return {
    workers: typeof Worker !== "undefined",
    shared: g.crossOriginIsolated === true && typeof SharedArrayBuffer !== "undefined",
    cores: navigator.hardwareConcurrency ?? 1,
  };
}

/**
 * Why this page cannot train in Workers, in words for the page (undefined when it can): no Web
 * Workers, or no cross-origin isolation (no `SharedArrayBuffer`, which the Workers share their
 * gradients through), or one core.
 *
 * @example
 * ```ts
 * import { whyNoWorkers } from "./live_workers.ts";
 * whyNoWorkers(); // undefined on a multi-core machine, on the course's site
 * whyNoWorkers({ workers: true, shared: true, cores: 1 }); // "the browser reports 1 core ..."
 * ```
 */
export function whyNoWorkers(env: WorkerEnv = pageEnv()): string | undefined {
  if (!env.workers) return "this browser has no Web Workers";
  if (!env.shared) {
    return "the page is not cross-origin isolated, so it has no SharedArrayBuffer for the " +
      "Workers' gradients (the server sent no COOP/COEP headers)";
  }
  if (env.cores <= 1) {
    return `the browser reports ${env.cores} core (navigator.hardwareConcurrency)`;
  }
  return undefined;
}

/**
 * Whether this page can train in Workers: more than one core and cross-origin isolation
 * (shared memory); see {@linkcode whyNoWorkers}.
 *
 * @example
 * ```ts
 * import { canTrainInWorkers } from "./live_workers.ts";
 * canTrainInWorkers(); // true on a multi-core machine, on the course's site
 * ```
 */
export function canTrainInWorkers(): boolean {
  return whyNoWorkers() === undefined;
}

/**
 * The URL of a module Worker script that imports the engine at `engine` (absolute) and calls
 * its export `serve`; messages that arrive while the engine loads are kept and handed on.
 */
function workerScript(engine: string, serve: "serveTrainingWorker" | "serveShardWorker"): string {
  const script = `const kept = []; onmessage = (e) => kept.push(e);
const engine = await import(${JSON.stringify(engine)});
await engine.${serve}();
for (const e of kept) onmessage(e);`;
  return URL.createObjectURL(new Blob([script], { type: "text/javascript" }));
}

/**
 * Starts lesson 5's run `preset` in a coordinator Worker with `workers` shard Workers (from the
 * engine at `engine`; default: the cores, at most 4, as `deno task train`) on `backend`
 * (default `wasm`); `onNote` hears the experiment's notes.
 *
 * @example
 * ```ts
 * import { workerTraining } from "./live_workers.ts";
 * // const live = await workerTraining(engineUrl, "cpu", { workers: 2 });
 * ```
 */
export async function workerTraining(
  engine: string,
  preset: PresetChoice,
  options: { workers?: number; backend?: CpuBackend; onNote?: (text: string) => void } = {},
): Promise<WorkerTraining> {
  const href = new URL(engine, globalThis.location.href).href;
  const worker = new Worker(workerScript(href, "serveTrainingWorker"), { type: "module" });
  let pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  worker.onmessage = (e: MessageEvent<Reply>) => {
    const reply = e.data;
    if (reply.type === "note") return options.onNote?.(reply.text);
    const p = pending;
    pending = undefined;
    if (reply.type === "error") {
      p?.reject(Object.assign(new Error(reply.message), {
        name: reply.name,
        exercise: reply.exercise,
        broken: reply.broken,
      }));
    } else p?.resolve(reply);
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    pending?.reject(new Error(`the training Worker failed: ${e.message}`));
    pending = undefined;
  };
  const call = <T extends Reply["type"]>(request: Request, type: T) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      if (pending) return reject(new Error("the training Worker is busy"));
      pending = {
        resolve: (r) =>
          r.type === type
            ? resolve(r as Extract<Reply, { type: T }>)
            : reject(new Error(`the training Worker answered ${r.type}, not ${type}`)),
        reject,
      };
      worker.postMessage(request);
    });
  let started: Extract<Reply, { type: "started" }>;
  try {
    started = await call(
      {
        type: "start",
        preset,
        workers: options.workers ?? defaultWorkers(),
        engine: href,
        backend: options.backend ?? "wasm",
      },
      "started",
    );
  } catch (error) {
    worker.terminate();
    throw error;
  }
  const run: WorkerTraining = {
    workers: started.workers,
    config: started.config,
    vocab: started.vocab,
    stepCount: 0,
    loss: NaN,
    run: async (steps) => {
      const r = await call({ type: "run", steps }, "ran");
      run.stepCount = r.stepCount;
      run.loss = r.loss;
      return r.ms;
    },
    evaluate: async () => (await call({ type: "evaluate" }, "view")).view,
    dispose: () => {
      worker.postMessage({ type: "dispose" } satisfies Request);
      setTimeout(() => worker.terminate(), 1000); // after it has ended its shard Workers
    },
  };
  return run;
}

/**
 * Starts `backend` in a training Worker with one thread: the Workers are the threads. In a
 * cross-origin-isolated page tfjs would load its threaded wasm build in every Worker, each with a
 * pool of pthread Workers of its own, although it does not multithread its matmuls (lesson 6);
 * the plain SIMD build gives one thread per Worker, so N shard Workers use N cores.
 */
async function startWorkerBackend(backend: string): ReturnType<typeof startBackend> {
  if (backend === "wasm") {
    await import("@tensorflow/tfjs-backend-wasm"); // registers the flag (set throws before)
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  }
  return await startBackend(backend as CpuBackend);
}

/** The scope of a Worker, as far as the servers below use it. */
interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

/**
 * The coordinator Worker's loop (the engine's `serveTrainingWorker`): starts the run's CPU
 * backend (`wasm` with one thread, or `cpu`), builds the run with lesson 5's
 * `LiveTraining.parallel` (shard Workers from the same engine) and answers the page's requests
 * one at a time.
 *
 * @example
 * ```ts
 * import { serveTrainingWorker } from "./live_workers.ts";
 * // in the Worker that workerTraining starts: serveTrainingWorker();
 * ```
 */
export function serveTrainingWorker(): void {
  const scope = globalThis as unknown as WorkerScope;
  const experiment = import("../../lessons/05_training/experiment.ts");
  type Live = Awaited<ReturnType<Awaited<typeof experiment>["LiveTraining"]["parallel"]>>;
  let live: Live | undefined;
  let queue = Promise.resolve();
  const answer = async (m: Request) => {
    try {
      if (m.type === "start") {
        await startWorkerBackend(m.backend);
        const { LiveTraining } = await experiment;
        const workerUrl = workerScript(m.engine, "serveShardWorker");
        live = await LiveTraining.parallel(m.preset, {
          workers: m.workers,
          workerUrl,
          backend: m.backend,
          onNote: (text) => scope.postMessage({ type: "note", text } satisfies Reply),
        });
        const reply: Reply = {
          type: "started",
          workers: live.workers,
          config: live.config,
          vocab: live.vocab,
        };
        scope.postMessage(reply);
      } else if (m.type === "run") {
        if (!live) throw new Error("the run has not started");
        const ms = await live.run(m.steps);
        const loss = await live.trainer.lastLoss();
        scope.postMessage({ type: "ran", ms, stepCount: live.stepCount, loss } satisfies Reply);
      } else if (m.type === "evaluate") {
        if (!live) throw new Error("the run has not started");
        scope.postMessage({ type: "view", view: await live.evaluate() } satisfies Reply);
      } else {
        live?.dispose();
        live = undefined;
        scope.close();
      }
    } catch (error) {
      const e = error as {
        message?: string;
        name?: string;
        exercise?: string;
        broken?: BrokenLesson;
      };
      scope.postMessage(
        {
          type: "error",
          message: e?.message ?? String(error),
          name: e?.name ?? "Error",
          exercise: e?.exercise,
          broken: e?.broken,
        } satisfies Reply,
      );
    }
  };
  scope.onmessage = (e: MessageEvent<Request>) => {
    queue = queue.then(() => answer(e.data));
  };
}

/**
 * A shard Worker's loop (the engine's `serveShardWorker`): lesson 5's `serveShards`, with the
 * site's `startBackend` (wasm from `/_vendor/tfjs-wasm/`, one thread).
 *
 * @example
 * ```ts
 * import { serveShardWorker } from "./live_workers.ts";
 * // in a shard Worker: await serveShardWorker();
 * ```
 */
export async function serveShardWorker(): Promise<void> {
  const { serveShards } = await import("../../lessons/05_training/experiment.ts");
  serveShards(startWorkerBackend);
}
