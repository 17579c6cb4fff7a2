/**
 * `deno task demo 9`: beyond the simplified model, with your lesson-9 code.
 *
 * 1. Live, small (the `tiny` preset: d = 64, T = 32, batch 32): one layer (evaluated with your
 *    `oneLayerForward`) against two layers, and a small full transformer built from your layer
 *    norm, heads and MLP, its heads ranked by your `inductionScore`.
 * 2. The cached `cpu`-preset runs (`figures/runs.jsonl`, made by `runs.ts`): one vs two layers,
 *    the freeze grid, the loss on all targets with W_F, learned embeddings.
 *
 * Options: `--steps N` (live steps, default 200, 400 for the full transformer), `--live KEY` (train only that variant live:
 * one of the keys of `variants.ts` or `full`), `--replot` (rewrite the figures and
 * `figures/results.json` from the cached runs).
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import pc from "picocolors";
import { codeLabel, runDemo, whose } from "@lib/course/demo_support.ts";
import { initBackend } from "@lib/tf/mod.ts";
import {
  fullFigure,
  fullLines,
  fullMapsFigure,
  globalLines,
  groupLines,
  LIVE_VARIANTS,
  type LivePoint,
  liveSteps,
  type RunRow,
  runsFigure,
  runTable,
  trainLive,
  withMapLabels,
} from "./experiment.ts";
import { FULL_FILE, FULL_RUNS, readRuns, RUNS, RUNS_FILE } from "./runs.ts";

const f2 = (x: number | undefined) => (x === undefined ? "  -  " : x.toFixed(2).padStart(5));

function liveLine(key: string, p: LivePoint): string {
  const probes = p.wO2 === undefined
    ? ""
    : `  W_O2 ${f2(p.wO2)}  W_K2 ${f2(p.wK2)}  W_K1 ${f2(p.wK1)}`;
  return `  ${key.padEnd(11)} step ${String(p.step).padStart(4)}  in-context acc ${
    f2(p.inContextAcc)
  }  global loss ${f2(p.lossGlobal)}${probes}`;
}

function printRows(rows: RunRow[], group: string, title: string, bold: (t: string) => string) {
  console.log(bold(title));
  for (const line of groupLines(rows, group)) console.log(line);
}

if (import.meta.main) {
  await runDemo(9, async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        steps: { type: "string" },
        live: { type: "string" },
        replot: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log("deno task demo 9 [--solutions] [--steps N] [--live KEY] [--replot]");
      console.log(`  KEY: ${LIVE_VARIANTS.map((v) => v.key).join(", ")}`);
      return;
    }
    const chosen = values.steps === undefined ? undefined : Number(values.steps);
    if (chosen !== undefined && (!Number.isInteger(chosen) || chosen < 10)) {
      throw new Error("--steps must be an integer >= 10");
    }
    const keys = LIVE_VARIANTS.map((v) => v.key);
    if (values.live !== undefined && !keys.includes(values.live)) {
      throw new Error(`--live: unknown variant "${values.live}"; one of ${keys.join(", ")}`);
    }
    const tty = Deno.stdout.isTerminal();
    const bold = (t: string) => tty ? pc.bold(t) : t;
    console.log(pc.dim(`Running ${codeLabel()}.`));
    console.log(pc.dim(`Backend: ${(await initBackend("wasm")).summary}\n`));

    const live = values.replot
      ? []
      : values.live
      ? [values.live]
      : ["one-layer", "two-layer", "full"];
    if (live.length) {
      console.log(
        bold(
          `Live, small (tiny preset: d = 64, T = 32, batch 32; full: d = 32; ${
            chosen ?? `${liveSteps("one-layer")} steps, full ${liveSteps("full")}`
          }${chosen ? " steps" : ""})`,
        ),
      );
    }
    for (const key of live) {
      const started = performance.now();
      const steps = chosen ?? liveSteps(key);
      const points = await trainLive(key, { steps, evalEvery: Math.max(10, steps / 4) });
      for (const p of points.filter((_, i) => i > 0)) console.log(liveLine(key, p));
      const last = points.at(-1)!;
      if (last.induction) {
        const ranked = last.induction.flatMap((hs, l) => hs.map((s, h) => ({ l, h, s })))
          .sort((a, b) => b.s - a.s);
        console.log(
          `  full: induction score per head (layer.head) ` +
            ranked.map((r) => `${r.l + 1}.${r.h + 1} ${r.s.toFixed(2)}`).join(", "),
        );
      }
      console.log(pc.dim(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`));
    }
    console.log();

    const full = withMapLabels(await readRuns(FULL_FILE));
    const results = [...await readRuns(RUNS_FILE), ...full];
    const rows = runTable(results);
    console.log(
      bold(
        `The cached runs (${results.length} of ${
          RUNS.length + FULL_RUNS.length
        }; figures/runs.jsonl, figures/full.jsonl)`,
      ),
    );
    console.log(
      "  steps to 50/90/95% in-context accuracy; late acc: mean of the last 10 evaluations",
    );
    printRows(rows, "layers", "One layer vs two (300 steps)", bold);
    printRows(rows, "freeze", "The freeze grid (600 steps, frozen until 300)", bold);
    printRows(rows, "global", "Loss on all targets, with W_F (300 steps)", bold);
    for (const line of globalLines(results, whose())) console.log(line);
    printRows(rows, "embeddings", "Learned embeddings (300 steps)", bold);
    console.log(bold("The full transformer (2 layers x 4 heads, d = 64, T = 64, batch 64, AdamW)"));
    for (const line of fullLines(results)) console.log(line);
    if (values.replot) {
      const dir = join(new URL(".", import.meta.url).pathname, "figures");
      for (const group of ["layers", "freeze", "global", "embeddings"]) {
        await Deno.writeTextFile(join(dir, `${group}.svg`), runsFigure(results, group));
      }
      await Deno.writeTextFile(join(dir, "full.svg"), fullFigure(results));
      await Deno.writeTextFile(join(dir, "full_maps.svg"), fullMapsFigure(results));
      await Deno.writeTextFile(join(dir, "results.json"), JSON.stringify({ runs: results }) + "\n");
      console.log(
        "\nwrote figures/{layers,freeze,global,embeddings,full,full_maps}.svg and figures/results.json",
      );
    }
  });
}
