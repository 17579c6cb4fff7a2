/**
 * `deno task demo 1`: samples a batch with your generator, shows one sequence with its triggers
 * and outputs highlighted, and compares empirical statistics of many samples with the true ones.
 *
 * Options: `--seed N` (default 42), `--random` (random triggers instead of fixed), `--len T`
 * (the length of the batch shown, default 96 so that a sequence fits on a screen).
 * @module
 */
import { parseArgs } from "node:util";
import pc from "picocolors";
import {
  defaultDataConfig,
  loadStats,
  makeBatch,
  sampleSequence,
} from "@exercises/01_bigram_data/exercises.ts";
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };
import { Rng } from "@lib/rng/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { runDemo } from "@lib/course/demo_support.ts";

/** Shows a character readably: `⏎` for a newline, `␣` for a space. */
function show(ch: string): string {
  return ch === "\n" ? "⏎" : ch === " " ? "␣" : ch;
}

/** Prints the demo. */
async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: "string", default: "42" },
      random: { type: "boolean", default: false },
      len: { type: "string", default: "96" },
    },
  });
  const seed = Number(values.seed);
  const seqLen = Number(values.len);
  if (!Number.isInteger(seed) || !(seqLen >= 2 && seqLen <= 4096)) {
    throw new Error("--seed takes an integer and --len a length between 2 and 4096");
  }
  await initBackend("auto");
  const stats = loadStats();
  const config = { ...defaultDataConfig, seqLen, fixedTriggers: !values.random };

  // 1. One batch, and its first sequence with triggers and outputs highlighted.
  const batch = makeBatch(new Rng(seed), stats, config, 8);
  console.log(pc.bold(`A batch of 8 sequences of length ${seqLen}: inputs ${batch.inputs.shape}`));
  const seq = sampleSequence(new Rng(seed), stats, config);
  const pairs = seq.triggers.map((q, k) =>
    `${show(stats.vocab[q])}→${show(stats.vocab[seq.outputs[k]])}`
  );
  console.log(`Triggers → outputs of the first sequence: ${pairs.join("  ")}`);
  // The sequence, coloured, with a marker line under it (for terminals without colour):
  // T under a trigger, 1 under a first output, * under an in-context output.
  let line = "";
  let marks = "";
  for (let t = 0; t < seq.tokens.length; t++) {
    const ch = show(stats.vocab[seq.tokens[t]]);
    const label = t > 0 ? seq.labels[t - 1] : 0;
    if (label >= 2) [line, marks] = [line + pc.bgGreen(pc.black(ch)), marks + "*"];
    else if (label === 1) [line, marks] = [line + pc.bgMagenta(pc.black(ch)), marks + "1"];
    else if (seq.triggers.includes(seq.tokens[t])) {
      [line, marks] = [line + pc.bgYellow(pc.black(ch)), marks + "T"];
    } else [line, marks] = [line + ch, marks + " "];
  }
  console.log(line);
  console.log(pc.dim(marks));
  console.log(
    `${pc.bgYellow(pc.black(" T trigger "))} ${
      pc.bgMagenta(pc.black(" 1 first output (label 1) "))
    } ${pc.bgGreen(pc.black(" * in-context output (label ≥ 2) "))}\n`,
  );
  const labels = Array.from(await batch.labels.data());
  const share = (f: (l: number) => boolean) =>
    (100 * labels.filter(f).length / labels.length).toFixed(1);
  console.log(
    `Targets in this batch: global ${share((l) => l === 0)}%, first occurrence ${
      share((l) => l === 1)
    }%, ` +
      `in-context ${share((l) => l >= 2)}%`,
  );
  batch.inputs.dispose();
  batch.targets.dispose();
  batch.labels.dispose();
  batch.inContextMask.dispose();

  // 2. The unigram distribution: the most and least frequent characters.
  const byFreq = stats.unigram.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]);
  const fmtChar = ([p, i]: number[]) => `${show(stats.vocab[i])} ${(100 * p).toFixed(1)}%`;
  const rarest = byFreq[byFreq.length - 1];
  console.log(
    pc.bold("\npi_u, the unigram distribution: ") + byFreq.slice(0, 5).map(fmtChar).join("   ") +
      `   ...   rarest ${show(stats.vocab[rarest[1]])} (${counts.unigram_counts[rarest[1]]} of ${
        counts.unigram_counts.reduce((a, b) => a + b, 0)
      } characters)`,
  );

  // 3. The share of in-context targets at the paper's length, fixed against random triggers.
  const inContextShare = (fixedTriggers: boolean) => {
    const r = new Rng(seed + 2);
    let hits = 0;
    let total = 0;
    for (let s = 0; s < 2000; s++) {
      const l = sampleSequence(r, stats, { ...config, seqLen: 256, fixedTriggers }).labels;
      hits += l.filter((x) => x >= 2).length;
      total += l.length;
    }
    return (100 * hits / total).toFixed(1);
  };
  console.log(
    `In-context targets at T = 256 over 2,000 sequences: fixed triggers ${inContextShare(true)}% ` +
      `(paper spec 29.1%), random triggers ${inContextShare(false)}% (23.3%)`,
  );

  // 4. Empirical against true statistics, over 400 sequences without triggers.
  const rng = new Rng(seed + 1);
  const n = stats.unigram.length;
  const pairCounts = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let s = 0; s < 400; s++) {
    const z = sampleSequence(rng, stats, { ...config, seqLen: 256, k: 0 }).tokens;
    for (let t = 0; t + 1 < z.length; t++) pairCounts[z[t]][z[t + 1]]++;
  }
  console.log(
    pc.bold("\nEmpirical vs true next-character distribution (400 sequences, no triggers):"),
  );
  const top = stats.unigram.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map((x) =>
    x[1]
  );
  for (const i of top) {
    const row = pairCounts[i];
    const total = row.reduce((a, b) => a + b, 0);
    const tv = row.reduce((acc, c, j) => acc + Math.abs(c / total - stats.bigram[i][j]), 0) / 2;
    const best = stats.bigram[i].map((p, j) => [p, j]).sort((a, b) => b[0] - a[0]).slice(0, 3);
    const shown = best.map(([p, j]) =>
      `${show(stats.vocab[j])} ${(100 * p).toFixed(1)}% (seen ${
        (100 * row[j] / total).toFixed(1)
      }%)`
    );
    console.log(
      `  after ${show(stats.vocab[i]).padEnd(2)} ${shown.join("   ")}   TV ${
        tv.toFixed(3)
      } over ${total}`,
    );
  }
  let bayes = 0;
  let top1 = 0;
  stats.bigram.forEach((row, i) => {
    row.forEach((p) => (bayes -= p > 0 ? stats.unigram[i] * p * Math.log(p) : 0));
    top1 += stats.unigram[i] * Math.max(...row);
  });
  console.log(
    `\nBayes loss of the bigram model: ${bayes.toFixed(3)} nats (paper spec: 2.453); ` +
      `top-1 accuracy ${(100 * top1).toFixed(1)}% (27.1%); log 65 = ${Math.log(65).toFixed(3)}`,
  );
}

if (import.meta.main) await runDemo(1, () => demo(Deno.args));
