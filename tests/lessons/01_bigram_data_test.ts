/**
 * Tests of lesson 1's exercises. They import `@exercises/01_bigram_data/exercises.ts`, which is
 * the learner's file unless the course runner points it at `solutions/` or at fresh stubs.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };
import {
  bigramFromCounts,
  type BigramStats,
  type DataConfig,
  defaultDataConfig,
  makeBatch,
  sampleOutputs,
  sampleSequence,
  sampleTriggers,
  topTriggers,
  unigramFromCounts,
} from "@exercises/01_bigram_data/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertArrayEqual,
  assertSeeded,
  assertShape,
  assertUnchanged,
  check,
  deepFreeze,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { backendFromEnv } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

// Every test works on its own copy of the shipped counts: an exercise that modifies its input
// must fail its own test, not make a later exercise fail.
const pristine = structuredClone(counts);

/** A fresh copy of the shipped counts (`vocab`, `unigram_counts`, `bigram_counts`). */
function freshCounts(): typeof counts {
  return structuredClone(pristine);
}

/** Reference statistics computed here, independently of the learner's code (a fresh copy). */
function referenceStats(): BigramStats {
  const counts = freshCounts();
  const total = counts.unigram_counts.reduce((a, b) => a + b, 0);
  return {
    vocab: counts.vocab,
    unigram: counts.unigram_counts.map((c) => c / total),
    bigram: counts.bigram_counts.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((c) => c / s);
    }),
  };
}

// Shared inputs are frozen: an exercise that modifies one fails in its own test.
const small: DataConfig = deepFreeze({ ...defaultDataConfig, seqLen: 64 });

// ---------------------------------------------------------------- 1.1 statistics

Deno.test(exerciseCase("unigramFromCounts", "a tiny hand-computed case", () => {
  assertAllClose(unigramFromCounts([1, 3, 0, 4]), [0.125, 0.375, 0, 0.5], {
    what: "unigramFromCounts([1, 3, 0, 4])",
  });
}));

Deno.test(
  exerciseCase("unigramFromCounts", "tiny Shakespeare: 65 probabilities summing to 1", () => {
    const pu = unigramFromCounts(freshCounts().unigram_counts);
    assertShape(pu, [65], "pi_u");
    const sum = pu.reduce((a, b) => a + b, 0);
    check(Math.abs(sum - 1) < 1e-9, `pi_u should sum to 1 but sums to ${sum}`);
  }),
);

Deno.test(
  exerciseCase("unigramFromCounts", "the space is the most frequent character (15.2%)", () => {
    const pu = unigramFromCounts(freshCounts().unigram_counts);
    assertAllClose(pu[1], 0.1523, { atol: 1e-4, what: "pi_u(' ')" });
    check(pu.indexOf(Math.max(...pu)) === 1, "the most frequent id should be 1 (the space)");
  }),
);

Deno.test(exerciseCase("unigramFromCounts", "leaves the counts unchanged", () => {
  const c = [1, 3, 0, 4];
  assertUnchanged({ counts: c }, () => unigramFromCounts(c), "unigramFromCounts");
}));

Deno.test(exerciseCase("bigramFromCounts", "a tiny hand-computed case", () => {
  assertAllClose(bigramFromCounts([[1, 1, 2], [0, 0, 5], [3, 0, 0]]), [
    [0.25, 0.25, 0.5],
    [0, 0, 1],
    [1, 0, 0],
  ], { what: "bigramFromCounts of a 3x3 count matrix" });
}));

Deno.test(exerciseCase("bigramFromCounts", "a row with no counts becomes uniform (no 0/0)", () => {
  assertAllClose(bigramFromCounts([[0, 0, 0, 0], [1, 0, 3, 0]]), [
    [0.25, 0.25, 0.25, 0.25],
    [0.25, 0, 0.75, 0],
  ], { what: "bigramFromCounts([[0, 0, 0, 0], [1, 0, 3, 0]]) (row 0 was never seen)" });
}));

Deno.test(
  exerciseCase("bigramFromCounts", "normalises rows (current character), not columns", () => {
    const c = [[1, 3], [1, 1]];
    const pb = assertUnchanged({ counts: c }, () => bigramFromCounts(c), "bigramFromCounts");
    assertShape(pb, [2, 2], "bigramFromCounts([[1, 3], [1, 1]])");
    const rows = pb.map((row) => row[0] + row[1]);
    const cols = [0, 1].map((j) => pb[0][j] + pb[1][j]);
    check(
      rows.every((r) => Math.abs(r - 1) < 1e-9) || !cols.every((c) => Math.abs(c - 1) < 1e-9),
      `bigramFromCounts([[1, 3], [1, 1]]): rows sum to ${rows.map(fmt).join(" and ")}, columns ` +
        "to 1: you normalised each column (the next character) instead of each row (the current " +
        "one).",
    );
    assertAllClose(pb, [[0.25, 0.75], [0.5, 0.5]], {
      what: "bigramFromCounts([[1, 3], [1, 1]]) (each row should sum to 1)",
    });
  }),
);

Deno.test(exerciseCase(
  "bigramFromCounts",
  "tiny Shakespeare: every row sums to 1; pi_u is stationary",
  () => {
    const pb = bigramFromCounts(freshCounts().bigram_counts);
    assertShape(pb, [65, 65], "pi_b");
    pb.forEach((row, i) => {
      const s = row.reduce((a, b) => a + b, 0);
      check(Math.abs(s - 1) < 1e-9, `row ${i} of pi_b should sum to 1 but sums to ${s}`);
    });
    const pu = referenceStats().unigram;
    const next = pu.map((_, j) => pu.reduce((acc, p, i) => acc + p * pb[i][j], 0));
    assertAllClose(next, pu, { atol: 1e-5, what: "pi_u times pi_b (should give pi_u back)" });
  },
));

Deno.test(exerciseCase("bigramFromCounts", "Bayes loss of the bigram model is 2.453 nats", () => {
  const pb = bigramFromCounts(freshCounts().bigram_counts);
  const pu = referenceStats().unigram;
  let h = 0;
  pb.forEach((row, i) => row.forEach((p) => (h -= p > 0 ? pu[i] * p * Math.log(p) : 0)));
  assertAllClose(h, 2.453, { atol: 2e-3, what: "E_i H(pi_b(.|i)) in nats" });
}));

// ---------------------------------------------------------------- 1.2 triggers

function fmt(x: number): string {
  return String(+x.toPrecision(3));
}

Deno.test(exerciseCase("sampleTriggers", "returns k distinct valid ids", () => {
  const stats = referenceStats();
  const rng = new Rng(1);
  for (let rep = 0; rep < 200; rep++) {
    const q = sampleTriggers(rng, stats.unigram, 5);
    assertShape(q, [5], "sampleTriggers(rng, pi_u, 5)");
    check(new Set(q).size === 5, `triggers must be distinct, got [${q}]`);
    check(
      q.every((x) => Number.isInteger(x) && x >= 0 && x < 65),
      `ids must be in [0, 65), got [${q}]`,
    );
  }
}));

Deno.test(exerciseCase("sampleTriggers", "never draws a token of probability 0", () => {
  const rng = new Rng(2);
  for (let rep = 0; rep < 100; rep++) {
    const q = sampleTriggers(rng, [0.5, 0, 0.25, 0, 0.25], 3);
    check(!q.includes(1) && !q.includes(3), `ids 1 and 3 have probability 0 but got [${q}]`);
    check(new Set(q).size === 3, `triggers must be distinct, got [${q}]`);
  }
}));

Deno.test(exerciseCase("sampleTriggers", "first draw follows pi_u (seeded frequency check)", () => {
  const pu = [0.6, 0.3, 0.1];
  const rng = new Rng(3);
  const firsts = [0, 0, 0];
  const n = 4000;
  for (let rep = 0; rep < n; rep++) firsts[sampleTriggers(rng, pu, 2)[0]]++;
  assertAllClose(firsts.map((c) => c / n), pu, {
    atol: 0.035,
    what: "frequency of each id as the first trigger (should follow pi_u)",
  });
}));

Deno.test(exerciseCase("sampleTriggers", "second draw is renormalised without the first", () => {
  // With pi_u = [0.5, 0.5, 0...], the second trigger is always the other token.
  const rng = new Rng(4);
  for (let rep = 0; rep < 50; rep++) {
    const q = sampleTriggers(rng, [0.5, 0.5, 0, 0], 2);
    check(q[0] !== q[1] && q.every((x) => x < 2), `expected the two ids {0, 1}, got [${q}]`);
  }
}));

Deno.test(
  exerciseCase("sampleTriggers", "same seed, same draws; different seed, different draws", () => {
    const pu = referenceStats().unigram;
    assertSeeded((seed) => {
      const rng = new Rng(seed);
      return Array.from({ length: 10 }, () => sampleTriggers(rng, pu, 5));
    }, "10 calls of sampleTriggers(rng, pi_u, 5)");
  }),
);

Deno.test(exerciseCase("sampleTriggers", "leaves pi_u unchanged", () => {
  const pu = referenceStats().unigram;
  assertUnchanged({ unigram: pu }, () => sampleTriggers(new Rng(16), pu, 5), "sampleTriggers");
}));

Deno.test(exerciseCase("topTriggers", "the 5 most frequent tokens are ' ', e, t, o, a", () => {
  const q = topTriggers(referenceStats().unigram, 5);
  assertArrayEqual(q, [1, 43, 58, 53, 39], "topTriggers(pi_u, 5) (ids of ' ', e, t, o, a)");
}));

Deno.test(exerciseCase("topTriggers", "a tiny hand-computed case, most frequent first", () => {
  assertArrayEqual(
    topTriggers([0.1, 0.5, 0.15, 0.25], 3),
    [1, 3, 2],
    "topTriggers([.1,.5,.15,.25], 3)",
  );
}));

Deno.test(exerciseCase("topTriggers", "ties: the smaller id first; pi_u left unchanged", () => {
  const p = [0.2, 0.3, 0.2, 0.3];
  const q = assertUnchanged({ unigram: p }, () => topTriggers(p, 4), "topTriggers");
  assertShape(q, [4], "topTriggers([.2, .3, .2, .3], 4)");
  check(
    q.every((id, i) => id === [1, 3, 0, 2][i]),
    `topTriggers([.2, .3, .2, .3], 4) should be [1, 3, 0, 2] (equally frequent tokens in ` +
      `increasing id order, as the lesson says), got [${q}]` +
      (q.join() === "3,1,2,0" ? ": your ties are broken the other way (larger id first)." : "."),
  );
}));

Deno.test(exerciseCase("topTriggers", "offset skips the most frequent ones", () => {
  assertArrayEqual(
    topTriggers([0.1, 0.5, 0.15, 0.25], 2, 1),
    [3, 2],
    "topTriggers(p, 2, offset 1)",
  );
  assertArrayEqual(
    topTriggers(referenceStats().unigram, 1, 1),
    [43],
    "topTriggers(pi_u, 1, 1) ('e')",
  );
}));

// ---------------------------------------------------------------- 1.3 outputs

/**
 * Three tokens whose pi_u, pi_b rows and the uniform distribution all differ, so that a test
 * can tell which one the outputs were drawn from.
 */
const threeTokens = (): BigramStats => ({
  vocab: "abc",
  unigram: [0.7, 0.2, 0.1],
  bigram: [[0, 1, 0], [0.5, 0, 0.5], [0, 0, 1]],
});

/** Frequencies of the output of trigger `q` over `n` calls of sampleOutputs. */
function outputFrequencies(
  stats: BigramStats,
  q: number,
  outputs: DataConfig["outputs"],
  n = 3000,
): number[] {
  const rng = new Rng(21);
  const hist = new Array(stats.unigram.length).fill(0);
  for (let rep = 0; rep < n; rep++) hist[sampleOutputs(rng, [q], stats, outputs)[0]]++;
  return hist.map((c) => c / n);
}

Deno.test(exerciseCase("sampleOutputs", "one output per trigger, ids in range", () => {
  for (const outputs of ["uniform", "unigram", "bigram"] as const) {
    const o = sampleOutputs(new Rng(5), [1, 43, 58], referenceStats(), outputs);
    assertShape(o, [3], `sampleOutputs(rng, 3 triggers, stats, "${outputs}")`);
    check(
      o.every((x) => Number.isInteger(x) && x >= 0 && x < 65),
      `ids must be in [0, 65), got [${o}] (outputs: "${outputs}")`,
    );
  }
}));

Deno.test(exerciseCase("sampleOutputs", "uniform outputs cover all tokens evenly", () => {
  const stats: BigramStats = {
    vocab: "abcdefghij",
    unigram: [0.91, ...new Array(9).fill(0.01)],
    bigram: Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => +(i === j))),
  };
  const freq = outputFrequencies(stats, 0, "uniform", 5000);
  const tv = freq.reduce((acc, f) => acc + Math.abs(f - 0.1), 0) / 2;
  check(
    tv < 0.04,
    `uniform outputs over 10 tokens: total variation from uniform is ${tv.toFixed(3)}` +
      (freq[0] > 0.5 ? ": were they drawn from pi_u, or from pi_b(. | 0)?" : ""),
  );
}));

Deno.test(exerciseCase("sampleOutputs", "unigram outputs follow pi_u, whatever the trigger", () => {
  const stats = threeTokens();
  for (const q of [0, 2]) {
    const freq = outputFrequencies(stats, q, "unigram");
    const tv = freq.reduce((acc, f, j) => acc + Math.abs(f - stats.unigram[j]), 0) / 2;
    check(
      tv < 0.04,
      `outputs: "unigram" draws o ~ pi_u = [0.7, 0.2, 0.1] for every trigger, but trigger ${q} ` +
        `got output frequencies [${freq.map((f) => f.toFixed(2))}]` +
        (Math.abs(freq[0] - 1 / 3) < 0.05
          ? ": they look uniform (rng.int(N)), not drawn from pi_u."
          : freq[q === 0 ? 1 : 2] > 0.9
          ? ": they look like pi_b(. | trigger), not pi_u."
          : "."),
    );
  }
}));

Deno.test(exerciseCase("sampleOutputs", "bigram outputs follow pi_b(.|q)", () => {
  const stats = threeTokens();
  const rng = new Rng(7);
  for (let rep = 0; rep < 100; rep++) {
    const o = sampleOutputs(rng, [0, 2], stats, "bigram");
    assertArrayEqual(o, [1, 2], "outputs of triggers 0 and 2 (pi_b puts all mass on 1 and 2)");
  }
  const freq = outputFrequencies(stats, 1, "bigram", 2000);
  check(freq[1] === 0, "pi_b(1 | 1) = 0, yet output 1 was drawn");
  assertAllClose(freq[0], 0.5, { atol: 0.05, what: "frequency of output 0 after 1" });
}));

Deno.test(exerciseCase("sampleOutputs", "an unknown output distribution is an error", () => {
  // The three known ones work (so that the error below is about "zipf"), ...
  for (const outputs of ["uniform", "unigram", "bigram"] as const) {
    sampleOutputs(new Rng(8), [0], threeTokens(), outputs);
  }
  let threw = false;
  try {
    sampleOutputs(new Rng(8), [0], threeTokens(), "zipf" as DataConfig["outputs"]);
  } catch {
    threw = true;
  }
  check(threw, `sampleOutputs(rng, [0], stats, "zipf") must throw: "zipf" is none of the three`);
}));

Deno.test(
  exerciseCase("sampleOutputs", "same seed, same draws; different seed, different draws", () => {
    const stats = referenceStats();
    const triggers = [1, 43, 58, 53, 39];
    for (const outputs of ["uniform", "unigram", "bigram"] as const) {
      assertSeeded((seed) => {
        const rng = new Rng(seed);
        return Array.from({ length: 5 }, () => sampleOutputs(rng, triggers, stats, outputs));
      }, `5 calls of sampleOutputs(rng, 5 triggers, stats, "${outputs}")`);
    }
  }),
);

Deno.test(exerciseCase("sampleOutputs", "leaves the triggers and the statistics unchanged", () => {
  const stats = referenceStats();
  const triggers = [1, 43, 58];
  for (const outputs of ["uniform", "unigram", "bigram"] as const) {
    assertUnchanged(
      { triggers, stats },
      () => sampleOutputs(new Rng(17), triggers, stats, outputs),
      `sampleOutputs (outputs: "${outputs}")`,
    );
  }
}));

// ---------------------------------------------------------------- 1.4 sequences

/** A 4-token chain 0 -> 1 -> 2 -> 3 -> 0 (all equally frequent), for the output tests. */
const chain = (): BigramStats => ({
  vocab: "abcd",
  unigram: [0.25, 0.25, 0.25, 0.25],
  bigram: [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]],
});

Deno.test(exerciseCase("sampleSequence", "T + 1 tokens, T labels, K triggers and outputs", () => {
  const seq = sampleSequence(new Rng(8), referenceStats(), small);
  assertShape(seq.tokens, [65], "tokens of a T = 64 sequence (T + 1 tokens)");
  assertShape(seq.labels, [64], "labels (one per target)");
  assertShape(seq.triggers, [5], "triggers");
  assertShape(seq.outputs, [5], "outputs");
}));

Deno.test(exerciseCase(
  "sampleSequence",
  "every trigger is followed by its output; labels count occurrences",
  () => {
    const rng = new Rng(9);
    for (const fixedTriggers of [true, false]) {
      for (let rep = 0; rep < 20; rep++) {
        const seq = sampleSequence(rng, referenceStats(), { ...small, fixedTriggers });
        const seen = new Map<number, number>();
        for (let t = 0; t < 64; t++) {
          const k = seq.triggers.indexOf(seq.tokens[t]);
          if (k < 0) {
            check(
              seq.labels[t] === 0,
              `position ${t}: input is not a trigger, label should be 0, got ${seq.labels[t]}`,
            );
            continue;
          }
          const c = (seen.get(k) ?? 0) + 1;
          seen.set(k, c);
          check(
            seq.tokens[t + 1] === seq.outputs[k],
            `position ${t}: trigger ${seq.tokens[t]} should be followed by its output ${
              seq.outputs[k]
            }, got ${seq.tokens[t + 1]}`,
          );
          check(
            seq.labels[t] === c,
            `position ${t}: occurrence ${c} of a trigger should have label ${c}, got ${
              seq.labels[t]
            }`,
          );
        }
      }
    }
  },
));

Deno.test(
  exerciseCase("sampleSequence", "a tiny hand-computed case with a deterministic chain", () => {
    // Token 0 always goes to 1, 1 to 2, 2 to 0; the only trigger is 2 (fixed, most frequent).
    const stats: BigramStats = {
      vocab: "abc",
      unigram: [0, 0, 1],
      bigram: [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
    };
    const seq = sampleSequence(new Rng(10), stats, {
      ...small,
      seqLen: 6,
      k: 1,
      fixedTriggers: true,
    });
    const o = seq.outputs[0];
    check(seq.tokens[0] === 2, `z_1 ~ pi_u = [0, 0, 1] must be 2, got ${seq.tokens[0]}`);
    check(
      seq.tokens[1] === o,
      `the trigger 2 must be followed by its output ${o}, got ${seq.tokens[1]}`,
    );
    check(seq.labels[0] === 1, `first occurrence of the trigger: label 1, got ${seq.labels[0]}`);
  }),
);

Deno.test(exerciseCase("sampleSequence", "fixed triggers skip config.triggerOffset tokens", () => {
  const config = { ...small, k: 2, fixedTriggers: true, triggerOffset: 3 };
  const seq = sampleSequence(new Rng(18), referenceStats(), config);
  check(
    seq.triggers.length === 2 && seq.triggers[0] === 53 && seq.triggers[1] === 39,
    `with fixed triggers, k = 2 and triggerOffset = 3 the triggers are the 4th and 5th most ` +
      `frequent tokens [53, 39] ('o', 'a'), got [${seq.triggers}]` +
      (seq.triggers.join() === "1,43" ? ": config.triggerOffset was ignored." : "."),
  );
}));

Deno.test(
  exerciseCase(
    "sampleSequence",
    "outputs follow config.outputs (bigram, unigram or uniform)",
    () => {
      // The chain 0 -> 1 -> 2 -> 3 -> 0 with pi_u = [0.05, 0.05, 0.05, 0.85] and the fixed
      // trigger 3 (the most frequent): a bigram output is always 0, a unigram one is 3 most of the
      // time, a uniform one is each token a quarter of the time.
      const stats: BigramStats = { ...chain(), unigram: [0.05, 0.05, 0.05, 0.85] };
      const config = { ...small, seqLen: 8, k: 1, fixedTriggers: true };
      const outs = (outputs: DataConfig["outputs"]) =>
        Array.from(
          { length: 200 },
          (_, seed) => sampleSequence(new Rng(seed), stats, { ...config, outputs }).outputs[0],
        );
      const share = (o: number[], id: number) => o.filter((x) => x === id).length / o.length;
      const bigram = outs("bigram");
      check(
        bigram.every((o) => o === 0),
        `with outputs: "bigram", the output of trigger 3 is drawn from pi_b(. | 3), which puts all ` +
          `its mass on 0, but 200 seeds gave ${
            bigram.filter((o) => o !== 0).length
          } other outputs: is config.outputs passed on to sampleOutputs?`,
      );
      const unigram = outs("unigram");
      check(
        share(unigram, 3) > 0.75 && share(unigram, 0) < 0.15,
        `with outputs: "unigram", the output of trigger 3 is drawn from pi_u (token 3 has 0.85), ` +
          `but 200 seeds gave token 3 ${(100 * share(unigram, 3)).toFixed(0)}% of the time and ` +
          `token 0 ${(100 * share(unigram, 0)).toFixed(0)}%: is config.outputs passed on?`,
      );
      const uniform = outs("uniform");
      check(
        [0, 1, 2, 3].every((id) => Math.abs(share(uniform, id) - 0.25) < 0.1),
        `with outputs: "uniform", the output of trigger 3 is uniform over the 4 tokens, but 200 ` +
          `seeds gave the shares [${[0, 1, 2, 3].map((id) => share(uniform, id).toFixed(2))}]: ` +
          "are the outputs drawn from pi_u or pi_b whatever config.outputs says?",
      );
    },
  ),
);

Deno.test(
  exerciseCase("sampleSequence", "drawOutputs, when given, replaces sampleOutputs", () => {
    const stats = referenceStats();
    const config: DataConfig = { ...small, fixedTriggers: false };
    let calls = 0;
    const seq = sampleSequence(new Rng(22), stats, config, (rng, triggers) => {
      calls++;
      return triggers.map(() => 60 + rng.int(2));
    });
    check(
      calls === 1,
      `drawOutputs must be called once per sequence, it was called ${calls} times`,
    );
    check(
      seq.outputs.every((o) => o === 60 || o === 61),
      `drawOutputs returned outputs among [60, 61], but the sequence has outputs [${seq.outputs}]`,
    );
    // Same order of draws: drawing the outputs with your own sampleOutputs through drawOutputs
    // gives the sequence drawn without it (how sampleOutputs draws is its own business).
    const plain = sampleSequence(new Rng(23), stats, config);
    const hooked = sampleSequence(
      new Rng(23),
      stats,
      config,
      (rng, triggers) => sampleOutputs(rng, triggers, stats, config.outputs),
    );
    assertArrayEqual(
      hooked.tokens,
      plain.tokens,
      "tokens with drawOutputs = your sampleOutputs vs without drawOutputs (same seed)",
    );
  }),
);

Deno.test(exerciseCase(
  "sampleSequence",
  "draws in the lesson's order: triggers, outputs, z_1, z_2, ...",
  () => {
    // Rebuilds the sequence with your sampleTriggers and sampleOutputs, drawing in the order the
    // lesson fixes, from the same seed: your sequence must be this one.
    const stats = referenceStats();
    const cases = [[false, "uniform"], [true, "bigram"], [false, "unigram"]] as const;
    for (const [fixedTriggers, outputs] of cases) {
      const config: DataConfig = { ...small, fixedTriggers, outputs };
      const seq = sampleSequence(new Rng(19), stats, config);
      const rng = new Rng(19);
      const triggers = fixedTriggers
        ? topTriggers(stats.unigram, config.k, config.triggerOffset)
        : sampleTriggers(rng, stats.unigram, config.k);
      const outs = sampleOutputs(rng, triggers, stats, outputs);
      const tokens = [rng.categorical(stats.unigram)];
      for (let t = 0; t < config.seqLen; t++) {
        const k = triggers.indexOf(tokens[t]);
        tokens.push(k >= 0 ? outs[k] : rng.categorical(stats.bigram[tokens[t]]));
      }
      const what = `sampleSequence(new Rng(19), pi, {fixedTriggers: ${fixedTriggers}, outputs: ` +
        `"${outputs}"})`;
      check(
        seq.triggers.join() === triggers.join() && seq.outputs.join() === outs.join(),
        `${what}: your triggers [${seq.triggers}] and outputs [${seq.outputs}] are not the first ` +
          `draws of the seed ([${triggers}] and [${outs}]). Draw the triggers, then the outputs, ` +
          "then z_1 ~ pi_u, then each next token (the order the lesson fixes, so that a seed gives " +
          "the reference's sequences): is z_1 or another value drawn before them?",
      );
      const t = tokens.findIndex((z, i) => seq.tokens[i] !== z);
      check(
        t < 0,
        `${what}: token ${t} is ${seq.tokens[t]} but drawing in the lesson's order (triggers, ` +
          `outputs, z_1 ~ pi_u, then each next token) gives ${tokens[t]}` +
          (t === 0 ? ": is z_1 drawn before the triggers or outputs?" : "."),
      );
    }
  },
));

Deno.test(
  exerciseCase("sampleSequence", "same seed, same draws; different seed, different draws", () => {
    const stats = referenceStats();
    for (const fixedTriggers of [true, false]) {
      assertSeeded(
        (seed) => sampleSequence(new Rng(seed), stats, { ...small, fixedTriggers }).tokens,
        `the tokens of sampleSequence (fixedTriggers: ${fixedTriggers})`,
      );
    }
  }),
);

Deno.test(exerciseCase("sampleSequence", "leaves the statistics unchanged", () => {
  const stats = referenceStats();
  assertUnchanged(
    { stats },
    () => sampleSequence(new Rng(20), stats, { ...small, fixedTriggers: false }),
    "sampleSequence",
  );
}));

Deno.test(exerciseCase("sampleSequence", "global transitions follow pi_b (total variation)", () => {
  const stats = referenceStats();
  const rng = new Rng(11);
  const row = 1; // transitions out of the space, never a trigger with K=0
  const hist = new Array(65).fill(0);
  let n = 0;
  for (let rep = 0; rep < 300; rep++) {
    const seq = sampleSequence(rng, stats, { ...small, seqLen: 128, k: 0 });
    for (let t = 0; t < 128; t++) {
      if (seq.tokens[t] === row) {
        hist[seq.tokens[t + 1]]++;
        n++;
      }
    }
  }
  const tv = hist.reduce((acc, c, j) => acc + Math.abs(c / n - stats.bigram[row][j]), 0) / 2;
  check(n > 2000, `expected many spaces in 300 sequences, found ${n}`);
  check(
    tv < 0.06,
    `transitions after ' ' differ from pi_b(.|' '): total variation ${
      tv.toFixed(3)
    } (${n} samples)`,
  );
}));

Deno.test(exerciseCase(
  "sampleSequence",
  "fraction of in-context targets (K=5 fixed ~29%, random ~23%)",
  () => {
    const stats = referenceStats();
    const frac = (fixedTriggers: boolean) => {
      const rng = new Rng(12);
      let inContext = 0;
      let total = 0;
      // One sequence's share has a standard deviation of about 0.185, so 1,000 sequences give a
      // standard error of about 0.006: the tolerance below is 5 of them, so any correct order of
      // draws passes (a different order gives a different sample, not a different mean).
      for (let rep = 0; rep < 1000; rep++) {
        const seq = sampleSequence(rng, stats, { ...defaultDataConfig, fixedTriggers });
        inContext += seq.labels.filter((l) => l >= 2).length;
        total += seq.labels.length;
      }
      return inContext / total;
    };
    assertAllClose(frac(true), 0.291, {
      atol: 0.03,
      what: "in-context fraction, fixed K=5, T=256",
    });
    assertAllClose(frac(false), 0.233, {
      atol: 0.03,
      what: "in-context fraction, random K=5, T=256",
    });
  },
));

// ---------------------------------------------------------------- 1.5 batches

Deno.test(exerciseCase("makeBatch", "shapes and dtypes", () => {
  const b = makeBatch(new Rng(13), referenceStats(), small, 3);
  for (
    const [name, t, dtype] of [
      ["inputs", b.inputs, "int32"],
      ["targets", b.targets, "int32"],
      ["labels", b.labels, "int32"],
      ["inContextMask", b.inContextMask, "float32"],
    ] as const
  ) {
    assertShape(t, [3, 64], `batch.${name}`);
    check(t.dtype === dtype, `batch.${name} should have dtype ${dtype}, got ${t.dtype}`);
  }
  tf.dispose([b.inputs, b.targets, b.labels, b.inContextMask]);
}));

Deno.test(exerciseCase(
  "makeBatch",
  "targets are the inputs shifted by one; rows match sampleSequence",
  () => {
    const stats = referenceStats();
    const b = makeBatch(new Rng(14), stats, small, 2);
    const rng = new Rng(14);
    const seqs = [sampleSequence(rng, stats, small), sampleSequence(rng, stats, small)];
    assertArrayEqual(b.inputs, seqs.map((s) => s.tokens.slice(0, 64)), "batch.inputs (z_1..z_T)");
    assertArrayEqual(b.targets, seqs.map((s) => s.tokens.slice(1)), "batch.targets (z_2..z_{T+1})");
    assertArrayEqual(b.labels, seqs.map((s) => s.labels), "batch.labels");
    tf.dispose([b.inputs, b.targets, b.labels, b.inContextMask]);
  },
));

Deno.test(exerciseCase("makeBatch", "the in-context mask is 1 exactly where label >= 2", () => {
  const b = makeBatch(new Rng(15), referenceStats(), small, 4);
  const labels = b.labels.dataSync();
  const expected = Array.from(labels, (l) => (l >= 2 ? 1 : 0));
  assertArrayEqual(b.inContextMask.reshape([-1]), expected, "batch.inContextMask (flattened)");
  check(expected.some((x) => x === 1), "this batch should contain in-context targets");
  tf.dispose([b.inputs, b.targets, b.labels, b.inContextMask]);
}));

Deno.test(
  exerciseCase("makeBatch", "same seed, same batch; different seed, different batch", () => {
    const stats = referenceStats();
    assertSeeded((seed) => {
      const b = makeBatch(new Rng(seed), stats, small, 2);
      const values = Array.from(b.inputs.dataSync());
      tf.dispose([b.inputs, b.targets, b.labels, b.inContextMask]);
      return values;
    }, "the inputs of makeBatch(rng, pi, T = 64, 2)");
  }),
);
