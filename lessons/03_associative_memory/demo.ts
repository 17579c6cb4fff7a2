/**
 * `deno task demo 3`: the associative memories at work (your code in `lessons/`, or the reference
 * with `--solutions`). The numbers come from `experiment.ts`, which the site's demo draws too;
 * this file only prints them.
 *
 * 1. The capacity experiment, computed live with your `capacityTable`: top-1 recall of
 *    W = Σ v_f(i) u_i^T for widths d and numbers of pairs N, with a progress bar, then a plot of
 *    recall against N for every d.
 * 2. One gradient step from W = 0 on tiny Shakespeare's bigrams (your lesson-1 `loadStats`):
 *    which associations the step stores, and how strongly.
 * 3. Reading a token, a position and a remapped token out of one superposition.
 *
 * Options: `--seed N` (default 42), `--draws K` (memories per cell, default 3), `--quick` (a
 * smaller table, one draw).
 * @module
 */
import { parseArgs } from "node:util";
import pc from "picocolors";
import { initBackend } from "@lib/tf/mod.ts";
import { codeLabel, runDemo } from "@lib/course/demo_support.ts";
import { capacity, oneStepBigrams, superposition } from "./experiment.ts";

const MARKS = "abcdefgh";

/** Shows a character readably: `⏎` for a newline, `␣` for a space. */
function show(ch: string): string {
  return ch === "\n" ? "⏎" : ch === " " ? "␣" : ch;
}

/** A progress bar on one terminal line (nothing when stdout is not a terminal). */
function progressBar(label: string, tty: boolean): (done: number, total: number) => void {
  const started = performance.now();
  return (done, total) => {
    if (!tty) return;
    const width = 30;
    const full = Math.round((width * done) / total);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const bar = "█".repeat(full) + "░".repeat(width - full);
    Deno.stdout.writeSync(
      new TextEncoder().encode(`\r${label} [${bar}] ${done}/${total} ${secs} s`),
    );
    if (done === total) Deno.stdout.writeSync(new TextEncoder().encode("\r\x1b[2K"));
  };
}

/** Colours a recall: green when perfect, red when mostly wrong. */
function shade(r: number, text: string, tty: boolean): string {
  if (!tty) return text;
  return r >= 0.99 ? pc.green(text) : r < 0.5 ? pc.red(text) : pc.yellow(text);
}

/**
 * Recall (0..1, rows) against log2 N (columns), one letter per d. The points of one N sit in
 * adjacent columns, so no two marks ever hide each other.
 */
function plot(table: number[][], dims: number[], counts: number[], tty: boolean): string[] {
  const rows = 11; // 1.0, 0.9, ..., 0.0
  const group = dims.length + 2;
  const grid = Array.from({ length: rows }, () => new Array(counts.length * group).fill(" "));
  table.forEach((row, di) =>
    row.forEach((r, ni) => {
      const y = rows - 1 - Math.round(r * (rows - 1));
      const mark = MARKS[di];
      grid[y][ni * group + di] = tty
        ? [pc.red, pc.yellow, pc.green, pc.cyan, pc.blue, pc.magenta, pc.white, pc.gray][di](mark)
        : mark;
    })
  );
  const lines = grid.map((cells, y) => {
    const label = y % 2 === 0 ? ((rows - 1 - y) / (rows - 1)).toFixed(1) : "   ";
    return `  ${label} ┤${cells.join("")}`;
  });
  lines.push(`      └${"─".repeat(counts.length * group)}`);
  lines.push(`       ${counts.map((n) => `N=${n}`.padEnd(group)).join("")}`);
  lines.push(`       ${dims.map((d, i) => `${MARKS[i]}: d=${d}`).join("  ")}`);
  return lines;
}

/** Part 2: one gradient step on tiny Shakespeare's bigram statistics. */
function oneStep(seed: number, tty: boolean): void {
  console.log(
    pc.bold(
      "\nOne gradient step from W = 0 on tiny Shakespeare's bigrams (p(z) = π_u, p(k|z) = π_b)",
    ),
  );
  console.log(
    pc.dim("strength of z → k: w_U(k)^T W_1 w_E(z) with lr = 1; theory: ≈ π_u(z) (π_b(k|z) - 1/N)"),
  );
  for (const dim of [64, 256]) {
    const r = oneStepBigrams(seed, dim);
    console.log(`\n  d = ${dim}:`);
    for (const { z, k, strength, best, theory } of r.rows.slice(0, 5)) {
      const mark = k === best ? "✔" : "✘";
      console.log(
        `    after ${show(r.vocab[z])} (π_u ${(100 * r.unigram[z]).toFixed(1)}%): memory says ` +
          `${show(r.vocab[k])} (strength ${strength.toFixed(4)}), π_b's favourite is ` +
          `${show(r.vocab[best])} (theory ${theory.toFixed(4)}) ${
            shade(k === best ? 1 : 0, mark, tty)
          }`,
      );
    }
    console.log(
      `    the most likely next character is recalled for ${r.frequent}/10 of the most frequent inputs, ` +
        `${r.rare}/20 of the rarest;\n    ${(100 * r.share).toFixed(0)}% of the 65 characters, ` +
        `${(100 * r.mass).toFixed(0)}% of the text (weighted by π_u). Correlation of all 65 × 65 ` +
        `strengths with the theory: ${r.correlation.toFixed(2)}`,
    );
  }
}

/** Part 3: reading each slot of x = w_E(a) + p_t + R w_E(b). */
function readSuperposition(seed: number): void {
  console.log(
    pc.bold(
      "\nReading a superposition x = w_E(a) + p_t + R w_E(b) (65 tokens, 64 positions, 500 draws)",
    ),
  );
  console.log(
    `  ${"d".padStart(5)}  ${"token a".padStart(8)}  ${"position t".padStart(10)}  ${
      "remapped b".padStart(10)
    }`,
  );
  for (const dim of [8, 16, 32, 64, 128, 256]) {
    const r = superposition(seed, dim, 500);
    const cells = [r.token, r.position, r.remapped];
    console.log(
      `  ${String(dim).padStart(5)}  ${
        cells.map((c, i) => `${(100 * c).toFixed(1)}%`.padStart(i === 0 ? 8 : 10)).join("  ")
      }`,
    );
  }
}

/** Prints the demo. */
async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: "string", default: "42" },
      draws: { type: "string" },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task demo 3 [--solutions] [--seed N] [--draws K] [--quick]\n" +
        "  --seed N   seed (default 42)\n" +
        "  --draws K  memories per cell of the capacity table, 1 to 20 (default 3)\n" +
        "  --quick    a smaller table, one draw",
    );
    return;
  }
  const seed = Number(values.seed);
  const draws = Number(values.draws ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(seed) || !(Number.isInteger(draws) && draws >= 1 && draws <= 20)) {
    throw new Error("--seed takes an integer and --draws a number of memories between 1 and 20");
  }
  const tty = Deno.stdout.isTerminal();
  const info = await initBackend("auto");
  console.log(pc.dim(`backend: ${info.summary}; running ${codeLabel()}`));

  // 1. The capacity table.
  const dims = values.quick ? [16, 32, 64, 128, 256] : [16, 32, 64, 128, 256, 512];
  const counts = values.quick
    ? [16, 32, 64, 128, 256, 512, 1024]
    : [16, 32, 64, 128, 256, 512, 1024, 2048];
  console.log(pc.bold(
    `\nCapacity: top-1 recall of W = Σ_i v_f(i) u_i^T, random f, u, v ~ N(0, I/d), mean of ${draws} draw(s)`,
  ));
  const started = performance.now();
  const table = capacity({
    seed,
    dims,
    counts,
    draws,
    onProgress: progressBar("  computing", tty),
  });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`  ${"d \\ N".padEnd(7)}${counts.map((n) => String(n).padStart(7)).join("")}`);
  table.forEach((row, i) => {
    const cells = row.map((r) => shade(r, r.toFixed(3).padStart(7), tty));
    console.log(`  ${String(dims[i]).padEnd(7)}${cells.join("")}`);
  });
  console.log(pc.dim(`  (${dims.length * counts.length * draws} memories in ${secs} s)`));
  console.log(pc.bold("\nRecall against the number of stored pairs N (x axis doubles each step)"));
  for (const line of plot(table, dims, counts, tty)) console.log(line);

  // 2 and 3.
  oneStep(seed, tty);
  readSuperposition(seed);
}

if (import.meta.main) await runDemo(3, () => demo(Deno.args));
