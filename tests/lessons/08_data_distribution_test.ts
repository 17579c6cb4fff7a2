/**
 * Tests of lesson 8's exercises: the composition of the data, sequences with a restricted output
 * set, steps to an accuracy, and the in-context accuracy next to the bigram alone. Sequences come
 * from lesson 1's reference generator (a fixture, so that only lesson 8's code is under test); the
 * model is lesson 4's reference wiring (`handWireInduction`: the hand-wired induction head).
 * Small and seeded.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  composition,
  oodAccuracy,
  sampleSequenceWithOutputs,
  stepsTo,
  toBatch,
} from "@exercises/08_data_distribution/exercises.ts";
import {
  defaultDataConfig,
  loadStats,
  sampleSequence,
  type Sequence,
  topTriggers,
} from "../../solutions/01_bigram_data/exercises.ts";
import { handWireInduction } from "../../solutions/04_induction_transformer/exercises.ts";
import { defaultModelConfig, disposeParams, initParams, type ModelConfig } from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { assertAllClose, assertNoLeak, check, exerciseCase } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

const stats = loadStats();
const N = 65;

function sequences(seed: number, count: number, data: Partial<typeof defaultDataConfig>) {
  const rng = new Rng(seed);
  const config = { ...defaultDataConfig, ...data };
  return Array.from({ length: count }, () => sampleSequence(rng, stats, config));
}

// ---------------------------------------------------------------- 8.1 composition

Deno.test(exerciseCase("composition", "a hand-computed sequence", () => {
  // inputs 0, 1, 0 -> targets 1 (first), 0 (global), 1 (in-context); the trigger is 0
  const seq: Sequence = { tokens: [0, 1, 0, 1], labels: [1, 0, 2], triggers: [0], outputs: [1] };
  const c = composition([seq], [[0.2, 0.8], [0.9, 0.1]]);
  assertAllClose(c.inContextShare, 1 / 3, { what: "inContextShare" });
  assertAllClose(c.firstShare, 1 / 3, { what: "firstShare" });
  assertAllClose(c.globalShare, 1 / 3, { what: "globalShare" });
  assertAllClose(c.perSequence, 1, { what: "perSequence" });
  assertAllClose(c.withNone, 0, { what: "withNone" });
  assertAllClose(c.bigramRight, 1, { what: "bigramRight: argmax pi_b(.|0) = 1 is the target" });
  assertAllClose(c.triggerShare, 2 / 3, { what: "triggerShare: inputs 0, 1, 0 with trigger 0" });
}));

Deno.test(
  exerciseCase("composition", "sequences without in-context targets, and ties in pi_b", () => {
    const a: Sequence = { tokens: [0, 1, 0, 1], labels: [1, 0, 2], triggers: [0], outputs: [1] };
    const b: Sequence = { tokens: [1, 1, 1, 1], labels: [0, 0, 0], triggers: [0], outputs: [1] };
    // a tie in pi_b(.|0): the smallest id (0) is the bigram's prediction, so target 1 is missed
    const c = composition([a, b], [[0.5, 0.5], [0.5, 0.5]]);
    assertAllClose(c.withNone, 0.5, { what: "withNone (one of two sequences has none)" });
    assertAllClose(c.perSequence, 0.5, { what: "perSequence (1 in-context target, 2 sequences)" });
    assertAllClose(c.inContextShare, 1 / 6, { what: "inContextShare (1 of 6 targets)" });
    assertAllClose(c.bigramRight, 0, { what: "bigramRight with a tie: argmax is the smallest id" });
    assertAllClose(c.triggerShare, 2 / 6, { what: "triggerShare" });
  }),
);

Deno.test(exerciseCase(
  "composition",
  "on generated data: shares add up, outputs from pi_b help the bigram",
  () => {
    const fixed = composition(sequences(1, 60, { seqLen: 256 }), stats.bigram);
    assertAllClose(fixed.inContextShare + fixed.firstShare + fixed.globalShare, 1, {
      what: "the three shares of the targets",
    });
    // with fixed triggers every trigger input has a label >= 1 target, and no other input does
    assertAllClose(fixed.triggerShare, fixed.inContextShare + fixed.firstShare, {
      what: "triggerShare = in-context + first shares (fixed triggers)",
    });
    check(
      fixed.inContextShare > 0.2 && fixed.inContextShare < 0.36,
      `fixed K = 5 at T = 256: about 28% of targets are in-context, got ${fixed.inContextShare}`,
    );
    check(
      fixed.bigramRight < 0.05,
      `uniform outputs: the bigram is rarely right (${fixed.bigramRight})`,
    );
    const bigram = composition(sequences(2, 60, { seqLen: 256, outputs: "bigram" }), stats.bigram);
    check(
      bigram.bigramRight > 0.1,
      `outputs ~ pi_b: the bigram alone is right more often (${bigram.bigramRight})`,
    );
    const rare = composition(
      sequences(3, 60, { seqLen: 256, k: 1, fixedTriggers: false }),
      stats.bigram,
    );
    check(
      rare.perSequence < fixed.perSequence,
      "one random trigger gives fewer in-context targets",
    );
  },
));

// ---------------------------------------------------------------- 8.2 restricted outputs

Deno.test(
  exerciseCase(
    "sampleSequenceWithOutputs",
    "lengths, outputs from the set, the trigger rule",
    () => {
      const set = [50, 55, 60];
      const s = sampleSequenceWithOutputs(
        new Rng(4),
        stats,
        { ...defaultDataConfig, seqLen: 128 },
        set,
      );
      check(s.tokens.length === 129 && s.labels.length === 128, "T + 1 tokens and T labels");
      check(
        s.outputs.every((o) => set.includes(o)),
        `outputs ${s.outputs} should come from ${set}`,
      );
      check(
        JSON.stringify(s.triggers) === JSON.stringify(topTriggers(stats.unigram, 5)),
        "fixed triggers: the 5 most frequent tokens",
      );
      const seen = new Map<number, number>();
      s.labels.forEach((label, t) => {
        const i = s.triggers.indexOf(s.tokens[t]);
        if (i < 0) {
          check(label === 0, `label ${label} at t = ${t} after a non-trigger should be 0`);
          return;
        }
        seen.set(i, (seen.get(i) ?? 0) + 1);
        check(s.tokens[t + 1] === s.outputs[i], `after trigger ${s.tokens[t]} comes its output`);
        check(label === seen.get(i), `label at t = ${t} counts the trigger's occurrences`);
      });
    },
  ),
);

Deno.test(exerciseCase(
  "sampleSequenceWithOutputs",
  "with every token as the set it is lesson 1's sequence",
  () => {
    const all = Array.from({ length: N }, (_, i) => i);
    for (const data of [{ seqLen: 64 }, { seqLen: 64, fixedTriggers: false, k: 3 }]) {
      const config = { ...defaultDataConfig, ...data };
      const mine = sampleSequenceWithOutputs(new Rng(5), stats, config, all);
      const lesson1 = sampleSequence(new Rng(5), stats, config);
      check(
        JSON.stringify(mine) === JSON.stringify(lesson1),
        "outputSet = all tokens must draw exactly as lesson 1 (same order of draws: triggers, " +
          `outputs with rng.int(set size), z_1, next tokens); config ${JSON.stringify(data)}`,
      );
    }
  },
));

Deno.test(exerciseCase(
  "sampleSequenceWithOutputs",
  "seeded, random triggers, and an empty set is an error",
  () => {
    const config = { ...defaultDataConfig, seqLen: 32, fixedTriggers: false };
    const a = sampleSequenceWithOutputs(new Rng(6), stats, config, [1, 2]);
    const b = sampleSequenceWithOutputs(new Rng(6), stats, config, [1, 2]);
    check(JSON.stringify(a) === JSON.stringify(b), "the same seed gives the same sequence");
    check(new Set(a.triggers).size === 5, "5 distinct random triggers");
    let threw = false;
    try {
      sampleSequenceWithOutputs(new Rng(6), stats, config, []);
    } catch {
      threw = true;
    }
    check(threw, "an empty output set should throw a clear error");
  },
));

// ---------------------------------------------------------------- 8.3 steps to an accuracy

Deno.test(exerciseCase("stepsTo", "the first evaluation at or above the threshold", () => {
  check(stepsTo([0, 10, 20, 30], [0.1, 0.5, 0.4, 0.95], 0.5) === 10, "0.5 reached at step 10");
  check(stepsTo([0, 10, 20, 30], [0.1, 0.5, 0.4, 0.95], 0.9) === 30, "0.9 reached at step 30");
  check(stepsTo([0, 5], [0.92, 0.1], 0.9) === 0, "already there at step 0");
}));

Deno.test(exerciseCase("stepsTo", "null when the threshold is never reached", () => {
  check(stepsTo([0, 10], [0.1, 0.89], 0.9) === null, "0.89 < 0.9: never");
  check(stepsTo([], [], 0.5) === null, "no evaluations: never");
}));

Deno.test(exerciseCase("stepsTo", "mismatched arrays are an error", () => {
  check(stepsTo([0, 10], [0.2, 0.7], 0.7) === 10, "a threshold reached exactly counts");
  let threw = false;
  try {
    stepsTo([0, 10], [0.5], 0.5);
  } catch {
    threw = true;
  }
  check(threw, "steps and accuracies of different lengths should throw");
}));

// ---------------------------------------------------------------- 8.4 model vs bigram alone

/** Lesson 4's hand-wired induction head (the reference's) at d = 128, T = 64. */
function wiredModel(): { config: ModelConfig; params: ReturnType<typeof initParams> } {
  const config: ModelConfig = { ...defaultModelConfig, dim: 128, maxLen: 64 };
  const params = initParams(config);
  handWireInduction(params, config);
  return { config, params };
}

Deno.test(
  exerciseCase("oodAccuracy", "the hand-wired head copies; the bigram alone does not", () => {
    const { config, params } = wiredModel();
    const batch = toBatch(sequences(7, 16, { seqLen: 64, fixedTriggers: false }));
    const r = oodAccuracy(params, config, batch, stats.bigram);
    const labels = Array.from(batch.labels.dataSync());
    const expected = labels.reduce((s, l) => s + (l >= 2 ? 1 : 0), 0);
    check(
      r.count === expected,
      `count should be the ${expected} in-context targets, got ${r.count}`,
    );
    check(r.model > 0.5, `the wired induction head gets most in-context targets (${r.model})`);
    check(r.bigram < 0.1, `uniform outputs: the bigram alone rarely does (${r.bigram})`);
    tf.dispose(batch as unknown as tf.Tensor[]);
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("oodAccuracy", "the bigram baseline, checked in plain JavaScript", () => {
  const seqs = sequences(8, 12, { seqLen: 64, outputs: "bigram" });
  const batch = toBatch(seqs);
  const config: ModelConfig = { ...defaultModelConfig, dim: 32, maxLen: 64 };
  const params = initParams(config);
  const r = oodAccuracy(params, config, batch, stats.bigram);
  const best = stats.bigram.map((row) => row.indexOf(Math.max(...row)));
  let right = 0;
  let count = 0;
  for (const s of seqs) {
    s.labels.forEach((l, t) => {
      if (l < 2) return;
      count++;
      if (best[s.tokens[t]] === s.tokens[t + 1]) right++;
    });
  }
  assertAllClose(r.bigram, right / count, { what: "the bigram-alone accuracy" });
  check(r.model < 0.2, `an untrained model is near chance (${r.model})`);
  tf.dispose(batch as unknown as tf.Tensor[]);
  disposeParams(params);
}));

Deno.test(exerciseCase("oodAccuracy", "no in-context target: count 0 and no NaN", () => {
  const seq: Sequence = {
    tokens: [3, 4, 5, 6, 7],
    labels: [0, 0, 0, 0],
    triggers: [1],
    outputs: [2],
  };
  const batch = toBatch([seq]);
  const config: ModelConfig = { ...defaultModelConfig, dim: 16, maxLen: 4 };
  const params = initParams(config);
  const r = oodAccuracy(params, config, batch, stats.bigram);
  check(
    r.count === 0 && r.model === 0 && r.bigram === 0,
    `expected zeros, got ${JSON.stringify(r)}`,
  );
  tf.dispose(batch as unknown as tf.Tensor[]);
  disposeParams(params);
}));

Deno.test(exerciseCase("oodAccuracy", "frees its intermediate tensors", async () => {
  const config: ModelConfig = { ...defaultModelConfig, dim: 16, maxLen: 32 };
  const params = initParams(config);
  const batch = toBatch(sequences(9, 4, { seqLen: 32 }));
  await assertNoLeak(() => oodAccuracy(params, config, batch, stats.bigram), "oodAccuracy");
  tf.dispose(batch as unknown as tf.Tensor[]);
  disposeParams(params);
}));
