/**
 * `deno task demo 3`: your associative memories at work.
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
import * as tf from "@tensorflow/tfjs";
import { loadStats } from "@exercises/01_bigram_data/exercises.ts";
import {
  capacityTable,
  decode,
  memoryScores,
  oneStepMemory,
  randomEmbeddings,
  randomRemapping,
} from "@exercises/03_associative_memory/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { runDemo } from "@lib/course/demo_support.ts";

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

/** Pearson correlation of two equally long arrays. */
function correlation(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i] - mb);
    aa += (x - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

function argmax(xs: number[]): number {
  return xs.indexOf(Math.max(...xs));
}

/** Part 2: one gradient step on tiny Shakespeare's bigram statistics. */
function oneStep(seed: number, tty: boolean): void {
  const stats = loadStats();
  const n = stats.vocab.length;
  console.log(
    pc.bold(
      "\nOne gradient step from W = 0 on tiny Shakespeare's bigrams (p(z) = π_u, p(k|z) = π_b)",
    ),
  );
  console.log(
    pc.dim("strength of z → k: w_U(k)^T W_1 w_E(z) with lr = 1; theory: ≈ π_u(z) (π_b(k|z) - 1/N)"),
  );
  const order = stats.unigram.map((p, z) => [p, z]).sort((a, b) => b[0] - a[0]).map((x) => x[1]);
  for (const dim of [64, 256]) {
    const rng = new Rng(seed + dim);
    const embed = randomEmbeddings(rng, n, dim);
    const unembed = randomEmbeddings(rng, n, dim);
    const pz = tf.tensor1d(stats.unigram);
    const pkz = tf.tensor2d(stats.bigram);
    const w1 = oneStepMemory(embed, unembed, pz, pkz, 1);
    const scores = memoryScores(w1, embed, unembed).arraySync() as number[][];
    tf.dispose([embed, unembed, pz, pkz, w1]);
    const theory = stats.bigram.map((row, z) => row.map((p) => stats.unigram[z] * (p - 1 / n)));
    const hit = (z: number) => argmax(scores[z]) === argmax(stats.bigram[z]);
    const share = order.filter(hit).length / n;
    const mass = order.filter(hit).reduce((s, z) => s + stats.unigram[z], 0);
    const frequent = order.slice(0, 10).filter(hit).length;
    const rare = order.slice(-20).filter(hit).length;
    console.log(`\n  d = ${dim}:`);
    for (const z of order.slice(0, 5)) {
      const k = argmax(scores[z]);
      const best = argmax(stats.bigram[z]);
      const mark = k === best ? "✔" : "✘";
      console.log(
        `    after ${show(stats.vocab[z])} (π_u ${
          (100 * stats.unigram[z]).toFixed(1)
        }%): memory says ` +
          `${show(stats.vocab[k])} (strength ${scores[z][k].toFixed(4)}), π_b's favourite is ` +
          `${show(stats.vocab[best])} (theory ${theory[z][best].toFixed(4)}) ${
            shade(k === best ? 1 : 0, mark, tty)
          }`,
      );
    }
    console.log(
      `    the most likely next character is recalled for ${frequent}/10 of the most frequent inputs, ` +
        `${rare}/20 of the rarest;\n    ${(100 * share).toFixed(0)}% of the 65 characters, ` +
        `${
          (100 * mass).toFixed(0)
        }% of the text (weighted by π_u). Correlation of all 65 × 65 strengths ` +
        `with the theory: ${correlation(scores.flat(), theory.flat()).toFixed(2)}`,
    );
  }
}

/** Part 3: reading each slot of x = w_E(a) + p_t + R w_E(b). */
function superposition(seed: number): void {
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
    const rng = new Rng(seed * 31 + dim);
    const embed = randomEmbeddings(rng, 65, dim);
    const pos = randomEmbeddings(rng, 64, dim);
    const r = randomRemapping(rng, dim);
    const count = 500;
    const a = Array.from({ length: count }, () => rng.int(65));
    const t = Array.from({ length: count }, () => rng.int(64));
    const b = Array.from({ length: count }, () => rng.int(65));
    const remapped = tf.matMul(embed, r, false, true) as tf.Tensor2D; // row k: R w_E(k)
    const x = tf.tidy(() =>
      tf.add(tf.add(tf.gather(embed, a), tf.gather(pos, t)), tf.gather(remapped, b))
    ) as tf.Tensor2D;
    const acc = (got: number[], want: number[]) =>
      got.filter((g, i) => g === want[i]).length / count;
    const cells = [acc(decode(x, embed), a), acc(decode(x, pos), t), acc(decode(x, remapped), b)];
    tf.dispose([embed, pos, r, remapped, x]);
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
    },
  });
  const seed = Number(values.seed);
  const draws = Number(values.draws ?? (values.quick ? 1 : 3));
  if (!Number.isInteger(seed) || !(Number.isInteger(draws) && draws >= 1 && draws <= 20)) {
    throw new Error("--seed takes an integer and --draws a number of memories between 1 and 20");
  }
  const tty = Deno.stdout.isTerminal();
  const info = await initBackend("auto");
  console.log(pc.dim(`backend: ${info.summary}`));

  // 1. The capacity table.
  const dims = values.quick ? [16, 32, 64, 128, 256] : [16, 32, 64, 128, 256, 512];
  const counts = values.quick
    ? [16, 32, 64, 128, 256, 512, 1024]
    : [16, 32, 64, 128, 256, 512, 1024, 2048];
  console.log(pc.bold(
    `\nCapacity: top-1 recall of W = Σ_i v_f(i) u_i^T, random f, u, v ~ N(0, I/d), mean of ${draws} draw(s)`,
  ));
  const started = performance.now();
  const table = capacityTable(new Rng(seed), dims, counts, {
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
  superposition(seed);
}

if (import.meta.main) await runDemo(3, () => demo(Deno.args));
