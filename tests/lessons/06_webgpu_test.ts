/**
 * Tests of lesson 6's exercises. The kernels run on the `webgpu` backend when a WebGPU adapter
 * exists (a GPU, or Mesa's software Vulkan driver); without one, every test that needs the GPU
 * prints a FALLBACK line saying what it could not run, and checks what it can.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  averageGradients,
  causalSoftmax,
  causalSoftmaxGrad,
  causalSoftmaxGradProgram,
  causalSoftmaxProgram,
  forwardWithSoftmax,
  fusedCausalSoftmax,
  kernelTrainer,
  profileStep,
} from "@exercises/06_webgpu/exercises.ts";
import {
  defaultModelConfig,
  forward,
  forwardReference,
  initParams,
  type ModelConfig,
} from "@lib/model/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { trainerParts } from "@lib/train/parts.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
// Lesson 5's reference loss as a fixture: the tests of Exercise 6.6 check only the averaging.
import { maskedCrossEntropy as referenceLoss } from "../../solutions/05_training/exercises.ts";

/** Lesson 5's trainer parts: your lesson 1 and lesson 5 code, as lesson 6 trains with it. */
const lesson5Parts = trainerParts(data, training);
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertNoLeak,
  assertShape,
  check,
  deepFreeze,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import {
  causalSoftmaxComposed,
  causalSoftmaxGradComposed,
  fallbackNotice,
  probeWebGPU,
  type WebGPUProgram,
  withGpuErrors,
} from "@lib/webgpu/mod.ts";

const adapter = await probeWebGPU();
const started = await initBackend(adapter.available ? "webgpu" : backendFromEnv());
const onGpu = started.name === "webgpu";
const why = adapter.available ? `webgpu did not start: ${started.summary}` : adapter.reason!;
if (onGpu) {
  console.log(`lesson 6 tests: WebGPU adapter "${adapter.description}"; kernels run on it.`);
} else {
  console.log(`lesson 6 tests: ${fallbackNotice("every WGSL kernel", why)}`);
}

/** Prints the fallback line for one test and says whether the GPU part can run. */
function gpuPart(what: string): boolean {
  if (!onGpu) console.log(fallbackNotice(what, why));
  return onGpu;
}

/** Reads a tensor asynchronously (webgpu in Deno cannot read synchronously) and frees it. */
async function read(t: tf.Tensor): Promise<number[]> {
  const values = Array.from(await t.data());
  t.dispose();
  return values;
}

/** Seeded normal tensor. */
function normal(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).normals(shape.reduce((a, b) => a * b, 1)), shape);
}

/** A program's layout checks that hold for any correct kernel. */
function checkLayout(p: WebGPUProgram, shape: number[], names: string[], what: string): void {
  check(p !== undefined && p !== null, `${what} returned nothing; it should return a program`);
  assertShape(p.outputShape, [3], `${what}.outputShape`);
  assertAllClose(p.outputShape, shape, { what: `${what}.outputShape`, atol: 0, rtol: 0 });
  check(
    JSON.stringify(p.variableNames) === JSON.stringify(names),
    `${what}.variableNames should be ${JSON.stringify(names)} (the inputs, in order), got ` +
      JSON.stringify(p.variableNames),
  );
  const threads = p.workgroupSize.reduce((a, b) => a * b, 1);
  check(
    threads >= 1 && threads <= 256,
    `${what}: a workgroup has 1 to 256 invocations, got ${threads}`,
  );
  check(
    p.dispatch.every((n) => Number.isInteger(n) && n >= 1 && n <= 65535),
    `${what}.dispatch: each entry must be an integer in 1..65535, got [${p.dispatch}]`,
  );
  const code = p.getUserCode();
  check(/fn\s+main\s*\(/.test(code), `${what}.getUserCode() must define \`fn main()\``);
  check(/uniforms\./.test(code), `${what}: the shader must read \`uniforms\` (see the hints)`);
}

/** softmax_s(q_t·k_s/√d) over s <= t in float64, computed here independently of tfjs. */
function expectedAttention(q: number[][], k: number[][]): number[][] {
  const d = q[0].length;
  return q.map((qt, t) => {
    const scores = k.map((ks, s) =>
      s <= t ? ks.reduce((acc, v, c) => acc + v * qt[c], 0) / Math.sqrt(d) : -Infinity
    );
    const m = Math.max(...scores);
    const e = scores.map((x) => (x === -Infinity ? 0 : Math.exp(x - m)));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  });
}

// ---------------------------------------------------------------- 6.1 profiling

Deno.test(
  exerciseCase("profileStep", "counts kernels by name and the tensors left behind", async () => {
    const a = tf.ones([4, 4]);
    const b = tf.ones([4, 4]);
    const before = tf.memory().numTensors;
    let kept: tf.Tensor[] = [];
    const p = await profileStep(() => {
      kept = [a.add(b), tf.exp(a)]; // two kernels, two tensors left
    });
    check(p !== undefined, "profileStep returned nothing");
    check(p.kernels === 2, `expected 2 kernels (Add, Exp), got ${p.kernels}`);
    check(
      p.byName?.Add === 1 && p.byName?.Exp === 1,
      `byName should be { Add: 1, Exp: 1 }, got ${JSON.stringify(p.byName)}`,
    );
    check(p.newTensors === 2, `two tensors were left alive, profileStep says ${p.newTensors}`);
    check(tf.memory().numTensors - before === 2, "profileStep itself should not keep tensors");
    tf.dispose([...kept, a, b]);
  }),
);

Deno.test(exerciseCase("profileStep", "sees that tf.tidy frees the intermediates", async () => {
  const x = tf.ones([3, 3]);
  let out: tf.Tensor | undefined;
  const leaky = await profileStep(() => {
    out = x.mul(x).add(x).sum();
  });
  out?.dispose();
  const tidy = await profileStep(() => {
    out = tf.tidy(() => x.mul(x).add(x).sum());
  });
  out?.dispose();
  check(leaky.newTensors === 3, `without tidy 3 tensors stay alive, got ${leaky.newTensors}`);
  check(tidy.newTensors === 1, `with tidy only the result stays, got ${tidy.newTensors}`);
  check(leaky.kernels === 3 && tidy.kernels === 3, "tidy changes lifetimes, not the kernel count");
  x.dispose();
}));

Deno.test(
  exerciseCase("profileStep", "a returned tensor is the result, not a leak: freed", async () => {
    const x = tf.ones([3, 3]);
    const before = tf.memory().numTensors;
    const p = await profileStep(() => tf.tidy(() => x.mul(x).sum()));
    const after = tf.memory().numTensors;
    const obj = await profileStep(() => ({ loss: tf.tidy(() => x.add(x).mean()), note: "done" }));
    const afterObj = tf.memory().numTensors;
    x.dispose();
    check(p.kernels === 2, `x.mul(x).sum() launches 2 kernels, profileStep says ${p.kernels}`);
    check(
      p.newTensors === 0 && after === before,
      `profiling a function that returns a tensor (its result) should report 0 tensors left ` +
        `behind and free it, but newTensors is ${p.newTensors} and ${after - before} tensor(s) ` +
        "stayed alive: nobody else can free a result profileStep drops. Dispose what fn returns " +
        "inside the profiled function (`tf.dispose(fn())`).",
    );
    check(
      obj.newTensors === 0 && afterObj === after,
      `a result { loss: tensor, note } is freed too (tf.dispose walks objects and arrays), but ` +
        `newTensors is ${obj.newTensors} and ${afterObj - after} tensor(s) stayed alive`,
    );
  }),
);

Deno.test(
  exerciseCase("profileStep", "a lesson-5 training step: many kernels, no leak", async () => {
    const trainer = new Trainer(withOverrides(presets.tiny, { batchSize: 4 }), lesson5Parts);
    try {
      trainer.step(); // the first step builds the optimizer's state
      const first = await profileStep(() => trainer.step());
      const second = await profileStep(() => trainer.step());
      check(first.kernels > 20, `a training step launches dozens of kernels, got ${first.kernels}`);
      check(first.kernels === second.kernels, "two identical steps should launch as many kernels");
      const sum = Object.values(first.byName).reduce((a, b) => a + b, 0);
      check(sum === first.kernels, `byName should add up to kernels (${sum} vs ${first.kernels})`);
      check(
        first.newTensors === 0,
        `a step should free its tensors, ${first.newTensors} were left`,
      );
    } finally {
      trainer.dispose();
    }
  }),
);

// ---------------------------------------------------------------- 6.2 the forward kernel

Deno.test(
  exerciseCase(
    "causalSoftmaxProgram",
    "describes a [batch, seq, seq] output read from q, k",
    () => {
      checkLayout(causalSoftmaxProgram(3, 70, 12), [3, 70, 70], ["q", "k"], "causalSoftmaxProgram");
      checkLayout(
        causalSoftmaxProgram(512, 256, 256),
        [512, 256, 256],
        ["q", "k"],
        "the paper size",
      );
    },
  ),
);

Deno.test(exerciseCase("causalSoftmaxProgram", "a hand-computed 1×3×4 case", async () => {
  const q = [[1, 0, 0, 0], [0, 2, 0, 0], [1, 1, 2, 0]];
  const k = [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 4]];
  if (!gpuPart("causalSoftmaxProgram on a 1×3×4 case")) {
    checkLayout(causalSoftmaxProgram(1, 3, 4), [1, 3, 3], ["q", "k"], "causalSoftmaxProgram");
    return;
  }
  const out = await withGpuErrors(() => read(causalSoftmax(tf.tensor3d([q]), tf.tensor3d([k]))));
  assertAllClose(out, expectedAttention(q, k).flat(), {
    what: "your kernel on q = [[1,0,0,0],[0,2,0,0],[1,1,2,0]], k = [[2,0,0,0],[0,1,0,0],[0,0,0,4]]",
  });
}));

Deno.test(
  exerciseCase("causalSoftmaxProgram", "matches the tfjs composition; rows sum to 1", async () => {
    if (!gpuPart("causalSoftmaxProgram at sizes 3×70×12 and 1×300×8")) {
      checkLayout(
        causalSoftmaxProgram(1, 300, 8),
        [1, 300, 300],
        ["q", "k"],
        "causalSoftmaxProgram",
      );
      return;
    }
    for (const [b, t, d, seed] of [[3, 70, 12, 1], [1, 300, 8, 2]]) {
      const q = normal([b, t, d], seed) as tf.Tensor3D;
      const k = normal([b, t, d], seed + 10) as tf.Tensor3D;
      const [mine, ref] = await withGpuErrors(async () => [
        await read(causalSoftmax(q, k)),
        await read(causalSoftmaxComposed(q, k)),
      ]);
      tf.dispose([q, k]);
      assertAllClose(mine, ref, {
        atol: 1e-5,
        what: `your kernel vs the composition at ${b}×${t}×${d}`,
      });
      for (let row = 0; row < b * t; row++) {
        const tt = row % t;
        const r = mine.slice(row * t, (row + 1) * t);
        const sum = r.reduce((a, v) => a + v, 0);
        check(Math.abs(sum - 1) < 1e-4, `row ${row} (t = ${tt}) sums to ${sum}, not 1`);
        const above = r.findIndex((v, s) => s > tt && v !== 0);
        check(above < 0, `row t = ${tt} has weight ${r[above]} on future key s = ${above}`);
      }
    }
  }),
);

Deno.test(exerciseCase(
  "causalSoftmaxProgram",
  "the max of every row, wherever it sits (scores 1e4)",
  async () => {
    // q_t = k_t = a e_t with a² / √d = 1e4: row t's only large score, 1e4, is on the diagonal, so
    // across the rows every key position holds some row's maximum. A reduction that skips a
    // position (a tree reduction one level short, a loop that stops early) subtracts a value 1e4
    // below the true maximum there: exp overflows and the row becomes NaN.
    const [t, d] = [64, 64];
    const a = Math.sqrt(1e4 * Math.sqrt(d));
    const rows = Array.from(
      { length: t },
      (_, i) => Array.from({ length: d }, (_, c) => c === i ? a : 0),
    );
    if (!gpuPart("causalSoftmaxProgram with scores of 1e4 on the diagonal")) {
      checkLayout(causalSoftmaxProgram(1, t, d), [1, t, t], ["q", "k"], "causalSoftmaxProgram");
      return;
    }
    const mine = await withGpuErrors(() =>
      read(causalSoftmax(tf.tensor3d([rows]), tf.tensor3d([rows])))
    );
    const bad = Array.from({ length: t }, (_, r) => r).filter((r) =>
      mine.slice(r * t, (r + 1) * t).some((v) => !Number.isFinite(v))
    );
    check(
      bad.length === 0,
      `with a score of 1e4 at key s = t of each row t, rows ${bad.slice(0, 8).join(", ")}` +
        `${
          bad.length > 8 ? ", ..." : ""
        } (${bad.length} of ${t}) hold NaN or Infinity: the value ` +
        "your kernel subtracts before exp is not the row's maximum there. Does the max reduction " +
        "combine every invocation's value (a tree reduction runs down to a stride of 1, and all " +
        "keys s <= t are covered)?",
    );
    assertAllClose(mine, expectedAttention(rows, rows).flat(), {
      atol: 1e-5,
      what: "your kernel with scores of 1e4 on the diagonal (each row: weight 1 on s = t)",
    });
  },
));

// ---------------------------------------------------------------- 6.3 the gradient kernel

Deno.test(
  exerciseCase(
    "causalSoftmaxGradProgram",
    "describes a [batch, seq, seq] output of attn, dy",
    () => {
      checkLayout(
        causalSoftmaxGradProgram(2, 33, 8),
        [2, 33, 33],
        ["attn", "dy"],
        "causalSoftmaxGradProgram",
      );
      checkLayout(
        causalSoftmaxGradProgram(512, 256, 256),
        [512, 256, 256],
        ["attn", "dy"],
        "the paper size",
      );
    },
  ),
);

Deno.test(exerciseCase("causalSoftmaxGradProgram", "a hand-computed 2×2 case", async () => {
  // A = [[1, 0], [a, 1 - a]], dA = [[1, 0], [1, 0]], d = 4: row 1 is a(1-a) (1, -1) / 2.
  const a = 0.25;
  const expected = [0, 0, (a * (1 - a)) / 2, (-a * (1 - a)) / 2];
  if (!gpuPart("causalSoftmaxGradProgram on a 2×2 case")) {
    checkLayout(
      causalSoftmaxGradProgram(1, 2, 4),
      [1, 2, 2],
      ["attn", "dy"],
      "causalSoftmaxGradProgram",
    );
    return;
  }
  const out = await withGpuErrors(() =>
    read(causalSoftmaxGrad(tf.tensor3d([[[1, 0], [a, 1 - a]]]), tf.tensor3d([[[1, 0], [1, 0]]]), 4))
  );
  assertAllClose(out, expected, { what: "your gradient kernel on A = [[1,0],[.25,.75]]" });
}));

Deno.test(
  exerciseCase("causalSoftmaxGradProgram", "matches tfjs ops; each row sums to 0", async () => {
    if (!gpuPart("causalSoftmaxGradProgram at size 3×70 (d = 12)")) {
      checkLayout(
        causalSoftmaxGradProgram(3, 70, 12),
        [3, 70, 70],
        ["attn", "dy"],
        "causalSoftmaxGradProgram",
      );
      return;
    }
    const [b, t, d] = [3, 70, 12];
    const attn = causalSoftmaxComposed(
      normal([b, t, d], 3) as tf.Tensor3D,
      normal([b, t, d], 4) as tf.Tensor3D,
    );
    const dy = normal([b, t, t], 5) as tf.Tensor3D;
    const [mine, ref] = await withGpuErrors(async () => [
      await read(causalSoftmaxGrad(attn, dy, d)),
      await read(causalSoftmaxGradComposed(attn, dy, d)),
    ]);
    tf.dispose([attn, dy]);
    assertAllClose(mine, ref, { atol: 1e-5, what: "your gradient kernel vs tfjs ops" });
    for (let row = 0; row < b * t; row++) {
      const sum = mine.slice(row * t, (row + 1) * t).reduce((x, v) => x + v, 0);
      check(Math.abs(sum) < 1e-4, `row ${row} of dS sums to ${sum}; softmax gradients sum to 0`);
    }
  }),
);

// ---------------------------------------------------------------- 6.4 the differentiable op

/** q, k and a fixed weighting w, so that L = Σ w ⊙ A has a non-trivial gradient. */
function opInputs(b: number, t: number, d: number) {
  return {
    q: normal([b, t, d], 11) as tf.Tensor3D,
    k: normal([b, t, d], 12) as tf.Tensor3D,
    w: normal([b, t, t], 13) as tf.Tensor3D,
  };
}

Deno.test(exerciseCase("fusedCausalSoftmax", "forward value equals the composition", async () => {
  if (!onGpu) console.log(fallbackNotice("the kernels inside fusedCausalSoftmax", why));
  const { q, k, w } = opInputs(2, 20, 8);
  const [mine, ref] = await withGpuErrors(async () => {
    const out = fusedCausalSoftmax(q, k);
    assertShape(out, [2, 20, 20], "fusedCausalSoftmax(q, k)");
    return [await read(out), await read(causalSoftmaxComposed(q, k))];
  });
  tf.dispose([q, k, w]);
  assertAllClose(mine, ref, { atol: 1e-5, what: "fusedCausalSoftmax vs the composition" });
}));

Deno.test(exerciseCase("fusedCausalSoftmax", "gradients for q and k equal autodiff's", async () => {
  if (!onGpu) console.log(fallbackNotice("the gradient kernel inside fusedCausalSoftmax", why));
  const { q, k, w } = opInputs(2, 20, 8);
  const loss = (op: typeof fusedCausalSoftmax) => (a: tf.Tensor, b: tf.Tensor) =>
    op(a as tf.Tensor3D, b as tf.Tensor3D).mul(w).sum();
  const [mine, ref] = await withGpuErrors(async () => {
    const g = tf.grads(loss(fusedCausalSoftmax))([q, k]);
    const r = tf.grads(loss(causalSoftmaxComposed))([q, k]);
    return [[await read(g[0]), await read(g[1])], [await read(r[0]), await read(r[1])]];
  });
  tf.dispose([q, k, w]);
  assertAllClose(mine[0], ref[0], { atol: 1e-5, what: "dL/dq" });
  assertAllClose(mine[1], ref[1], { atol: 1e-5, what: "dL/dk" });
}));

Deno.test(
  exerciseCase("fusedCausalSoftmax", "frees its intermediates (inside tf.tidy)", async () => {
    const { q, k, w } = opInputs(1, 9, 4);
    const before = tf.memory().numTensors;
    const value = tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor) => fusedCausalSoftmax(a as tf.Tensor3D, k).mul(w).sum())([
        q,
      ]);
      return g[0].sum();
    });
    const after = tf.memory().numTensors;
    const v = await read(value);
    tf.dispose([q, k, w]);
    check(Number.isFinite(v[0]), `the gradient should be finite, got ${v[0]}`);
    check(
      after - before === 1,
      `only the returned value should survive tf.tidy, ${after - before} did`,
    );
  }),
);

// ---------------------------------------------------------------- 6.5 inside the model

// Shared inputs are frozen: an exercise that modifies one fails in its own test.
const small: ModelConfig = deepFreeze({ ...defaultModelConfig, dim: 16, maxLen: 12 });

function smallInputs(): tf.Tensor2D {
  const rng = new Rng(7);
  return tf.tensor2d(Array.from({ length: 3 * 12 }, () => rng.int(65)), [3, 12], "int32");
}

Deno.test(
  exerciseCase(
    "forwardWithSoftmax",
    "with the composition it is lib/model's reference",
    async () => {
      const params = initParams(small);
      const ids = smallInputs();
      const out = forwardWithSoftmax(params, small, ids, causalSoftmaxComposed);
      check(out?.logits instanceof tf.Tensor, "forwardWithSoftmax should return { logits }");
      assertShape(out.logits, [3, 12, 65], "logits");
      const mine = await read(out.logits);
      const ref = await read(forwardReference(params, small, ids).logits);
      tf.dispose([ids, ...Object.values(params)]);
      assertAllClose(mine, ref, { atol: 1e-4, what: "logits with causalSoftmaxComposed" });
    },
  ),
);

Deno.test(
  exerciseCase("forwardWithSoftmax", "with the final W_F layer: h3 = h2 + W_F h2", async () => {
    const config: ModelConfig = {
      ...small,
      finalFfn: true,
      trainable: ["wK1", "wK2", "wO2", "wF"],
    };
    const params = initParams(config);
    const ids = smallInputs();
    const mine = await read(forwardWithSoftmax(params, config, ids, causalSoftmaxComposed).logits);
    const ref = await read(forwardReference(params, config, ids).logits);
    // The logits are linear in h3: W_U (W_F h2) alone is the difference of the two models' logits.
    const withoutFfn = await read(
      forwardReference(params, { ...config, finalFfn: false }, ids).logits,
    );
    tf.dispose([ids, ...Object.values(params)]);
    assertAllClose(mine, ref, {
      atol: 1e-4,
      what: "logits with config.finalFfn (causalSoftmaxComposed)",
      mistakes: [
        {
          value: ref.map((v, i) => v - withoutFfn[i]),
          means: "These are the logits of W_F h2 without its residual connection: the final " +
            "layer is h3 = h2 + W_F h2.",
        },
        {
          value: withoutFfn,
          means: "These are the logits without W_F: with config.finalFfn, " +
            "h3 = h2 + W_F h2.",
        },
      ],
    });
  }),
);

Deno.test(
  exerciseCase("forwardWithSoftmax", "through the kernels: same logits and gradients", async () => {
    if (!onGpu) console.log(fallbackNotice("the model's forward pass through the kernels", why));
    const params = initParams(small);
    const ids = smallInputs();
    const vars = [params.wK1!, params.wK2!, params.wO2!];
    const lossOf = (f: () => tf.Tensor) => () => f().square().mean() as tf.Scalar;
    const [mine, ref] = await withGpuErrors(async () => {
      const g = tf.variableGrads(lossOf(() => forwardWithSoftmax(params, small, ids).logits), vars);
      const r = tf.variableGrads(lossOf(() => forwardReference(params, small, ids).logits), vars);
      const out = [];
      for (const x of [g, r]) {
        out.push([
          await read(x.value),
          ...await Promise.all(vars.map((v) => read(x.grads[v.name]))),
        ]);
      }
      return out;
    });
    tf.dispose([ids, ...Object.values(params)]);
    const names = ["loss", "dL/dW_K1", "dL/dW_K2", "dL/dW_O2"];
    names.forEach((n, i) => assertAllClose(mine[i], ref[i], { atol: 1e-5, rtol: 1e-3, what: n }));
  }),
);

Deno.test(exerciseCase(
  "forwardWithSoftmax",
  "trains: the same losses as lesson 5's trainer on cpu",
  async () => {
    // The tolerance: float32 sums in another order on another backend, 1e-4 relative.
    const config = withOverrides(presets.tiny, { batchSize: 8 });
    const steps = 3;
    const losses = async (make: () => Trainer) => {
      const trainer = make();
      const out: number[] = [];
      try {
        for (let i = 0; i < steps; i++) {
          trainer.step();
          out.push(await trainer.lastLoss());
        }
      } finally {
        trainer.dispose();
      }
      return out;
    };
    if (!onGpu) console.log(fallbackNotice("training through the kernels", why));
    const mine = await withGpuErrors(() => losses(() => kernelTrainer(config)));
    await initBackend("cpu");
    let ref: number[];
    try {
      ref = await losses(() => new Trainer(config, lesson5Parts));
    } finally {
      await initBackend(started.name);
    }
    assertAllClose(mine, ref, { atol: 0, rtol: 1e-4, what: `losses of ${steps} steps vs cpu` });
    check(mine[steps - 1] !== mine[0], "the loss should change as the model trains");
  },
));

// ------------------------------------------------------------------------------ 6.6

Deno.test(exerciseCase(
  "averageGradients",
  "one gradient per matrix, shapes kept, nothing leaked",
  async () => {
    const shards = [
      { grads: { wK1: tf.ones([3, 3]), wO2: tf.ones([3, 3]) }, count: 2 },
      { grads: { wK1: tf.zeros([3, 3]), wO2: tf.ones([3, 3]) }, count: 5 },
    ];
    const out = await assertNoLeak(() => averageGradients(shards), "averageGradients");
    try {
      check(
        JSON.stringify(Object.keys(out).sort()) === JSON.stringify(["wK1", "wO2"]),
        `averageGradients should return the matrices of the shards (wK1, wO2), got ${
          JSON.stringify(Object.keys(out))
        }`,
      );
      assertAllClose(out.wK1!.shape, [3, 3], { what: "the averaged wK1's shape", atol: 0 });
      assertAllClose(await out.wO2!.data(), new Array(9).fill(1), {
        what: "the average of two equal gradients",
      });
    } finally {
      tf.dispose(Object.values(out) as tf.Tensor[]);
      for (const s of shards) tf.dispose(Object.values(s.grads));
    }
  },
));

Deno.test(exerciseCase(
  "averageGradients",
  "weights by the counts: (3·1 + 1·5) / 4 = 2; empty shards add 0",
  async () => {
    // [gradients, counts, expected]: one 1×1 gradient per shard
    const cases: [string, number[], number[], number][] = [
      ["counts 3 and 1, gradients 1 and 5", [1, 5], [3, 1], 2],
      ["a shard with no loss target (count 0) next to one with 4", [7, 3], [0, 4], 3],
      ["no loss target anywhere (lesson 5's loss is 0, so is its gradient)", [0, 0], [0, 0], 0],
    ];
    for (const [what, values, counts, expected] of cases) {
      const shards = values.map((v, i) => ({
        grads: { wK2: tf.tensor2d([[v]]) },
        count: counts[i],
      }));
      const out = averageGradients(shards);
      try {
        check(out.wK2 instanceof tf.Tensor, "averageGradients should return a tensor for wK2");
        assertAllClose(await out.wK2!.data(), [expected], {
          what: `averageGradients with ${what}`,
          mistakes: [{
            value: [values.reduce((a, b) => a + b, 0) / values.length],
            means: "a plain mean of the shards' gradients: weight each by its count n_k",
          }],
        });
      } finally {
        tf.dispose(Object.values(out) as tf.Tensor[]);
        for (const shard of shards) tf.dispose(shard.grads.wK2);
      }
    }
  },
));

Deno.test(exerciseCase(
  "averageGradients",
  "two shards of a real batch give the whole batch's gradient",
  async () => {
    // A seeded tiny model and batch; the in-context mask differs between the halves, so a plain
    // mean of the halves' gradients is wrong and the weighted one is exact (to float32 rounding).
    const config: ModelConfig = { ...defaultModelConfig, dim: 16, maxLen: 12 };
    const params = initParams(config);
    const names = ["wK1", "wK2", "wO2"] as const;
    for (const n of Object.keys(params) as (keyof typeof params)[]) {
      params[n]!.trainable = (names as readonly string[]).includes(n);
    }
    const rng = new Rng(6);
    const [batch, seq] = [6, 12];
    const ids = Array.from({ length: batch * seq }, () => rng.int(config.vocabSize));
    const tgt = Array.from({ length: batch * seq }, () => rng.int(config.vocabSize));
    const msk: number[] = Array.from(
      { length: batch * seq },
      (_, i) => (i % 5 === 0 || i < 20 ? 1 : 0),
    );
    const gradsOf = (from: number, to: number) => {
      const rows = to - from;
      const inputs = tf.tensor2d(ids.slice(from * seq, to * seq), [rows, seq], "int32");
      const targets = tf.tensor2d(tgt.slice(from * seq, to * seq), [rows, seq], "int32");
      const mask = tf.tensor2d(msk.slice(from * seq, to * seq), [rows, seq]);
      const vars = names.map((n) => params[n]!);
      const { value, grads } = tf.variableGrads(
        () => referenceLoss(forward(params, config, inputs).logits, targets, mask),
        vars,
      );
      const count = msk.slice(from * seq, to * seq).reduce((a, b) => a + b, 0);
      const byName = Object.fromEntries(names.map((n, i) => [n, grads[vars[i].name]]));
      tf.dispose([inputs, targets, mask, value]);
      return { grads: byName, count };
    };
    const whole = gradsOf(0, batch);
    const shards = [gradsOf(0, 2), gradsOf(2, batch)];
    check(shards[0].count / 2 !== shards[1].count / 4, "the halves' targets per sequence differ");
    const out = averageGradients(shards);
    try {
      for (const n of names) {
        assertAllClose(await out[n]!.data(), await whole.grads[n].data(), {
          what: `the averaged gradient of ${n} vs the whole batch's`,
          rtol: 1e-4,
          atol: 1e-6,
        });
      }
    } finally {
      tf.dispose(Object.values(out) as tf.Tensor[]);
      for (const g of [whole, ...shards]) tf.dispose(Object.values(g.grads));
      disposeAll(params);
    }
  },
));

function disposeAll(params: ReturnType<typeof initParams>): void {
  tf.dispose(Object.values(params).filter((p) => p !== undefined));
}
