/**
 * `deno task demo 1`: samples a batch with the generator (your code in `lessons/`, or the
 * reference with `--solutions`), shows one sequence with its triggers and outputs highlighted,
 * and compares empirical statistics of many samples with the true ones. The numbers come from
 * `experiment.ts`, which the site's demo draws too; this file only prints them.
 *
 * Options: `--seed N` (default 42), `--random` (random triggers instead of fixed), `--len T`
 * (the length of the batch shown, default 96 so that a sequence fits on a screen).
 * @module
 */
import { parseArgs } from "node:util";
import pc from "picocolors";
import { initBackend } from "@lib/tf/mod.ts";
import { codeLabel, runDemo } from "@lib/course/demo_support.ts";
import { bigramLimits, empiricalBigrams, inContextShare, sampleBigram } from "./experiment.ts";

/** Shows a character readably: `⏎` for a newline, `␣` for a space. */
function show(ch: string): string {
  return ch === "\n" ? "⏎" : ch === " " ? "␣" : ch;
}

const pct = (x: number) => (100 * x).toFixed(1);

/** Prints the demo. */
async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: "string", default: "42" },
      random: { type: "boolean", default: false },
      len: { type: "string", default: "96" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task demo 1 [--solutions] [--seed N] [--random] [--len T]\n" +
        "  --seed N   data seed (default 42)\n" +
        "  --random   random triggers instead of fixed\n" +
        "  --len T    length of the batch shown, 2 to 4096 (default 96)",
    );
    return;
  }
  const seed = Number(values.seed);
  const seqLen = Number(values.len);
  if (!Number.isInteger(seed) || !(seqLen >= 2 && seqLen <= 4096)) {
    throw new Error("--seed takes an integer and --len a length between 2 and 4096");
  }
  await initBackend("auto");
  console.log(pc.dim(`Running ${codeLabel()}.\n`));
  const settings = {
    seed,
    k: 5,
    fixedTriggers: !values.random,
    outputs: "uniform" as const,
    seqLen,
    sequences: 1,
    batch: 8,
  };

  // 1. One batch, and its first sequence with triggers and outputs highlighted.
  const out = await sampleBigram(settings);
  const { vocab } = out;
  console.log(pc.bold(`A batch of 8 sequences of length ${seqLen}: inputs ${out.batchShape}`));
  const seq = out.sequences[0];
  const pairs = seq.triggers.map((q, k) => `${show(vocab[q])}→${show(vocab[seq.outputs[k]])}`);
  console.log(`Triggers → outputs of the first sequence: ${pairs.join("  ")}`);
  // The sequence, coloured, with a marker line under it (for terminals without colour):
  // T under a trigger, 1 under a first output, * under an in-context output.
  let line = "";
  let marks = "";
  for (let t = 0; t < seq.tokens.length; t++) {
    const ch = show(vocab[seq.tokens[t]]);
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
  const shares = out.labelShares;
  console.log(
    `Targets in this batch: global ${pct(shares.global)}%, first occurrence ${
      pct(shares.first)
    }%, in-context ${pct(shares.inContext)}%`,
  );

  // 2. The unigram distribution: the most and least frequent characters.
  const byFreq = out.unigram.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]);
  const fmtChar = ([p, i]: number[]) => `${show(vocab[i])} ${pct(p)}%`;
  const limits = bigramLimits();
  console.log(
    pc.bold("\npi_u, the unigram distribution: ") + byFreq.slice(0, 5).map(fmtChar).join("   ") +
      `   ...   rarest ${
        show(vocab[limits.rarest.id])
      } (${limits.rarest.count} of ${limits.rarest.of} characters)`,
  );

  // 3. The share of in-context targets at the paper's length, fixed against random triggers.
  const share = (fixedTriggers: boolean) =>
    pct(inContextShare({ ...settings, seed: seed + 2, seqLen: 256, fixedTriggers }, 2000));
  console.log(
    `In-context targets at T = 256 over 2,000 sequences: fixed triggers ${share(true)}% ` +
      `(paper spec 29.1%), random triggers ${share(false)}% (23.3%)`,
  );

  // 4. Empirical against true statistics, over 400 sequences without triggers.
  console.log(
    pc.bold("\nEmpirical vs true next-character distribution (400 sequences, no triggers):"),
  );
  for (const row of empiricalBigrams({ seed: seed + 1, sequences: 400, seqLen: 256, rows: 5 })) {
    const shown = row.top.map((b) => `${show(vocab[b.id])} ${pct(b.p)}% (seen ${pct(b.seen)}%)`);
    console.log(
      `  after ${show(vocab[row.id]).padEnd(2)} ${shown.join("   ")}   TV ${
        row.tv.toFixed(3)
      } over ${row.seen}`,
    );
  }
  console.log(
    `\nBayes loss of the bigram model: ${limits.bayesLoss.toFixed(3)} nats (paper spec: 2.453); ` +
      `top-1 accuracy ${pct(limits.top1)}% (27.1%); log 65 = ${Math.log(65).toFixed(3)}`,
  );
}

if (import.meta.main) await runDemo(1, () => demo(Deno.args));
