/**
 * `deno task demo 5`: trains the two-layer model with your training step, your SGD update, your
 * freezing schedule and your probes (or the reference's with `--solutions`), with a live progress
 * bar, then writes the run log and the curves (SVG) and prints where. The trainer's parts come
 * from `experiment.ts`, which the site's demo trains with too.
 *
 * Options:
 * - `--experiment NAME`: `birth` (default: the `cpu` preset, the induction head is born),
 *   `long` (the `cpu-long` preset: the head is born and W_K^1 also stores the positions < 64),
 *   `global` (loss on all tokens and a W_F layer: global bigrams first, in-context later),
 *   `freeze` (Figure 3: W_K^1 and W_K^2 frozen until step 300, against no freezing), or `all`;
 *   each the configuration of `experiment.ts`'s `liveConfig`, which the site's demo trains too.
 * - `--steps N`: steps per run (default: the experiment's).
 * - `--backend NAME`: auto, cpu, wasm or webgpu.
 * - `--out DIR`: where to write logs and figures (default `.course/runs/05_training`).
 * - `--replot`: do not train; redraw the figures from the logs already in `--out`.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import pc from "picocolors";
import { FREEZE_UNTIL, lessonParts, liveConfig, POSITION_CUTOFFS } from "./experiment.ts";
import { codeLabel, runDemo } from "@lib/course/demo_support.ts";
import { initBackend, parseBackend } from "@lib/tf/mod.ts";
import { presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import { describe } from "@lib/train/cli.ts";
import { compareRuns, trainingCurves } from "@lib/train/figures.ts";
import { readLog } from "@lib/train/log.ts";
import { figure, lineChart, type Series } from "@lib/train/plot.ts";
import { progressReporter } from "@lib/train/progress_bar.ts";
import { type EvalRecord, train } from "@lib/train/trainer.ts";

const EXPERIMENTS = ["birth", "long", "global", "freeze", "all"] as const;
type Experiment = typeof EXPERIMENTS[number];

/** The step at which each curve first reaches `level` (or "-"). */
function firstReach(records: EvalRecord[], key: keyof EvalRecord, level: number): string {
  const r = records.find((r) => Number(r[key]) >= level);
  return r ? String(r.step) : "-";
}

/** Prints what a run reached and when. */
function summarise(records: EvalRecord[]): void {
  const last = records.at(-1)!;
  console.log(
    `  step ${last.step}: in-context accuracy ${last.inContextAcc.toFixed(3)}; recall ` +
      `W_O2 ${last.wO2.toFixed(2)}, W_K2 ${last.wK2.toFixed(2)}, W_K1 ${last.wK1.toFixed(2)} ` +
      `(t<64 ${last.wK1Early.toFixed(2)}); ${(last.elapsedMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  first step at >= 0.9: accuracy ${firstReach(records, "inContextAcc", 0.9)}, ` +
      `W_O2 ${firstReach(records, "wO2", 0.9)}, W_K2 ${firstReach(records, "wK2", 0.9)}, ` +
      `W_K1(t<64) ${firstReach(records, "wK1Early", 0.9)}; accuracy >= 0.95 at ${
        firstReach(records, "inContextAcc", 0.95)
      }`,
  );
}

/**
 * Trains one configuration with the learner's code and writes its log, or with `replot` reads
 * the log a previous run wrote. Returns the evaluation records.
 */
async function run(
  name: string,
  config: TrainConfig,
  out: string,
  replot: boolean,
): Promise<EvalRecord[]> {
  const logPath = join(out, `${name}.jsonl`);
  if (replot) return (await readLog(logPath)).records;
  console.log(pc.bold(`\n${name}: ${describe(config)}, ${config.steps} steps`));
  const progress = progressReporter(config.steps, {
    loss: config.loss === "all" ? "lossAll" : "lossInContext",
  });
  let records: EvalRecord[];
  try {
    records = await train(config, {
      logPath,
      onStep: progress.onStep,
      onEval: progress.onEval,
      parts: lessonParts((note) => console.log(pc.yellow(`  (${note})`))),
    });
  } finally {
    progress.stop();
  }
  summarise(records);
  console.log(`  log: ${logPath}`);
  return records;
}

/** The `wK1Early` curve (positions < 64). */
function early(records: EvalRecord[]): Series {
  return { name: "positions < 64", points: records.map((r) => [r.step, r.wK1Early]) };
}

/**
 * W_K^1's recall on the first 8, 16, 32 positions, on the first 64 when the model has more, and on
 * all of them, over training.
 */
function positionChart(records: EvalRecord[], maxLen: number): string {
  const field = (r: EvalRecord, key: string) => (r as unknown as Record<string, number>)[key];
  return lineChart([
    ...POSITION_CUTOFFS.map((c) => ({
      name: `positions < ${c}`,
      points: records.map((r) => [r.step, field(r, `wK1Below${c}`) ?? NaN] as [number, number]),
    })),
    ...(maxLen > 64 ? [early(records)] : []),
    { name: "all positions", points: records.map((r) => [r.step, r.wK1]), color: "#222" },
  ], {
    title: "W_K^1 stores early positions first",
    xLabel: "step",
    yLabel: "W_K^1 recall",
    yMin: 0,
    yMax: 1,
    legend: "bottom-right",
  });
}

async function save(path: string, svg: string): Promise<void> {
  await Deno.writeTextFile(path, svg);
  console.log(pc.green(`  figure: ${path}`));
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      experiment: { type: "string", default: "birth" },
      steps: { type: "string" },
      backend: { type: "string", default: "auto" },
      out: { type: "string", default: join(".course", "runs", "05_training") },
      replot: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task demo 5 [--solutions] [--experiment NAME] [--steps N] [--backend NAME]\n" +
        "                        [--out DIR] [--replot]\n" +
        `  --experiment NAME  ${EXPERIMENTS.join(", ")} (default birth: the cpu preset, ~1 min)\n` +
        "  --steps N          steps per run (default: the experiment's; e.g. 30 for a quick look)\n" +
        "  --backend NAME     auto, cpu, wasm or webgpu (default auto)\n" +
        "  --out DIR          where logs and figures go (default .course/runs/05_training)\n" +
        "  --replot           redraw the figures from the logs in --out, without training",
    );
    return;
  }
  const experiment = values.experiment as Experiment;
  if (!EXPERIMENTS.includes(experiment)) {
    throw new Error(`--experiment must be one of ${EXPERIMENTS.join(", ")}`);
  }
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) {
    throw new Error(`--steps must be a positive integer, got "${values.steps}"`);
  }
  const replot = values.replot;
  if (!replot) {
    console.log(`Backend: ${(await initBackend(parseBackend(values.backend))).summary}`);
    console.log(`Running ${codeLabel()}.`);
  }
  const out = values.out;
  await Deno.mkdir(out, { recursive: true });
  const want = (e: Experiment) => experiment === e || experiment === "all";

  if (want("birth")) {
    const config = withOverrides(presets.cpu, steps ? { steps } : {});
    const records = await run("birth", config, out, replot);
    await save(
      join(out, "birth.svg"),
      trainingCurves(records, {
        title: `The induction head is born: ${describe(config)}`,
        extra: [positionChart(records, config.model.maxLen)],
      }),
    );
  }
  if (want("long")) {
    const config = withOverrides(presets["cpu-long"], steps ? { steps } : {});
    const records = await run("long", config, out, replot);
    await save(
      join(out, "long.svg"),
      trainingCurves(records, {
        title: `W_K^1 learns the positions < 64: ${describe(config)}`,
        extra: [positionChart(records, config.model.maxLen)],
      }),
    );
  }
  if (want("global")) {
    const config = liveConfig("global", steps);
    const records = await run("global", config, out, replot);
    await save(
      join(out, "global.svg"),
      trainingCurves(records, { title: `Global bigrams first: ${describe(config)}` }),
    );
  }
  if (want("freeze")) {
    const frozen = liveConfig("freeze", steps);
    const base = withOverrides(presets.cpu, { steps: frozen.steps });
    const a = await run("freeze_none", base, out, replot);
    const b = await run("freeze_wK_300", frozen, out, replot);
    const runs = [
      { name: "all three train from step 0", records: a },
      { name: `W_K1, W_K2 frozen until ${FREEZE_UNTIL}`, records: b, dashed: true },
    ];
    const vLines = [{ x: FREEZE_UNTIL, label: "unfreeze" }];
    await save(
      join(out, "freeze.svg"),
      figure([
        compareRuns(runs, "inContextAcc", { vLines }),
        compareRuns(runs, "wO2", { vLines }),
        compareRuns(runs, "wK2", { vLines }),
        compareRuns(runs, "wK1Early", { vLines }),
      ], { columns: 2, title: "Figure 3: W_O^2 alone does not give the induction head" }),
    );
  }
}

if (import.meta.main) {
  await runDemo(5, () => demo(Deno.args));
}
