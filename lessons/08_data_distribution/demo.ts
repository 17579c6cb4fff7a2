/**
 * `deno task demo 8`: what the data distribution does, with your lesson-1 and lesson-8 code.
 *
 * 1. The composition of the data in each setting (400 sequences, T = 256), live.
 * 2. The sweep: steps to 50% and 90% in-context accuracy of the cpu preset for each K and
 *    trigger setting, from the cached runs in `figures/sweep.jsonl` (`sweep.ts` makes them),
 *    and the figure `figures/sweep.svg`.
 * 3. Out of distribution: the model's in-context accuracy next to the bigram alone, from
 *    `figures/ood.jsonl` (`ood.ts` makes it).
 *
 * Options: `--count N` (sequences per setting, default 400), `--seq-len T` (default 256),
 * `--seed N` (default 0), `--replot` (rewrite figures/sweep.svg and figures/results.json from
 * the cached runs).
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import pc from "picocolors";
import { codeLabel, runDemo } from "@lib/course/demo_support.ts";
import { COMPOSITION_SETTINGS, compositionTable, sweepFigure, sweepTable } from "./experiment.ts";
import { settingKey, SWEEP_FILE, type SweepResult, sweepSettings } from "./sweep.ts";
import { OOD_FILE, OOD_RUNS } from "./ood.ts";
import type { OodResult } from "./experiment.ts";
import { readJsonl } from "./processes.ts";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);

if (import.meta.main) {
  await runDemo(8, async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        count: { type: "string", default: "400" },
        "seq-len": { type: "string", default: "256" },
        seed: { type: "string", default: "0" },
        replot: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log("deno task demo 8 [--solutions] [--count N] [--seq-len T] [--seed N] [--replot]");
      return;
    }
    const count = Number(values.count);
    const seqLen = Number(values["seq-len"]);
    const seed = Number(values.seed);
    if (![count, seqLen, seed].every(Number.isInteger) || count < 1 || seqLen < 2 || seed < 0) {
      throw new Error("--count and --seq-len must be positive integers, --seed an integer >= 0");
    }
    const tty = Deno.stdout.isTerminal();
    const bold = (t: string) => tty ? pc.bold(t) : t;
    console.log(pc.dim(`Running ${codeLabel()}.\n`));

    console.log(
      bold(`The composition of the data (${count} sequences, T = ${seqLen}, seed ${seed})`),
    );
    console.log(
      `  ${"setting".padEnd(27)}${"in-ctx".padStart(7)}${"first".padStart(7)}${
        "global".padStart(7)
      }` +
        `${"per seq".padStart(8)}${"none".padStart(7)}${"bigram ok".padStart(10)}${
          "trig in".padStart(8)
        }`,
    );
    for (const r of compositionTable(COMPOSITION_SETTINGS, { count, seqLen, seed })) {
      console.log(
        `  ${r.name.padEnd(27)}${pct(r.inContextShare)}${pct(r.firstShare)}${pct(r.globalShare)}` +
          `${r.perSequence.toFixed(1).padStart(8)}${pct(r.withNone)}${
            pct(r.bigramRight).padStart(10)
          }` +
          `${pct(r.triggerShare).padStart(8)}`,
      );
    }
    console.log(
      "  in-ctx/first/global: shares of the targets; per seq: in-context targets per sequence; none:\n" +
        "  sequences without one; bigram ok: in-context targets that argmax pi_b(.|z_t) predicts;\n" +
        "  trig in: inputs that are a trigger.",
    );
    console.log();

    const sweep = await readJsonl<SweepResult>(SWEEP_FILE);
    const ood = await readJsonl<OodResult>(OOD_FILE);
    const total = sweepSettings().length;
    console.log(
      bold(`The sweep (cpu preset, ${sweep.length} of ${total} settings run; figures/sweep.jsonl)`),
    );
    if (sweep.length === 0) {
      console.log(
        "  no cached runs: `deno run -A lessons/08_data_distribution/sweep.ts` makes them",
      );
    } else {
      console.log(
        `  ${"setting".padEnd(14)}${"50% at".padStart(8)}${"90% at".padStart(8)}   last evaluation`,
      );
      for (const r of sweepTable(sweep)) {
        const at = (s: number | null) => (s === null ? "never" : String(s)).padStart(8);
        console.log(
          `  ${r.key.padEnd(14)}${at(r.to50)}${at(r.to90)}   step ${r.last.step}: ${
            r.last.acc.toFixed(2)
          }`,
        );
      }
      const missing = sweepSettings().map(settingKey).filter((k) =>
        !sweep.some((r) => r.key === k)
      );
      if (missing.length) console.log(`  not run: ${missing.join(", ")}`);
    }
    console.log();

    if (values.replot) {
      const dir = join(new URL(".", import.meta.url).pathname, "figures");
      await Deno.writeTextFile(join(dir, "sweep.svg"), sweepFigure(sweep));
      await Deno.writeTextFile(join(dir, "results.json"), JSON.stringify({ sweep, ood }) + "\n");
      console.log("wrote figures/sweep.svg and figures/results.json from the cached runs\n");
    }
    console.log(
      bold(
        `Out of distribution (cpu preset, ${ood.length} of ${OOD_RUNS.length} runs; figures/ood.jsonl)`,
      ),
    );
    for (const run of OOD_RUNS) {
      const r = ood.find((o) => o.name === run.name);
      console.log(`  trained on ${run.train.name} (${r ? `${r.steps} steps` : "not run"})`);
      if (!r) continue;
      for (const t of r.tests) {
        console.log(
          `    ${t.name.padEnd(34)} model ${t.model.toFixed(2)}   bigram alone ${
            t.bigram.toFixed(2)
          }` +
            `   (${t.count} in-context targets)`,
        );
      }
    }
  });
}
