/**
 * `deno task demo 7`: a few gradient steps, top-down, with your lesson-7 code.
 *
 * 1. The copy gradient: your closed form against the autodiff population gradient.
 * 2. The ideal model (every family orthogonal): one chosen step on W_O^2, then W_K^2, then
 *    W_K^1, with the probes after each step; then the reverse order.
 * 3. The same three steps with the course's random embeddings at d = 256.
 *
 * Options: `--sequences S` (per gradient, default 256), `--held-out H` (default 128),
 * `--seq-len T` (default 32), `--seed N` (default 1), `--json` (the result as JSON).
 * @module
 */
import { parseArgs } from "node:util";
import pc from "picocolors";
import * as ex from "@exercises/07_top_down/exercises.ts";
import type { StepRecord } from "@exercises/07_top_down/exercises.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { codeLabel, runDemo } from "@lib/course/demo_support.ts";
import { defaultTopDownSettings, runTopDown, type TopDownSettings } from "./experiment.ts";

const NAMES: Record<string, string> = { wO2: "W_O^2", wK2: "W_K^2", wK1: "W_K^1" };

/**
 * One table of step records: the start, then one row per step.
 *
 * @example
 * ```ts
 * import { stepTable } from "./demo.ts";
 * stepTable([], 5).length; // 1: the header
 * ```
 */
export function stepTable(records: StepRecord[], k: number): string[] {
  const head = `  ${"after".padEnd(10)}${"step size".padStart(10)}${"‖grad‖".padStart(10)}` +
    `${"loss".padStart(7)}${"acc.".padStart(7)}${"W_O^2".padStart(7)}` +
    `${`W_K^2 (${k})`.padStart(11)}${"W_K^1".padStart(7)}`;
  const rows = records.map((r) =>
    `  ${(r.name ? `${NAMES[r.name]} step` : "zero init").padEnd(10)}` +
    `${(r.name ? fmt(r.eta) : "").padStart(10)}` +
    `${(r.name ? r.gradNorm.toExponential(1) : "").padStart(10)}` +
    `${r.loss.toFixed(2).padStart(7)}${r.acc.toFixed(2).padStart(7)}` +
    `${r.probes.wO2.toFixed(2).padStart(7)}${r.probes.wK2.toFixed(2).padStart(11)}` +
    `${r.probes.wK1.toFixed(2).padStart(7)}`
  );
  return [head, ...rows];
}

function fmt(x: number): string {
  return x === 0 ? "0" : x >= 1 ? String(Math.round(x)) : x.toPrecision(2);
}

if (import.meta.main) {
  await runDemo(7, async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        sequences: { type: "string" },
        "held-out": { type: "string" },
        "seq-len": { type: "string" },
        seed: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(
        "deno task demo 7 [--solutions] [--sequences S] [--held-out H] [--seq-len T] " +
          "[--seed N] [--json]",
      );
      return;
    }
    const int = (text: string | undefined, fallback: number, name: string, min: number) => {
      if (text === undefined) return fallback;
      const v = Number(text);
      if (!Number.isInteger(v) || v < min) {
        throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`);
      }
      return v;
    };
    const settings: TopDownSettings = {
      ...defaultTopDownSettings,
      sequences: int(values.sequences, defaultTopDownSettings.sequences, "sequences", 1),
      heldOut: int(values["held-out"], defaultTopDownSettings.heldOut, "held-out", 1),
      seqLen: int(values["seq-len"], defaultTopDownSettings.seqLen, "seq-len", 2),
      seed: int(values.seed, defaultTopDownSettings.seed, "seed", 0),
    };
    const backend = await initBackend("wasm");
    if (!values.json) console.log(pc.dim(`Running ${codeLabel()}.`));
    const tty = Deno.stdout.isTerminal() && !values.json;
    const result = runTopDown(ex, settings, (what, done, total) => {
      if (tty) {
        Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K[${done}/${total}] ${what}`));
      }
    });
    if (tty) Deno.stdout.writeSync(new TextEncoder().encode("\r\x1b[2K"));
    if (values.json) {
      console.log(JSON.stringify(result, null, 1));
      return;
    }
    const s = result.settings;
    const bold = (t: string) => tty ? pc.bold(t) : t;
    console.log(
      `Lesson 7: T = ${s.seqLen}, K = ${s.k} fixed triggers, ${s.sequences} sequences per ` +
        `gradient, ${s.heldOut} held-out, backend ${backend.name} (${result.seconds.toFixed(1)} s)`,
    );
    console.log();
    console.log(bold("The copy gradient at zero init (ideal model)"));
    console.log(
      `  closed form vs autodiff: largest difference ${result.copyMaxDiff.toExponential(1)}; ` +
        `mean diagonal ${result.copyDiagonal.diagonal.toFixed(4)}, mean off-diagonal ` +
        `${result.copyDiagonal.offDiagonal.toFixed(4)}`,
    );
    console.log();
    console.log(bold(`Ideal model (d = ${result.idealDim}): W_O^2, then W_K^2, then W_K^1`));
    for (const line of stepTable(result.ideal, s.k)) console.log(line);
    console.log();
    console.log(bold("Ideal model, reverse order: W_K^1, then W_K^2, then W_O^2"));
    for (const line of stepTable(result.reverse, s.k)) console.log(line);
    console.log(
      `  W_K^1 and W_K^2 after the reverse order: ${
        result.reverseKeysZero ? "exactly 0" : "NOT zero"
      }`,
    );
    console.log();
    console.log(bold(`Random N(0,1) embeddings, d = ${s.randomDim}: the same order`));
    for (const line of stepTable(result.random, s.k)) console.log(line);
    console.log(
      `  copy read-out of the first W_O^2 gradient vs the closed form: correlation ` +
        `${result.randomReadoutCorrelation.toFixed(2)} (ideal model: 1)`,
    );
  });
}
