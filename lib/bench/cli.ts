/**
 * `deno task bench`: the course benchmark. For each named configuration (lesson 5's `cpu` and
 * `paper` presets by default) and each backend that starts here (cpu, wasm, webgpu), in one
 * run: the plain 2-D matmul GFLOP/s, the median training-step time, tokens/s, the achieved
 * GFLOP/s (model FLOPs, lib/bench/flops.ts) and its fraction of the matmul ceiling, kernels per
 * step and the speed relative to the fastest backend; on WebGPU, lesson 6's fused kernels against
 * the plain composition and the cost of a readback every step; and the time until the induction
 * head is born (in-context accuracy >= 95%) for the `cpu` configuration on the fastest backend.
 *
 * Each backend runs in its own process, one after the other. A measurement that would not fit
 * `--budget` seconds is reported as skipped with its estimated time.
 *
 * @example
 * ```sh
 * deno task bench                                   # everything, as a table
 * deno task bench --json > bench.json               # the same, as JSON
 * deno task bench --config cpu --backends wasm --climb   # lesson 6's CPU climb
 * deno task bench --config tiny --mine              # time your lesson 1, 5 and 6 code
 * ```
 *
 * The command's parts, not its entry point: the entry point is `lessons/06_webgpu/bench.ts`, and
 * each backend runs in a worker process started from `lessons/06_webgpu/bench_worker.ts`, which
 * takes the lessons' code through `@exercises/` (see {@linkcode BenchTool}): the reference by
 * default (the command restarts itself with an import map pointing `@exercises/` at
 * `solutions/`, and passes that map to its workers) and the learner's with `--mine`.
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { probeWebGPU, quietMesa } from "@lib/webgpu/adapter.ts";
import {
  benchConfig,
  CONFIG_NAMES,
  parseVariant,
  stepShapeOf,
  type Variant,
  VARIANT_DESCRIPTIONS,
  VARIANTS,
} from "./configs.ts";
import { CLIMB_STAGES } from "./climb.ts";
import { readEnv } from "@lib/tf/mod.ts";
import { defaultWorkers } from "@lib/train/parallel.ts";
import { outputProblem } from "@lib/train/cli.ts";
import { stepFlops } from "./flops.ts";
import { type BenchReport, failedMeasurements, formatReport, type MachineInfo } from "./table.ts";
import { type Job, MESSAGE_PREFIX, type Task, type WorkerMessage } from "./worker.ts";
import {
  describeSource,
  importMapArgs,
  runWithSource,
  sourceFromArgs,
  sourceInUse,
  sourceLine,
} from "@lib/code_source/mod.ts";

const USAGE = `Usage: deno task bench [options]

  --config cpu,paper         configurations (lesson 5 presets: ${CONFIG_NAMES.join(", ")})
  --backends cpu,wasm,webgpu backends to measure (each in its own process)
  --variants course          step variants, any of:
${VARIANTS.map((v) => `    ${v.padEnd(11)} ${VARIANT_DESCRIPTIONS[v]}`).join("\n")}
  --climb                    add lesson 6's CPU climb on the first configuration, on
                             --climb-backend (default wasm):
                             ${CLIMB_STAGES.join(" → ")}
  --no-kernel                skip the WebGPU kernel comparison and the readback test
  --workers N                data-parallel Workers to compare with one process (the first
                             configuration, on wasm) and to train the birth run with too;
                             default: the number of cores, at most 4; 1 skips both
  --no-birth                 skip the time-to-birth runs
  --birth-cap 300            seconds before the birth run gives up
  --steps 5 --warmup 2       timed and untimed steps per measurement (the Workers comparison
                             runs at least 10 and 20: a Worker's first steps compile)
  --budget 60                seconds one measurement may take; longer ones are skipped
  --batch N                  replace every configuration's batch size
  --matmul-n 512             size of the plain matmul
  --json                     print the report as JSON (progress goes to stderr)
  --out FILE                 also write the JSON report to FILE, updated after each backend
                             (so a run stopped early keeps what it measured)
  --show FILE                print the table of a report saved with --json, and exit
  --mine                     time your code (lessons/) instead of the reference (solutions/)
`;

/**
 * Where `deno task bench`'s processes start, passed in by its entry point
 * (`lessons/06_webgpu/bench.ts`).
 */
export interface BenchTool {
  /** The worker script each backend runs in (`lessons/06_webgpu/bench_worker.ts`). */
  worker: URL;
  /** The entry point, started again with another import map for `--mine` or the reference. */
  entry: string | URL;
}

/** Parsed command-line options. */
export interface BenchOptions {
  /** Configuration names. */
  configs: string[];
  /** Backends. */
  backends: string[];
  /** Step variants on every backend. */
  variants: Variant[];
  /** Add the climb stages. */
  climb: boolean;
  /** The climb's backend. */
  climbBackend: string;
  /** WebGPU kernel tasks. */
  kernel: boolean;
  /** Time-to-birth run. */
  birth: boolean;
  /** Data-parallel Workers to measure (1: none). */
  workers: number;
  /** Its cap in seconds. */
  birthCapS: number;
  /** Timed steps. */
  steps: number;
  /** Untimed steps. */
  warmup: number;
  /** Seconds per measurement. */
  budgetS: number;
  /** Batch size override. */
  batch?: number;
  /** n of the plain matmul. */
  matmulN: number;
  /** JSON output. */
  json: boolean;
  /** Where to keep the JSON report up to date. */
  out?: string;
}

/**
 * Parses the command line (throws with a readable message on a bad option).
 *
 * @example
 * ```ts
 * import { parseBenchArgs } from "@lib/bench/cli.ts";
 * parseBenchArgs(["--config", "cpu", "--json"]).configs; // ["cpu"]
 * ```
 */
export function parseBenchArgs(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string", default: "cpu,paper" },
      backends: { type: "string", default: "cpu,wasm,webgpu" },
      variants: { type: "string", default: "course" },
      climb: { type: "boolean", default: false },
      "climb-backend": { type: "string", default: "wasm" },
      "no-kernel": { type: "boolean", default: false },
      "no-birth": { type: "boolean", default: false },
      workers: { type: "string" },
      "birth-cap": { type: "string", default: "300" },
      steps: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      budget: { type: "string", default: "60" },
      batch: { type: "string" },
      "matmul-n": { type: "string", default: "512" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
  const int = (s: string, name: string, min: number) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return v;
  };
  const configs = list(values.config);
  for (const c of configs) benchConfig(c); // checks the name
  const backends = list(values.backends);
  for (const b of backends) {
    if (!["cpu", "wasm", "webgpu"].includes(b)) {
      throw new Error(`Unknown backend "${b}". Choose from: cpu, wasm, webgpu.`);
    }
  }
  const climbBackend = values["climb-backend"];
  if (!["cpu", "wasm", "webgpu"].includes(climbBackend)) {
    throw new Error(
      `--climb-backend: unknown backend "${climbBackend}". Choose from: cpu, wasm, webgpu.`,
    );
  }
  if (values.climb && !backends.includes(climbBackend)) {
    throw new Error(
      `--climb runs on ${climbBackend}, which --backends ${backends.join(",")} leaves out: ` +
        `add it, or give --climb-backend one of ${backends.join(", ")}.`,
    );
  }
  return {
    configs,
    backends,
    variants: list(values.variants).map(parseVariant),
    climb: values.climb,
    climbBackend,
    kernel: !values["no-kernel"],
    birth: !values["no-birth"],
    workers: values.workers === undefined ? defaultWorkers() : int(values.workers, "workers", 1),
    birthCapS: int(values["birth-cap"], "birth-cap", 1),
    steps: int(values.steps, "steps", 1),
    warmup: int(values.warmup, "warmup", 1),
    budgetS: int(values.budget, "budget", 1),
    batch: values.batch === undefined ? undefined : int(values.batch, "batch", 1),
    matmulN: matmulSize(values["matmul-n"]),
    json: values.json,
    out: values.out,
  };
}

/** The largest plain matmul: its three [n, n] float32 matrices (3.2 GB) fit the wasm heap. */
const MAX_MATMUL_N = 16384;

function matmulSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 8 || n > MAX_MATMUL_N) {
    throw new Error(
      `--matmul-n must be an integer from 8 to ${MAX_MATMUL_N} (three n×n float32 matrices ` +
        `must fit in memory), got "${text}"`,
    );
  }
  return n;
}

/**
 * The tasks of each backend's worker, smaller configurations first (so that their measured
 * efficiency sharpens the estimates of the larger ones).
 *
 * @example
 * ```ts
 * import { parseBenchArgs, planTasks } from "@lib/bench/cli.ts";
 * planTasks(parseBenchArgs(["--backends", "wasm"])).get("wasm")!.length; // 2
 * ```
 */
export function planTasks(o: BenchOptions): Map<string, Task[]> {
  const flopsOf = (c: string) => stepFlops(stepShapeOf(benchConfig(c, o.batch))).total;
  const configs = [...o.configs].sort((a, b) => flopsOf(a) - flopsOf(b));
  const plan = new Map<string, Task[]>();
  for (const backend of o.backends) {
    const tasks: Task[] = [];
    for (const config of configs) {
      const variants = new Set<Variant>(o.variants);
      if (o.climb && backend === o.climbBackend && config === configs[0]) {
        for (const s of CLIMB_STAGES) variants.add(s);
      }
      if (o.kernel && backend === "webgpu") {
        variants.add("composed");
        variants.add("fused");
      }
      for (const variant of variants) tasks.push({ kind: "step", config, variant });
      if (o.kernel && backend === "webgpu") tasks.push({ kind: "op", config });
    }
    if (o.kernel && backend === "webgpu") tasks.push({ kind: "pipeline", config: configs[0] });
    if (o.workers > 1 && backend === "wasm") {
      tasks.push({ kind: "workers", config: configs[0], workers: o.workers });
    }
    plan.set(backend, tasks);
  }
  return plan;
}

/** Seconds a worker may run before it is stopped. */
function workerLimitS(tasks: Task[], o: BenchOptions): number {
  return 120 + tasks.reduce((s, t) => s + (t.kind === "birth" ? t.capS + 60 : 2 * o.budgetS), 0);
}

/**
 * Runs one worker process (the script `worker`, or the GPU kit's) and returns its messages (and,
 * if it failed or was stopped, why).
 *
 * @example
 * ```ts
 * import { runWorker } from "@lib/bench/cli.ts";
 * // const { messages } = await runWorker(job, 600, (m) => console.error(m), tool.worker);
 * ```
 */
export async function runWorker(
  job: Job,
  limitS: number,
  onMessage: (m: WorkerMessage) => void,
  worker: URL,
): Promise<{ messages: WorkerMessage[]; problem?: string }> {
  await quietMesa();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...importMapArgs(), ...workerScript(worker), JSON.stringify(job)],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    child.kill("SIGKILL");
  }, limitS * 1000);
  // Ctrl-C stops the worker too, not only this process.
  const interrupt = () => {
    child.kill("SIGKILL");
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", interrupt);
  const messages: WorkerMessage[] = [];
  const stderr = new Response(child.stderr).text();
  let pending = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith(MESSAGE_PREFIX)) continue;
      const m = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage;
      messages.push(m);
      onMessage(m);
    }
  }
  const status = await child.status;
  clearTimeout(timer);
  Deno.removeSignalListener("SIGINT", interrupt);
  const errText = (await stderr).trim().split("\n").filter((l) => !/^\s*at /.test(l));
  if (stopped) return { messages, problem: `stopped after ${limitS} s` };
  if (!status.success) {
    return { messages, problem: `exited with code ${status.code}: ${errText.slice(-3).join(" ")}` };
  }
  return { messages };
}

async function machineInfo(): Promise<MachineInfo> {
  let cpu = "unknown CPU";
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    cpu = text.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? cpu;
  } catch { /* not Linux */ }
  const gpu = await probeWebGPU();
  return {
    date: new Date().toISOString().slice(0, 16).replace("T", " "),
    deno: Deno.version.deno,
    tfjs: tf.version.tfjs,
    cpu,
    threads: navigator.hardwareConcurrency,
    load: Deno.loadavg()[0],
    webgpu: gpu.available
      ? `${gpu.description}${gpu.software ? " (software, no GPU)" : ""}`
      : `none (${gpu.reason})`,
    code: describeSource(sourceInUse()),
  };
}

/**
 * The progress line printed (to stderr with `--json`) when a backend's process reports `m`.
 *
 * @example
 * ```ts
 * import { progress } from "@lib/bench/cli.ts";
 * progress({ type: "started", backend: "wasm", summary: "wasm (SIMD)" }); // "wasm: started (wasm (SIMD))"
 * ```
 */
export function progress(m: WorkerMessage): string | undefined {
  const f = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(1));
  switch (m.type) {
    case "started":
      return `${m.backend}: started (${m.summary})`;
    case "unavailable":
      return `${m.backend}: cannot start (${m.reason})`;
    case "matmul":
      return `${m.result.backend}: matmul ${f(m.result.gflops)} GFLOP/s`;
    case "step": {
      const r = m.result;
      const what = `${r.backend}: ${r.config} ${r.variant}`;
      return r.status === "ok"
        ? `${what}: ${f(r.medianMs)} ms/step, ${f(r.gflops)} GFLOP/s`
        : `${what}: ${r.status} (${r.reason})`;
    }
    case "op":
      return `${m.result.backend}: attention op ${m.result.reason ?? "measured"}`;
    case "pipeline":
      return `${m.result.backend}: readback test ${m.result.reason ?? "measured"}`;
    case "birth": {
      const b = m.result;
      const what = `${b.backend}: birth of the ${b.config} configuration` +
        (b.workers ? ` with ${b.workers} Workers` : "");
      return `${what}: ` +
        (b.status === "born"
          ? `born at step ${b.step}, ${f(b.seconds)} s`
          : b.status === "not born"
          ? `not born within the cap (accuracy ${
            b.lastAcc?.toFixed(3) ?? "-"
          } after ${b.stepsRun} steps)`
          : `failed (${b.reason})`);
    }
    case "workers": {
      const w = m.result;
      return `${w.backend}: one process vs ${w.workers} Workers: ` +
        (w.reason ?? `${f(w.oneMs)} vs ${f(w.manyMs)} ms/step, ${f(w.speedup)}x`);
    }
  }
}

/**
 * Runs the benchmark, each backend in a process of the script `worker`, and returns its report.
 *
 * @example
 * ```ts
 * import { parseBenchArgs, runBench } from "@lib/bench/cli.ts";
 * // const report = await runBench(parseBenchArgs(["--config", "tiny"]), tool.worker);
 * ```
 */
export async function runBench(
  o: BenchOptions,
  worker: URL,
  log: (line: string) => void = console.error,
  problems: string[] = [],
): Promise<BenchReport> {
  await quietMesa();
  const report: BenchReport = {
    machine: await machineInfo(),
    settings: { warmup: o.warmup, steps: o.steps, budgetS: o.budgetS, batch: o.batch },
    matmul: [],
    steps: [],
    ops: [],
    pipeline: [],
    notes: [],
  };
  const collect = (m: WorkerMessage) => {
    const line = progress(m);
    if (line) log(line);
    if (m.type === "matmul") report.matmul.push(m.result);
    else if (m.type === "step") report.steps.push(m.result);
    else if (m.type === "op") report.ops.push(m.result);
    else if (m.type === "pipeline") report.pipeline.push(m.result);
    else if (m.type === "birth") {
      if (m.result.workers) report.birthWorkers = m.result;
      else report.birth = m.result;
    } else if (m.type === "workers") (report.workers ??= []).push(m.result);
    else if (m.type === "unavailable") {
      report.notes.push(`${m.backend} could not start: ${m.reason}`);
    }
  };
  const job = (backend: string, tasks: Task[]): Job => ({
    backend,
    tasks,
    warmup: o.warmup,
    steps: o.steps,
    budgetS: o.budgetS,
    batch: o.batch,
    matmulN: o.matmulN,
  });
  const save = async () => {
    if (o.out) await Deno.writeTextFile(o.out, JSON.stringify(report, null, 2) + "\n");
  };
  const gpu = await probeWebGPU();
  for (const [backend, tasks] of planTasks(o)) {
    if (backend === "webgpu" && !gpu.available) {
      report.notes.push(`webgpu not measured: ${gpu.reason}`);
      continue;
    }
    const limit = workerLimitS(tasks, o);
    const { problem } = await runWorker(job(backend, tasks), limit, collect, worker);
    if (problem) {
      report.notes.push(`the ${backend} worker ${problem}; its later results are missing`);
      problems.push(`the ${backend} worker ${problem}`);
    }
    await save(); // a run stopped early keeps what it measured
  }
  if (o.birth) {
    const config = "cpu";
    const backend = fastestBackend(report, config);
    if (!backend) {
      report.notes.push("time to birth not measured: no backend measured a step");
    } else {
      log(`${backend}: training the ${config} configuration until the induction head is born ...`);
      const tasks: Task[] = [{ kind: "birth", config, capS: o.birthCapS }];
      if (o.workers > 1 && (backend === "wasm" || backend === "cpu")) {
        tasks.push({ kind: "birth", config, capS: o.birthCapS, workers: o.workers });
      }
      const { problem } = await runWorker(
        job(backend, tasks),
        workerLimitS(tasks, o),
        collect,
        worker,
      );
      if (problem) {
        report.notes.push(`the birth run ${problem}`);
        problems.push(`the birth run on ${backend} ${problem}`);
      }
    }
  }
  await save();
  return report;
}

/** The backend with the fastest course step on `config`, else the fastest matmul. */
function fastestBackend(report: BenchReport, config: string): string | undefined {
  const steps = report.steps.filter((s) => s.status === "ok" && s.config === config);
  const course = steps.filter((s) => s.variant === "course");
  const pool = course.length > 0 ? course : steps;
  if (pool.length > 0) return pool.reduce((a, b) => (a.medianMs! <= b.medianMs! ? a : b)).backend;
  const mm = report.matmul;
  return mm.length > 0 ? mm.reduce((a, b) => (a.gflops >= b.gflops ? a : b)).backend : undefined;
}

/**
 * The worker script each backend runs in: `worker` (the tool's), or the file named by
 * `COURSE_BENCH_WORKER` (the GPU kit's bundled worker, run without the project's `deno.json`,
 * on a machine that has no `node_modules`).
 */
function workerScript(worker: URL): string[] {
  const kit = readEnv("COURSE_BENCH_WORKER");
  return kit ? ["--no-config", kit] : [worker.pathname];
}

/**
 * `deno task bench`: parses `args`, runs the benchmark with the `tool`'s worker script and prints
 * the table (or JSON); returns the exit code (2 for bad arguments).
 *
 * @example
 * ```ts
 * import { type BenchTool, main } from "@lib/bench/cli.ts";
 * declare const tool: BenchTool; // given by lessons/06_webgpu/bench.ts
 * // Deno.exit(await main(["--config", "cpu", "--backends", "wasm", "--no-birth"], tool));
 * ```
 */
export async function main(args: string[], tool: BenchTool): Promise<number> {
  let options: BenchOptions;
  try {
    if (args.includes("-h") || args.includes("--help")) {
      console.log(USAGE);
      return 0;
    }
    const show = args.indexOf("--show");
    if (show >= 0) {
      const file = args[show + 1];
      if (!file) throw new Error("--show needs the path of a report saved with --json");
      const shown = await showReport(file);
      if (shown === undefined) return 1;
      console.log(shown);
      return 0;
    }
    const { source, rest } = sourceFromArgs(args, "solutions");
    options = parseBenchArgs(rest);
    const outProblem = options.out ? await outputProblem("--out", options.out) : undefined;
    if (outProblem) {
      console.error(`error: ${outProblem}`);
      return 1;
    }
    // The GPU kit's bundle has its code built in (the reference: see gpu_kit.sh).
    const code = readEnv("COURSE_BENCH_WORKER")
      ? undefined
      : await runWithSource(source, tool.entry, args);
    if (code !== undefined) return code;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  console.error(sourceLine());
  const problems: string[] = [];
  const report = await runBench(options, tool.worker, console.error, problems);
  console.log(options.json ? JSON.stringify(report, null, 2) : "\n" + formatReport(report));
  problems.push(...failedMeasurements(report).map((f) => `${f} (failed)`));
  for (const problem of problems) {
    console.error(`error: ${problem}; the report is incomplete.`);
  }
  return problems.length > 0 ? 1 : 0;
}

/**
 * The table of a report saved with `--json`, or `undefined` after printing one line that says
 * why the file is not one.
 */
async function showReport(file: string): Promise<string | undefined> {
  const fail = (why: string) => void console.error(`error: ${why}`);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  let report: Partial<Record<keyof BenchReport, unknown>>;
  try {
    report = JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message.replace(/\s+/g, " ").slice(0, 120);
    return fail(`${file} is not JSON (${why})`);
  }
  const lists = ["matmul", "steps", "ops", "pipeline", "notes"] as const;
  if (
    typeof report !== "object" || report === null || typeof report.machine !== "object" ||
    typeof report.settings !== "object" || !lists.every((k) => Array.isArray(report[k]))
  ) {
    return fail(
      `${file} is not a report saved by deno task bench --json (it needs "machine", ` +
        `"settings" and the lists ${lists.join(", ")})`,
    );
  }
  try {
    return formatReport(report as unknown as BenchReport);
  } catch (error) {
    return fail(
      `${file} is not a report this version can print: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}
