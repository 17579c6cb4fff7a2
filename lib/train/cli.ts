/**
 * `deno task train`: trains the simplified two-layer transformer from the command line, with a
 * live progress bar, a JSON-lines log, an SVG of the curves and checkpoints.
 *
 * ```sh
 * deno task train --preset cpu --log runs/cpu.jsonl --plot runs/cpu.svg --save runs/cpu.ckpt.json
 * deno task train --resume runs/cpu.ckpt.json --steps 800
 * deno task train --preset cpu --freeze wK1:300,wK2:300 --steps 600
 * deno task train --preset paper --backend webgpu     # d = T = 256, batch 512: for a GPU
 * deno task train --preset tiny --mine                # with your lesson 1 and 5 code
 * ```
 *
 * The command's parts, not its entry point: the entry point is `lessons/05_training/train.ts`,
 * which imports lessons 1, 5 and 6 through `@exercises/` and passes them in as a
 * {@linkcode TrainTool}. It runs the reference by default (the entry restarts itself with an
 * import map pointing `@exercises/` at `solutions/`) and the learner's code with `--mine`, and
 * says which it runs.
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "@lib/train/cli.ts";
 * parseTrainArgs(["--preset", "tiny", "--steps", "20"]).config.steps; // 20
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, initBackend, parseBackend } from "@lib/tf/mod.ts";
import {
  type ConfigOverrides,
  parseFreeze,
  type PresetName,
  presets,
  type TrainConfig,
  withOverrides,
} from "./config.ts";
import { type EvalRecord, train, Trainer } from "./trainer.ts";
import { type Checkpoint, readCheckpoint } from "./checkpoint.ts";
import { BirthWatch } from "./birth.ts";
import { backendMemory, memoryProblem } from "./memory.ts";
import { type DataLesson, trainerParts, type TrainingLesson } from "./parts.ts";
import { NotImplementedError } from "@lib/testing/mod.ts";
import { defaultWorkers, type GradientAverager, GradientPool, shardSizes } from "./parallel.ts";
import {
  type CodeSource,
  runWithSource,
  sourceFromArgs,
  sourceInUse,
  sourceLine,
} from "@lib/code_source/mod.ts";
import { progressReporter } from "./progress_bar.ts";
import { trainingCurves } from "./figures.ts";

/** The usage text printed by `--help` and after a bad flag. */
export const USAGE = `Usage: deno task train [options]

  --preset NAME        cpu (default), cpu-long, paper or tiny
  --backend NAME       auto (default), cpu, wasm or webgpu
  --steps N            total optimizer steps (a resumed run continues up to N)
  --eval-every N       evaluate every N steps
  --log PATH           write the JSON-lines log (config, then one record per evaluation)
  --plot PATH          write the training curves as SVG at the end
  --save PATH          save a checkpoint at every evaluation and at the end (and on Ctrl-C);
                       if the loss diverges (NaN, or 1000 nats), the last one before it is kept
  --resume PATH        continue a run from a checkpoint (its config is kept)
  --lr X               learning rate (a positive, finite number)
  --optimizer NAME     sgd (momentum 0.9, weight decay 1e-4) or adamw
  --batch N            sequences per step
  --dim N              model width d
  --seq-len N          sequence length T
  --k N                triggers per sequence
  --random-triggers    draw the K triggers per sequence (default: the K most frequent tokens)
  --loss NAME          inContext (label >= 2, the paper's default) or all
  --final-ffn          add the linear W_F layer (trained)
  --freeze SPEC        e.g. wK1:300,wK2:300 (frozen until step 300)
  --seed N             data seed (default 42)
  --init-seed N        the model's initialisation seed (default 0)
  --workers N          split each batch over N Workers, one TensorFlow.js instance each, and
                       average their gradients (lesson 6's averageGradients); default: the
                       number of cores, at most 4, on wasm or cpu; 1 trains in this process
  --mine               run your lesson 1, 5 and 6 code (lessons/) instead of the reference
  --solutions          run the reference code (solutions/): the default
  --help               this text`;

/**
 * A mistake on the command line: printed with the usage, exit code 2.
 *
 * @example
 * ```ts
 * import { parseTrainArgs, UsageError } from "@lib/train/cli.ts";
 * try {
 *   parseTrainArgs(["--steps", "many"]);
 * } catch (e) {
 *   e instanceof UsageError; // true: "--steps must be an integer >= 0, got \"many\""
 * }
 * ```
 */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for. */
export interface TrainCliOptions {
  /** The configuration to train (for `--resume`, only `steps` and `evalEvery` are used). */
  config: TrainConfig;
  /** The backend to start. */
  backend: BackendChoice;
  /** `--log`. */
  log?: string;
  /** `--plot`. */
  plot?: string;
  /** `--save`. */
  save?: string;
  /** `--resume`. */
  resume?: string;
  /** `--workers`: data-parallel Workers (undefined: the default). */
  workers?: number;
  /** `--help` was given. */
  help: boolean;
}

const OPTIONS = {
  preset: { type: "string" },
  backend: { type: "string" },
  steps: { type: "string" },
  "eval-every": { type: "string" },
  log: { type: "string" },
  plot: { type: "string" },
  save: { type: "string" },
  resume: { type: "string" },
  lr: { type: "string" },
  optimizer: { type: "string" },
  batch: { type: "string" },
  dim: { type: "string" },
  "seq-len": { type: "string" },
  k: { type: "string" },
  "random-triggers": { type: "boolean" },
  loss: { type: "string" },
  "final-ffn": { type: "boolean" },
  freeze: { type: "string" },
  seed: { type: "string" },
  "init-seed": { type: "string" },
  workers: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function int(flag: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, got "${text}"`);
  }
  return v;
}

function choice<T extends string>(
  flag: string,
  text: string | undefined,
  allowed: T[],
): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as string[]).includes(text)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got "${text}"`);
  }
  return text as T;
}

/**
 * Reads the command line into a config and options; throws {@linkcode UsageError} with a clear
 * message for an unknown flag, a missing value or a bad number.
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "@lib/train/cli.ts";
 * const { config } = parseTrainArgs(["--preset", "cpu", "--freeze", "wK1:300,wK2:300"]);
 * config.freeze.length; // 2
 * ```
 */
export function parseTrainArgs(args: string[]): TrainCliOptions {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const names = Object.keys(presets) as PresetName[];
  const preset = choice<PresetName>("preset", values.preset, names) ?? "cpu";
  let backend: BackendChoice;
  try {
    backend = parseBackend(values.backend ?? "auto");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const lr = values.lr === undefined ? undefined : Number(values.lr);
  if (lr !== undefined && !(lr > 0 && Number.isFinite(lr))) {
    throw new UsageError(`--lr must be a positive, finite number, got "${values.lr}"`);
  }
  const seqLen = int("seq-len", values["seq-len"], 2);
  const overrides: ConfigOverrides = {
    steps: int("steps", values.steps, 0),
    evalEvery: int("eval-every", values["eval-every"]),
    batchSize: int("batch", values.batch),
    seed: int("seed", values.seed, 0),
    loss: choice("loss", values.loss, ["inContext", "all"]),
    model: {
      ...(values["init-seed"] ? { seed: int("init-seed", values["init-seed"], 0) } : {}),
      ...(values.dim ? { dim: int("dim", values.dim) } : {}),
      ...(values["final-ffn"] ? { finalFfn: true } : {}),
      ...(seqLen ? { maxLen: seqLen } : {}),
    },
    data: {
      ...(seqLen ? { seqLen } : {}),
      ...(values.k ? { k: int("k", values.k, 0) } : {}),
      ...(values["random-triggers"] ? { fixedTriggers: false } : {}),
    },
    optimizer: {
      ...(lr ? { lr } : {}),
      ...(values.optimizer
        ? { kind: choice("optimizer", values.optimizer, ["sgd", "adamw"]) }
        : {}),
    },
  };
  if (values.freeze !== undefined) {
    try {
      overrides.freeze = parseFreeze(values.freeze);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values.resume) {
    const allowed = new Set([
      "resume",
      "steps",
      "eval-every",
      "log",
      "plot",
      "save",
      "backend",
      "workers",
    ]);
    const extra = Object.keys(values).filter((k) => !allowed.has(k));
    if (extra.length > 0) {
      throw new UsageError(
        `--resume continues the saved run with its own config; drop ${
          extra.map((k) => `--${k}`).join(", ")
        } (only --steps, --eval-every, --log, --plot, --save, --backend may change)`,
      );
    }
  }
  const outputs = [["--log", values.log], ["--plot", values.plot], ["--save", values.save]]
    .filter((o): o is [string, string] => o[1] !== undefined);
  for (const [i, [flag, path]] of outputs.entries()) {
    const same = outputs.slice(i + 1).find((o) => o[1] === path);
    if (same) throw new UsageError(`${flag} and ${same[0]} name the same file, ${path}`);
  }
  let config: TrainConfig;
  try {
    config = withOverrides(presets[preset], overrides);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    config,
    backend,
    log: values.log,
    plot: values.plot,
    save: values.save,
    resume: values.resume,
    workers: int("workers", values.workers),
    help: values.help ?? false,
  };
}

/**
 * What `deno task train` runs of the lessons, passed in by its entry point
 * (`lessons/05_training/train.ts`), which imports them through `@exercises/`.
 */
export interface TrainTool {
  /** Lesson 1's module (the data generator). */
  data: DataLesson;
  /** Lesson 5's module (loss, update, step, freezing). */
  training: TrainingLesson;
  /** Lesson 6's gradient averaging (Exercise 6.6), for `--workers`. */
  averageGradients: GradientAverager;
  /** The Worker script of data-parallel training (`serveGradients` with lesson 5's step). */
  workerUrl: URL;
  /** The entry point, started again with another import map for `--mine` or the reference. */
  entry: string | URL;
}

/**
 * Runs the command line with the lessons' parts; returns the exit code. A stub of the learner's
 * (with `--mine`) gets one line naming it, and exit code 1.
 *
 * @example
 * ```ts
 * import { main, type TrainTool } from "@lib/train/cli.ts";
 * declare const tool: TrainTool; // assembled by lessons/05_training/train.ts
 * // Deno.exit(await main(["--preset", "tiny"], tool));
 * ```
 */
export async function main(args: string[], tool: TrainTool): Promise<number> {
  try {
    return await run(args, tool);
  } catch (error) {
    if (!(error instanceof NotImplementedError)) {
      const crash = crashMessage(error, sourceInUse());
      if (crash === undefined) throw error;
      console.error(crash);
      return 1;
    }
    console.error(stubMessage(error));
    return 1;
  }
}

/**
 * The one line `deno task train --mine` prints when the learner's code (`source` "lessons")
 * throws: the error's first line and the learner's line from its stack (a Worker's error comes
 * back without one), and the lesson's command; `undefined` for the reference's code, whose
 * errors keep their stack trace.
 *
 * @example
 * ```ts
 * import { crashMessage } from "@lib/train/cli.ts";
 * crashMessage(new TypeError("x is undefined"), "lessons"); // "error: deno task train --mine stopped in your code ..."
 * crashMessage(new TypeError("x is undefined"), "solutions"); // undefined
 * ```
 */
export function crashMessage(error: unknown, source: CodeSource | undefined): string | undefined {
  if (source !== "lessons") return undefined;
  const name = error instanceof Error ? error.name : "a value";
  const text = (error instanceof Error ? error.message : String(error)).split("\n")[0].trim();
  const stack = error instanceof Error ? error.stack ?? "" : "";
  const where = stack.match(/lessons\/(\d\d)_\w+\/exercises\.ts:\d+/);
  const lesson = where ? Number(where[1]) : 5;
  return `error: deno task train --mine stopped in your code (lessons/): ${name}: ${text}` +
    (where ? ` (at ${where[0]})` : "") +
    `. \`deno task lesson ${lesson}\` checks it with its tests; without --mine the reference ` +
    "code runs.";
}

/**
 * The one line `deno task train --mine` prints for a stub of the learner's: the function, its
 * lesson (when the error's stack names the exercise file) and the command that says what is
 * missing.
 *
 * @example
 * ```ts
 * import { stubMessage } from "@lib/train/cli.ts";
 * import { NotImplementedError } from "@lib/testing/mod.ts";
 * stubMessage(new NotImplementedError("unigramFromCounts")); // "deno task train --mine runs ..."
 * ```
 */
export function stubMessage(error: NotImplementedError): string {
  const lesson = error.lesson;
  const where = lesson === undefined ? "" : ` (lesson ${lesson})`;
  return `deno task train --mine runs your code, and \`${error.exercise}\`${where} is not written ` +
    `yet: finish it (\`deno task lesson${
      lesson === undefined ? "" : ` ${lesson}`
    }\` says what is ` +
    `missing), or run without --mine for the reference code.`;
}

async function run(args: string[], tool: TrainTool): Promise<number> {
  let options: TrainCliOptions;
  try {
    const { source, rest } = usage(() => sourceFromArgs(args, "solutions"));
    options = parseTrainArgs(rest);
    if (!options.help) {
      const code = await runWithSource(source, tool.entry, args);
      if (code !== undefined) return code;
    }
    args = rest;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const fail = (message: string): number => {
    console.error(`error: ${message}`);
    return 1;
  };
  // Every output path is checked (and its folder made) before anything is trained.
  for (const [flag, path] of [["--save", options.save], ["--plot", options.plot]] as const) {
    const problem = path === undefined ? undefined : await outputProblem(flag, path);
    if (problem) return fail(problem);
  }
  if (options.log !== undefined) {
    const problem = await outputProblem("--log", options.log);
    if (problem) return fail(problem);
  }
  let checkpoint: Checkpoint | undefined;
  let config = options.config;
  const parts = trainerParts(tool.data, tool.training);
  if (options.resume) {
    try {
      checkpoint = await readCheckpoint(options.resume);
    } catch (error) {
      return fail((error as Error).message);
    }
    const steps = args.includes("--steps") ? config.steps : checkpoint.config.steps;
    const evalEvery = args.includes("--eval-every")
      ? config.evalEvery
      : checkpoint.config.evalEvery;
    config = { ...checkpoint.config, steps, evalEvery };
    if (checkpoint.step > steps) {
      return fail(
        `${options.resume} is at step ${checkpoint.step}, past --steps ${steps}: ` +
          `give --steps above ${checkpoint.step} to train on from it`,
      );
    }
  }
  if (options.backend === "auto" || options.backend === "webgpu") await quietMesa();
  const info = await initBackend(options.backend);
  const device = (tf.backend() as unknown as { device?: { limits?: { maxBufferSize?: number } } })
    .device;
  const tooBig = memoryProblem(config, backendMemory(info.name, device));
  if (tooBig) return fail(tooBig);
  const workers = workerCount(
    options.workers,
    info.name,
    config.batchSize,
    tool.averageGradients,
  );
  if (typeof workers === "string") return fail(workers);
  let pool: GradientPool | undefined;
  let trainer: Trainer;
  try {
    if (workers.count > 1) {
      pool = await GradientPool.start({
        workers: workers.count,
        backend: info.name,
        model: config.model,
        average: tool.averageGradients,
        workerUrl: tool.workerUrl,
      });
    }
    const stepParts = pool ? { ...parts, ...pool.parts() } : parts;
    trainer = options.resume
      ? await Trainer.load(options.resume, stepParts)
      : new Trainer(config, stepParts);
  } catch (error) {
    pool?.dispose();
    // A stub of the learner's (with --mine) gets the message of main, above.
    if (error instanceof NotImplementedError) throw error;
    return fail((error as Error).message);
  }
  if (checkpoint) {
    console.log(
      `Resuming ${options.resume} at step ${trainer.stepCount} of ${config.steps}.` +
        (trainer.stepCount === config.steps
          ? ` Nothing to train (give --steps above ${config.steps} to go on); evaluating.`
          : ""),
    );
  }
  const m = config.model;
  const d = config.data;
  console.log(sourceLine());
  console.log(`Workers: ${workers.line}`);
  console.log(
    `Backend: ${info.summary}\nModel: d=${m.dim} T=${d.seqLen} trained ${m.trainable.join(", ")}` +
      `${m.finalFfn ? " (with W_F)" : ""}; data: K=${d.k} ${
        d.fixedTriggers ? "fixed" : "random"
      } triggers; batch ${config.batchSize}, ${config.optimizer.kind} lr ${config.optimizer.lr}, ` +
      `loss on ${config.loss === "all" ? "all targets" : "in-context targets"}; ` +
      `seeds: data ${config.seed}, init ${m.seed}` +
      (config.freeze.length
        ? `; frozen: ${config.freeze.map((r) => `${r.param} until ${r.untilStep}`).join(", ")}`
        : ""),
  );
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const progress = progressReporter(config.steps, {
    loss: config.loss === "all" ? "lossAll" : "lossInContext",
  });
  const birth = new BirthWatch();
  let diverged: EvalRecord | undefined;
  let lastGood: EvalRecord | undefined;
  let savedStep: number | undefined;
  let saveError: string | undefined;
  const onEval = async (r: EvalRecord) => {
    progress.onEval(r);
    if (diverged || saveError) return;
    if (!(r.lossAll < DIVERGED_LOSS)) { // NaN, Infinity, or a blow-up on its way there
      diverged = r;
      controller.abort();
      return;
    }
    lastGood = r;
    birth.see(r);
    if (!options.save) return;
    try {
      await trainer.save(options.save);
      savedStep = r.step;
    } catch (error) {
      saveError = `cannot save the checkpoint to ${options.save}: ${(error as Error).message}`;
      controller.abort();
    }
  };
  try {
    let records: EvalRecord[];
    try {
      records = await train(config, {
        trainer,
        logPath: options.log,
        backend: info.name,
        signal: controller.signal,
        onStep: progress.onStep,
        onEval,
      });
    } catch (error) {
      progress.stop();
      const message = error instanceof Error ? error.message : String(error);
      if (options.log && (isFileError(error) || /\(os error \d+\)/.test(message))) {
        return fail(`--log ${options.log}: cannot write there: ${message.split("\n")[0]}`);
      }
      if (error instanceof RangeError || /memory|allocat|abort/i.test(message)) {
        return fail(
          `ran out of memory at step ${trainer.stepCount} (${message.split("\n")[0]}): ` +
            `use a smaller --dim, --seq-len or --batch`,
        );
      }
      throw error;
    }
    progress.stop();
    if (saveError) return fail(saveError);
    if (diverged) {
      const kept = options.save && savedStep !== undefined
        ? ` The checkpoint of step ${savedStep}, the last before it, is kept in ${options.save}.`
        : "";
      return fail(
        `training diverged: the loss is ${shortNumber(diverged.lossAll)} at step ${diverged.step}` +
          (lastGood ? ` (${shortNumber(lastGood.lossAll)} at step ${lastGood.step})` : "") +
          `; the learning rate ${config.optimizer.lr} is too large for this run ` +
          `(the presets use 0.2 with SGD).${kept}`,
      );
    }
    const last = records.at(-1)!;
    console.log(
      `Step ${last.step}: in-context accuracy ${last.inContextAcc.toFixed(3)}, ` +
        `recall W_O2 ${last.wO2.toFixed(2)}, W_K2 ${last.wK2.toFixed(2)}, ` +
        `W_K1 ${last.wK1.toFixed(2)} (t<64: ${last.wK1Early.toFixed(2)}); ` +
        `${(last.elapsedMs / 1000).toFixed(1)} s.` +
        (controller.signal.aborted ? " (Stopped early by Ctrl-C.)" : ""),
    );
    console.log(birth.summary());
    if (options.save) console.log(`Checkpoint: ${options.save}`);
    if (options.log) console.log(`Log: ${options.log}`);
    if (options.plot) {
      try {
        await Deno.writeTextFile(
          options.plot,
          trainingCurves(records, { title: describe(config) }),
        );
      } catch (error) {
        return fail(`cannot write the curves to ${options.plot}: ${(error as Error).message}`);
      }
      console.log(`Curves: ${options.plot}`);
    }
  } finally {
    progress.stop();
    Deno.removeSignalListener("SIGINT", onSigint);
    trainer.dispose();
    pool?.dispose();
  }
  return 0;
}

/**
 * How many data-parallel Workers to train with, and the line that says so; or why the request
 * cannot be met. The default is the number of cores (at most 4) on wasm and cpu, and 1 (this
 * process) on webgpu or while lesson 6's `averageGradients` is a stub. A request above the
 * batch size is capped at it, and one above the number of cores is run but said to share them.
 *
 * @example
 * ```ts
 * import { workerCount } from "@lib/train/cli.ts";
 * const average = () => ({}); // lesson 6's averageGradients, written
 * const w = workerCount(99, "wasm", 6, average, 2);
 * typeof w === "string" ? w : w.count; // 6: one sequence per Worker at most
 * ```
 */
export function workerCount(
  requested: number | undefined,
  backend: string,
  batch: number,
  averageGradients: GradientAverager,
  cores: number = navigator.hardwareConcurrency ?? 1,
): { count: number; line: string } | string {
  const one = (why: string) => ({ count: 1, line: `1 (this process${why})` });
  const cpuBackend = backend === "wasm" || backend === "cpu";
  if (requested === undefined && !cpuBackend) {
    return one(`; Workers split the batch on wasm or cpu`);
  }
  if (requested !== undefined && requested > 1 && !cpuBackend) {
    return `--workers ${requested} splits the batch over CPU Workers; the ${backend} backend ` +
      `trains in one process: give --backend wasm, or --workers 1`;
  }
  const count = Math.min(requested ?? defaultWorkers(), batch);
  if (count <= 1) return one(requested === 1 ? "" : `; --workers N splits each batch`);
  try {
    averageGradients([]);
  } catch (error) {
    if (!(error instanceof NotImplementedError)) throw error;
    if (requested !== undefined) {
      return `--workers ${requested} averages the Workers' gradients with lesson 6's ` +
        `\`averageGradients\`, which is not written yet: finish Exercise 6.6, or give --workers 1`;
    }
    return one(`; lesson 6's averageGradients is not written yet, so no Workers`);
  }
  const sizes = shardSizes(batch, count);
  const notes = [
    requested !== undefined && requested > batch
      ? `; --workers ${requested} capped at the batch size, ${batch}`
      : "",
    count > cores
      ? `; more Workers than this machine's ${cores} cores: they share them, and each step ` +
        `waits for the slowest`
      : "",
  ].join("");
  return {
    count,
    line: `${count} (data-parallel: each batch of ${batch} split ${shardList(sizes)}, ` +
      `gradients averaged by lesson 6's averageGradients${notes})`,
  };
}

/** Shard sizes as read aloud: "32 + 32", "22 + 21 + 21", and a run of three or more equal
 * ones counted ("64 × 1", "4 × 13 + 12"). */
function shardList(sizes: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sizes.length;) {
    let j = i;
    while (j < sizes.length && sizes[j] === sizes[i]) j++;
    const run = j - i;
    parts.push(...(run >= 3 ? [`${run} × ${sizes[i]}`] : sizes.slice(i, j).map(String)));
    i = j;
  }
  return parts.join(" + ");
}

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}

/**
 * A loss (nats per token, on all targets) at or above this means the run has diverged: guessing
 * uniformly costs log 65 = 4.2 nats, and 1000 nats means the model gives the true token a
 * probability of e^-1000. NaN and Infinity count too.
 */
const DIVERGED_LOSS = 1000;

function shortNumber(x: number): string {
  return Number.isFinite(x) && Math.abs(x) < 1e4 ? x.toFixed(2) : x.toPrecision(3);
}

/** Whether `error` is one of Deno's file-system errors. */
function isFileError(error: unknown): boolean {
  return Object.values(Deno.errors).some((E) => error instanceof E);
}

/**
 * Why a file cannot be written at `path` (for the option `flag`), in one line, or `undefined`
 * after making its folder: a folder there, a folder that cannot be made (a file in the way), or
 * no right to write. Nothing is left behind by the check.
 *
 * @example
 * ```ts
 * import { outputProblem } from "@lib/train/cli.ts";
 * await outputProblem("--save", "/tmp"); // "--save /tmp is a folder; give a file name, e.g. /tmp/checkpoint.json"
 * ```
 */
export async function outputProblem(flag: string, path: string): Promise<string | undefined> {
  const example = {
    "--save": "checkpoint.json",
    "--plot": "curves.svg",
    "--log": "log.jsonl",
    "--out": "report.json",
  }[
    flag
  ] ?? "file";
  let exists = false;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      return `${flag} ${path} is a folder; give a file name, e.g. ${join(path, example)}`;
    }
    exists = true;
  } catch (error) {
    if (error instanceof Deno.errors.NotADirectory) {
      return `${flag} ${path}: cannot make its folder ${dirname(path)}: a file is in the way`;
    }
    if (!(error instanceof Deno.errors.NotFound)) {
      return `${flag} ${path}: ${(error as Error).message}`;
    }
  }
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
  } catch (error) {
    return `${flag} ${path}: cannot make its folder ${dirname(path)}: ${(error as Error).message}`;
  }
  // A checkpoint is written beside its name, then renamed: the folder must take a new file.
  const probe = flag === "--save" ? `${path}.tmp` : path;
  const probeExisted = probe === path
    ? exists
    : await Deno.stat(probe).then(() => true, () => false);
  try {
    (await Deno.open(probe, { write: true, create: true })).close();
    if (!probeExisted) await Deno.remove(probe);
  } catch (error) {
    return `${flag} ${path}: cannot write there: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * A one-line summary of a config, for titles.
 *
 * @example
 * ```ts
 * import { describe } from "@lib/train/cli.ts";
 * import { presets } from "@lib/train/config.ts";
 * describe(presets.cpu); // "d=128 T=64 batch 64, K=5 fixed triggers, sgd lr 0.2"
 * ```
 */
export function describe(config: TrainConfig): string {
  const freeze = config.freeze.map((r) => `${r.param} frozen < ${r.untilStep}`).join(", ");
  return `d=${config.model.dim} T=${config.data.seqLen} batch ${config.batchSize}, K=${config.data.k} ${
    config.data.fixedTriggers ? "fixed" : "random"
  } triggers, ${config.optimizer.kind} lr ${config.optimizer.lr}` +
    (config.loss === "all" ? ", loss on all tokens" : "") +
    (config.model.finalFfn ? " + W_F" : "") + (freeze ? `, ${freeze}` : "");
}

/**
 * Mesa's software Vulkan driver (probed by the WebGPU backend) complains on stderr when
 * XDG_RUNTIME_DIR is unset; point it at a private folder, as `deno task demo` does.
 */
async function quietMesa(): Promise<void> {
  if (Deno.env.get("XDG_RUNTIME_DIR")) return;
  const dir = `${Deno.cwd()}/.course/runtime`;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  Deno.env.set("XDG_RUNTIME_DIR", dir);
}
