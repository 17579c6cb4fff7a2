/**
 * `deno task train`: trains the simplified two-layer transformer from the command line, with a
 * live progress bar, a JSON-lines log, an SVG of the curves and checkpoints.
 *
 * ```sh
 * deno task train --preset cpu --log runs/cpu.jsonl --plot runs/cpu.svg --save runs/cpu.ckpt.json
 * deno task train --resume runs/cpu.ckpt.json --steps 800
 * deno task train --preset cpu --freeze wK1:300,wK2:300 --steps 600
 * deno task train --preset paper --backend webgpu     # d = T = 256, batch 512: for a GPU
 * ```
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "@lib/train/cli.ts";
 * parseTrainArgs(["--preset", "tiny", "--steps", "20"]).config.steps; // 20
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { type BackendChoice, initBackend, parseBackend } from "@lib/tf/mod.ts";
import {
  type ConfigOverrides,
  parseFreeze,
  type PresetName,
  presets,
  type TrainConfig,
  withOverrides,
} from "./config.ts";
import { train, Trainer } from "./trainer.ts";
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
  --save PATH          save a checkpoint at the end (and on Ctrl-C)
  --resume PATH        continue a run from a checkpoint (its config is kept)
  --lr X               learning rate
  --optimizer NAME     sgd (momentum 0.9, weight decay 1e-4) or adamw
  --batch N            sequences per step
  --dim N              model width d
  --seq-len N          sequence length T
  --k N                triggers per sequence
  --random-triggers    draw the K triggers per sequence (default: the K most frequent tokens)
  --loss NAME          inContext (label >= 2, the paper's default) or all
  --final-ffn          add the linear W_F layer (trained)
  --freeze SPEC        e.g. wK1:300,wK2:300 (frozen until step 300)
  --seed N             data seed
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
  if (lr !== undefined && !(lr > 0)) {
    throw new UsageError(`--lr must be a positive number, got "${values.lr}"`);
  }
  const seqLen = int("seq-len", values["seq-len"], 2);
  const overrides: ConfigOverrides = {
    steps: int("steps", values.steps, 0),
    evalEvery: int("eval-every", values["eval-every"]),
    batchSize: int("batch", values.batch),
    seed: int("seed", values.seed, 0),
    loss: choice("loss", values.loss, ["inContext", "all"]),
    model: {
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
    const allowed = new Set(["resume", "steps", "eval-every", "log", "plot", "save", "backend"]);
    const extra = Object.keys(values).filter((k) => !allowed.has(k));
    if (extra.length > 0) {
      throw new UsageError(
        `--resume continues the saved run with its own config; drop ${
          extra.map((k) => `--${k}`).join(", ")
        } (only --steps, --eval-every, --log, --plot, --save, --backend may change)`,
      );
    }
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
    help: values.help ?? false,
  };
}

/**
 * Runs the command line; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "@lib/train/cli.ts";
 * // Deno.exit(await main(["--preset", "tiny"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let options: TrainCliOptions;
  try {
    options = parseTrainArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.backend === "auto" || options.backend === "webgpu") await quietMesa();
  const info = await initBackend(options.backend);
  let trainer: Trainer | undefined;
  let config = options.config;
  if (options.resume) {
    trainer = await Trainer.load(options.resume);
    const steps = args.includes("--steps") ? config.steps : trainer.config.steps;
    const evalEvery = args.includes("--eval-every") ? config.evalEvery : trainer.config.evalEvery;
    config = { ...trainer.config, steps, evalEvery };
    console.log(`Resuming ${options.resume} at step ${trainer.stepCount} of ${steps}.`);
  }
  const m = config.model;
  const d = config.data;
  console.log(
    `Backend: ${info.summary}\nModel: d=${m.dim} T=${d.seqLen} trained ${m.trainable.join(", ")}` +
      `${m.finalFfn ? " (with W_F)" : ""}; data: K=${d.k} ${
        d.fixedTriggers ? "fixed" : "random"
      } triggers; batch ${config.batchSize}, ${config.optimizer.kind} lr ${config.optimizer.lr}, ` +
      `loss on ${config.loss === "all" ? "all targets" : "in-context targets"}` +
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
  trainer ??= new Trainer(config);
  try {
    const records = await train(config, {
      trainer,
      logPath: options.log,
      backend: info.name,
      signal: controller.signal,
      onStep: progress.onStep,
      onEval: progress.onEval,
    });
    progress.stop();
    const last = records.at(-1)!;
    console.log(
      `Step ${last.step}: in-context accuracy ${last.inContextAcc.toFixed(3)}, ` +
        `recall W_O2 ${last.wO2.toFixed(2)}, W_K2 ${last.wK2.toFixed(2)}, ` +
        `W_K1 ${last.wK1.toFixed(2)} (t<64: ${last.wK1Early.toFixed(2)}); ` +
        `${(last.elapsedMs / 1000).toFixed(1)} s.` +
        (controller.signal.aborted ? " (Stopped early by Ctrl-C.)" : ""),
    );
    if (options.save) {
      await Deno.mkdir(dirname(options.save), { recursive: true });
      await trainer.save(options.save);
      console.log(`Checkpoint: ${options.save}`);
    }
    if (options.log) console.log(`Log: ${options.log}`);
    if (options.plot) {
      await Deno.mkdir(dirname(options.plot), { recursive: true });
      await Deno.writeTextFile(options.plot, trainingCurves(records, { title: describe(config) }));
      console.log(`Curves: ${options.plot}`);
    }
  } finally {
    progress.stop();
    Deno.removeSignalListener("SIGINT", onSigint);
    trainer.dispose();
  }
  return 0;
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

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
