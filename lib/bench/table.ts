/**
 * The benchmark's results and how they are printed: one {@linkcode BenchReport} object (what
 * `--json` writes) and {@linkcode formatReport}, the readable tables.
 *
 * @example
 * ```ts
 * import { formatReport, type BenchReport } from "@lib/bench/table.ts";
 * // console.log(formatReport(report));
 * ```
 * @module
 */

/** Where and when the benchmark ran. */
export interface MachineInfo {
  /** ISO date and time. */
  date: string;
  /** Deno's version. */
  deno: string;
  /** TensorFlow.js's version. */
  tfjs: string;
  /** The CPU model, from /proc/cpuinfo when readable. */
  cpu: string;
  /** Logical CPUs. */
  threads: number;
  /** The WebGPU adapter ("none: why" without one). */
  webgpu: string;
  /** The 1-minute load average when the run started (other work competing for the CPUs). */
  load?: number;
  /** Whose lesson code was timed ("the reference code (solutions/)", "your code (lessons/)"). */
  code?: string;
}

/** A plain 2-D matmul on one backend. */
export interface MatmulResult {
  /** The backend. */
  backend: string;
  /** n for [n, n] @ [n, n]. */
  n: number;
  /** Median ms per product. */
  ms: number;
  /** Achieved GFLOP/s. */
  gflops: number;
}

/** One training-step measurement (or why there is none). */
export interface StepResult {
  /** The configuration's name. */
  config: string;
  /** The backend. */
  backend: string;
  /** The step variant (see lib/bench/configs.ts). */
  variant: string;
  /** `ok`, `skipped` (too slow for the budget: see `estimatedMs`), or `failed`. */
  status: "ok" | "skipped" | "failed";
  /** Model FLOPs of one step (lib/bench/flops.ts). */
  flops: number;
  /** Tokens per step: batch × seq. */
  tokens: number;
  /** When set, the step was measured at this smaller batch and its time scaled up linearly. */
  measuredBatch?: number;
  /** Median ms per step. */
  medianMs?: number;
  /** Every timed step, ms. */
  stepMs?: number[];
  /** tokens / median step time. */
  tokensPerS?: number;
  /** flops / median step time, in GFLOP/s. */
  gflops?: number;
  /** gflops as a fraction of this backend's plain matmul GFLOP/s in the same run. */
  ofMatmul?: number;
  /** Kernels one step launches. */
  kernels?: number;
  /** Tensors one step leaves alive. */
  leakedTensors?: number;
  /** Estimated ms per step, when skipped. */
  estimatedMs?: number;
  /** Why it was skipped or failed. */
  reason?: string;
}

/** The attention weights' forward + backward pass alone, composition vs fused kernels. */
export interface OpResult {
  /** The configuration whose shape was used. */
  config: string;
  /** The backend. */
  backend: string;
  /** [batch, seq, dim]. */
  shape: [number, number, number];
  /** ms with plain tfjs ops. */
  composedMs?: number;
  /** ms with the fused WGSL kernels. */
  fusedMs?: number;
  /** Why it failed. */
  reason?: string;
}

/** Reading back every step vs once. */
export interface PipelineResult {
  /** The configuration. */
  config: string;
  /** The backend. */
  backend: string;
  /** ms per step with a readback after each. */
  syncEveryStepMs?: number;
  /** ms per step with one readback at the end. */
  syncAtEndMs?: number;
  /** Why it failed. */
  reason?: string;
}

/** Time to the induction head's birth. */
export interface BirthResult {
  /** The configuration. */
  config: string;
  /** The backend. */
  backend: string;
  /** `born`, `not born` (within the time cap), or `failed`. */
  status: "born" | "not born" | "failed";
  /** Accuracy threshold (0.95). */
  threshold: number;
  /** First evaluation step at or above the threshold. */
  step?: number;
  /** Wall seconds until then. */
  seconds?: number;
  /** The last in-context accuracy seen. */
  lastAcc?: number;
  /** Steps run in all. */
  stepsRun?: number;
  /** Wall seconds of the whole run. */
  totalSeconds?: number;
  /** Why it failed. */
  reason?: string;
  /** Data-parallel Workers of the run (absent: one process). */
  workers?: number;
  /** Seconds to start the Workers, before the run's clock started. */
  startS?: number;
}

/** The course's step in one process against N Workers (lib/bench/parallel.ts). */
export interface WorkersResult {
  /** The configuration. */
  config: string;
  /** The backend. */
  backend: string;
  /** N. */
  workers: number;
  /** Median ms per step in one process. */
  oneMs?: number;
  /** Median ms per step with N Workers. */
  manyMs?: number;
  /** oneMs / manyMs, measured interleaved. */
  speedup?: number;
  /** Seconds to start the Workers. */
  startS?: number;
  /** Untimed steps of each before the timed ones. */
  warmup?: number;
  /** Why it was skipped or failed. */
  reason?: string;
}

/** Everything one `deno task bench` run measured. */
export interface BenchReport {
  /** The machine. */
  machine: MachineInfo;
  /** The options of the run. */
  settings: { warmup: number; steps: number; budgetS: number; batch?: number };
  /** Plain matmul per backend. */
  matmul: MatmulResult[];
  /** Training steps. */
  steps: StepResult[];
  /** Attention-op timings (WebGPU kernel vs composition). */
  ops: OpResult[];
  /** Readback cost. */
  pipeline: PipelineResult[];
  /** Time to birth, on the fastest backend. */
  birth?: BirthResult;
  /** One process against N Workers (absent in reports of earlier versions). */
  workers?: WorkersResult[];
  /** Time to birth with N Workers. */
  birthWorkers?: BirthResult;
  /** Backends that could not start, and other remarks. */
  notes: string[];
}

/**
 * The measurements of a report that failed (a crash or an error, not a skip for the budget), one
 * line each: a benchmark with any of them did not run to the end, and the CLI exits 1.
 *
 * @example
 * ```ts
 * import { failedMeasurements } from "@lib/bench/table.ts";
 * failedMeasurements({ steps: [], ops: [], pipeline: [] }); // []
 * ```
 */
export function failedMeasurements(
  report: Pick<BenchReport, "steps" | "ops" | "pipeline" | "birth" | "birthWorkers" | "workers">,
): string[] {
  const failedReason = (r: { reason?: string }) =>
    r.reason !== undefined && !r.reason.startsWith("skipped") ? r.reason : undefined;
  const out: string[] = [];
  for (const s of report.steps) {
    if (s.status === "failed") out.push(`step ${s.config} ${s.backend} ${s.variant}: ${s.reason}`);
  }
  for (const o of report.ops) {
    const why = failedReason(o);
    if (why) out.push(`attention op ${o.config} ${o.backend}: ${why}`);
  }
  for (const p of report.pipeline) {
    const why = failedReason(p);
    if (why) out.push(`readback ${p.config} ${p.backend}: ${why}`);
  }
  for (const w of report.workers ?? []) {
    const why = failedReason(w);
    if (why) out.push(`Workers ${w.config}: ${why}`);
  }
  for (const b of [report.birth, report.birthWorkers]) {
    if (b?.status === "failed") out.push(`birth ${b.config} ${b.backend}: ${b.reason ?? "failed"}`);
  }
  return out;
}

const fmt = (x: number | undefined, digits = 1) =>
  x === undefined || !Number.isFinite(x) ? "-" : x.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });

/** Milliseconds, in ms below 10 s and in s above. */
function duration(ms: number): string {
  return ms < 10_000 ? `${fmt(ms, ms < 100 ? 1 : 0)} ms` : `${fmt(ms / 1000, 1)} s`;
}

/**
 * Renders rows as aligned columns (the first row is the header; text columns left, numbers
 * right). A shorter row (a skipped run) ends with one free-text cell.
 */
function table(rows: string[][]): string {
  const n = rows[0].length;
  const full = rows.filter((r) => r.length === n);
  const widths = rows[0].map((_, c) => Math.max(...full.map((r) => r[c].length)));
  const pad = (cell: string, c: number) =>
    c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]);
  return rows.map((r) =>
    r.length === n
      ? r.map(pad).join("  ").trimEnd()
      : [...r.slice(0, -1).map(pad), r[r.length - 1]].join("  ")
  ).join("\n");
}

/**
 * The speed of each ok step relative to the fastest ok step of the same configuration (any
 * backend, any variant): 1 for the fastest, 0.1 for one ten times slower.
 *
 * @example
 * ```ts
 * import { speedVsFastest } from "@lib/bench/table.ts";
 * speedVsFastest([]); // Map {}
 * ```
 */
export function speedVsFastest(steps: StepResult[]): Map<StepResult, number> {
  const out = new Map<StepResult, number>();
  const ok = steps.filter((s) => s.status === "ok" && s.medianMs !== undefined);
  for (const s of ok) {
    const best = Math.min(...ok.filter((p) => p.config === s.config).map((p) => p.medianMs!));
    out.set(s, best / s.medianMs!);
  }
  return out;
}

/**
 * The readable report: machine, matmul ceilings, the training-step table, the WebGPU kernel,
 * the readback cost and the time to birth.
 *
 * @example
 * ```ts
 * import { formatReport, type BenchReport } from "@lib/bench/table.ts";
 * const empty: BenchReport = {
 *   machine: { date: "", deno: "2", tfjs: "4.22.0", cpu: "x", threads: 2, webgpu: "none" },
 *   settings: { warmup: 2, steps: 5, budgetS: 60 }, matmul: [], steps: [], ops: [],
 *   pipeline: [], notes: [],
 * };
 * formatReport(empty).startsWith("Benchmark"); // true
 * ```
 */
export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `Benchmark of ${m.date} · Deno ${m.deno} · TensorFlow.js ${m.tfjs}`,
    `CPU: ${m.cpu} (${m.threads} threads${
      m.load === undefined ? "" : `, load average ${m.load.toFixed(1)} at the start`
    }) · WebGPU: ${m.webgpu}`,
    ...(m.code ? [`Code: ${m.code}`] : []),
    "",
  );
  if (r.matmul.length > 0) {
    out.push(
      "Plain 2-D matmul [n,n]@[n,n], the backend's own ceiling: " +
        r.matmul.map((x) => `${x.backend} ${fmt(x.gflops)} GFLOP/s (n=${x.n})`).join(" · "),
      "",
    );
  }
  if (r.steps.length > 0) {
    const speed = speedVsFastest(r.steps);
    const { warmup, steps, budgetS } = r.settings;
    out.push(
      `Training step: median of ${steps} after ${warmup} warm-up; a run estimated above ` +
        `${budgetS} s is skipped. GFLOP = model FLOPs (lib/bench/flops.ts).`,
    );
    const rows = [[
      "config",
      "backend",
      "variant",
      "GFLOP",
      "ms/step",
      "tokens/s",
      "GFLOP/s",
      "of matmul",
      "kernels",
      "vs fastest",
    ]];
    // Smaller configurations first; within one, the order of the run (backend by backend).
    const ordered = [...r.steps].sort((a, b) => a.flops - b.flops);
    for (const s of ordered) {
      const scaled = s.measuredBatch ? ` (B=${s.measuredBatch}, scaled)` : "";
      const head = [s.config, s.backend, s.variant + scaled, fmt(s.flops / 1e9, 2)];
      if (s.status === "ok") {
        rows.push([
          ...head,
          fmt(s.medianMs, s.medianMs! < 100 ? 1 : 0),
          fmt(s.tokensPerS, 0),
          fmt(s.gflops),
          s.ofMatmul === undefined ? "-" : `${fmt(100 * s.ofMatmul, 0)}%`,
          s.kernels === undefined ? "-" : String(s.kernels),
          fmt(speed.get(s), 2),
        ]);
      } else {
        const est = s.estimatedMs === undefined ? "" : `est. ${duration(s.estimatedMs)}/step; `;
        rows.push([...head, `${s.status}: ${est}${s.reason ?? ""}`]);
      }
    }
    out.push(table(rows), "");
    if (r.steps.some((s) => s.measuredBatch)) {
      out.push(
        "(B=n, scaled): too big for the backend's memory, measured at batch n and multiplied by " +
          "the batch ratio (the step's work is linear in the batch).",
        "",
      );
    }
    const gpu = gpuSpeedup(r.steps, "paper");
    if (gpu) out.push(gpu, "");
  }
  for (const o of r.ops) {
    const ratio = o.composedMs && o.fusedMs
      ? ` (fused is ${fmt(o.composedMs / o.fusedMs, 2)}x)`
      : "";
    out.push(
      `Attention weights on ${o.backend}, forward + backward at [${o.shape}] (${o.config}): ` +
        (o.reason ??
          `plain tfjs ops ${duration(o.composedMs!)} · fused WGSL kernels ${
            duration(o.fusedMs!)
          }${ratio}`),
    );
  }
  for (const p of r.pipeline) {
    out.push(
      `Readback on ${p.backend} (${p.config}): ` +
        (p.reason ??
          `loss read every step ${duration(p.syncEveryStepMs!)}/step · read once per run ${
            duration(p.syncAtEndMs!)
          }/step`),
    );
  }
  for (const w of r.workers ?? []) {
    out.push(
      `Data-parallel on ${w.backend} (${w.config}), one process vs ${w.workers} Workers, ` +
        `interleaved: ` +
        (w.reason ??
          `${duration(w.oneMs!)}/step vs ${duration(w.manyMs!)}/step, speed-up ${
            fmt(w.speedup, 2)
          }x (${
            w.warmup === undefined ? "" : `after ${w.warmup} untimed steps of each; `
          }starting the Workers: ${fmt(w.startS)} s, once)`),
    );
  }
  if (r.ops.length + r.pipeline.length + (r.workers?.length ?? 0) > 0) out.push("");
  for (const b of [r.birth, r.birthWorkers]) {
    if (!b) continue;
    const how = b.workers ? ` with ${b.workers} Workers` : "";
    const start = b.startS === undefined
      ? ""
      : `; starting the Workers took ${fmt(b.startS)} s more`;
    const what = `Time to birth (in-context accuracy >= ${b.threshold}) of the ${b.config} ` +
      `configuration on ${b.backend}${how}: `;
    out.push(
      what +
        (b.status === "born"
          ? `step ${b.step}, ${fmt(b.seconds)} s of wall time (training and evaluations)${start}`
          : b.status === "not born"
          ? `not reached within the cap: accuracy ${fmt(b.lastAcc, 3)} after ${b.stepsRun} ` +
            `steps (${fmt(b.totalSeconds)} s)`
          : `failed: ${b.reason}`),
      "",
    );
  }
  for (const n of r.notes) out.push(`Note: ${n}`);
  return out.join("\n").trimEnd() + "\n";
}

/**
 * "paper: webgpu is N× the fastest CPU backend" when both were measured, else a line saying
 * what is missing; undefined when the configuration was not in the run.
 *
 * @example
 * ```ts
 * import { gpuSpeedup } from "@lib/bench/table.ts";
 * gpuSpeedup([], "paper"); // undefined
 * ```
 */
export function gpuSpeedup(steps: StepResult[], config: string): string | undefined {
  const course = steps.filter((s) => s.config === config && s.variant === "course");
  if (course.length === 0) return undefined;
  const gpu = course.find((s) => s.backend === "webgpu" && s.status === "ok");
  const cpus = course.filter((s) => s.backend !== "webgpu" && s.status === "ok");
  if (!gpu || cpus.length === 0) {
    return `${config}: WebGPU vs the fastest CPU backend: not measured in this run ` +
      `(needs both; pending a GPU run, see lib/bench/gpu_check.sh).`;
  }
  const best = cpus.reduce((a, b) => (a.medianMs! <= b.medianMs! ? a : b));
  const scaled = best.measuredBatch ? ` (measured at batch ${best.measuredBatch}, scaled)` : "";
  return `${config}: WebGPU step is ${fmt(best.medianMs! / gpu.medianMs!, 2)}x the speed of ` +
    `${best.backend}${scaled} (goal on a real GPU: 20x).`;
}
