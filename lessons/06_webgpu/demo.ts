/**
 * `deno task demo 6`: your fused attention kernels at work (the reference's with `--solutions`;
 * the first lines say which). On the WebGPU backend (a GPU, or
 * Mesa's software driver) it checks your kernels against the plain tfjs composition and times
 * both, counts the kernels of a training step with your `profileStep`, then trains lesson 5's
 * `cpu` configuration through your kernels next to the course's own step and prints both
 * losses. Without an adapter it says so and runs the same on the fallback backend.
 *
 * Options: `--steps N` (default 20), `--backend NAME` (default: webgpu when an adapter exists).
 *
 * For the full measurements (every backend, the CPU climb, the time to birth) run
 * `deno task bench`.
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import {
  fusedCausalSoftmax,
  kernelTrainer,
  profileStep,
  type StepProfile,
} from "@exercises/06_webgpu/exercises.ts";
import { codeLabel, runDemo } from "@lib/course/demo_support.ts";
import { timeAttentionOps } from "@lib/bench/measure.ts";
import { initBackend, parseBackend } from "@lib/tf/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { trainerParts } from "@lib/train/parts.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { causalSoftmaxComposed, probeWebGPU, quietMesa, withGpuErrors } from "@lib/webgpu/mod.ts";

/** The largest absolute difference between two tensors, read asynchronously. */
async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

function describeProfile(name: string, p: StepProfile): string {
  const top = Object.entries(p.byName).sort((a, b) => b[1] - a[1]).slice(0, 6)
    .map(([k, n]) => `${k} ${n}`).join(", ");
  return `  ${name.padEnd(28)} ${String(p.kernels).padStart(4)} kernels, ${p.newTensors} tensors ` +
    `left behind (most: ${top})`;
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      steps: { type: "string", default: "20" },
      backend: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task demo 6 [--solutions] [--steps N] [--backend NAME]\n" +
        "  --steps N       training steps of part 3 (default 20; 5 for a quick look)\n" +
        "  --backend NAME  default: webgpu when an adapter exists (here a software one)",
    );
    return;
  }
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new Error("--steps must be a positive integer");
  await quietMesa(); // keeps Mesa's software driver quiet
  const gpu = await probeWebGPU();
  const wanted = values.backend ? parseBackend(values.backend) : gpu.available ? "webgpu" : "auto";
  const info = await initBackend(wanted);
  console.log(`Backend: ${info.summary}`);
  console.log(`Running ${codeLabel()}.`);
  if (info.name === "webgpu") {
    console.log(`WebGPU adapter: ${gpu.description}${gpu.software ? " (software: no GPU)" : ""}`);
  } else {
    console.log(
      `No WebGPU here (${gpu.reason ?? "another backend was asked for"}): your kernels do not ` +
        `run; fusedCausalSoftmax falls back to the plain tfjs composition.`,
    );
  }

  const config = withOverrides(presets.cpu, { steps });
  const [b, t, d] = [config.batchSize, config.data.seqLen, config.model.dim];
  console.log(
    `\n1. Your kernels against the composition, at the cpu configuration's [${b}, ${t}, ${d}]`,
  );
  await withGpuErrors(async () => {
    const q = tf.randomNormal([b, t, d], 0, 1, "float32", 1) as tf.Tensor3D;
    const k = tf.randomNormal([b, t, d], 0, 1, "float32", 2) as tf.Tensor3D;
    const w = tf.randomNormal([b, t, t], 0, 1, "float32", 3) as tf.Tensor3D;
    const loss = (op: typeof fusedCausalSoftmax) => (x: tf.Tensor) =>
      op(x as tf.Tensor3D, k).mul(w).sum();
    const [mine, ref] = [fusedCausalSoftmax(q, k), causalSoftmaxComposed(q, k)];
    const [gMine, gRef] = [
      tf.grad(loss(fusedCausalSoftmax))(q),
      tf.grad(loss(causalSoftmaxComposed))(q),
    ];
    console.log(
      `  largest difference: weights ${(await maxDiff(mine, ref)).toExponential(1)}, ` +
        `dL/dq ${(await maxDiff(gMine, gRef)).toExponential(1)}`,
    );
    tf.dispose([q, k, w, mine, ref, gMine, gRef]);
    const { composedMs, fusedMs } = await timeAttentionOps([b, t, d], fusedCausalSoftmax);
    console.log(
      `  forward + backward: plain tfjs ops ${composedMs.toFixed(1)} ms, your kernels ` +
        `${fusedMs.toFixed(1)} ms (${(composedMs / fusedMs).toFixed(2)}x)`,
    );
  });

  console.log("\n2. One training step, profiled with your profileStep");
  const course = new Trainer(config, trainerParts(data, training)); // your lesson 1 and 5 code
  const mine = kernelTrainer(config);
  try {
    course.step();
    mine.step();
    await Promise.all([course.lastLoss(), mine.lastLoss()]);
    console.log(
      describeProfile("lesson 5 (lib/model forward)", await profileStep(() => course.step())),
    );
    console.log(describeProfile("through your kernels", await profileStep(() => mine.step())));

    console.log(`\n3. Training the cpu configuration for ${steps} steps, both ways`);
    console.log("  step   lesson 5 loss   your kernels   ms/step (lesson 5, yours)");
    const time = async (trainer: Trainer) => {
      const t0 = performance.now();
      trainer.step();
      const loss = await trainer.lastLoss(); // one readback per step, for the printout
      return { loss, ms: performance.now() - t0 };
    };
    for (let s = course.stepCount; s < steps; s++) {
      const [a, bb] = [await time(course), await time(mine)];
      if (s % 5 === 4 || s === steps - 1) {
        console.log(
          `  ${String(s + 1).padStart(4)}   ${a.loss.toFixed(5).padStart(13)}   ` +
            `${bb.loss.toFixed(5).padStart(12)}   ${a.ms.toFixed(0)}, ${bb.ms.toFixed(0)}`,
        );
      }
    }
  } finally {
    course.dispose();
    mine.dispose();
  }
  console.log("\nThe two columns should agree to about 1e-4. `deno task bench` measures it all.");
}

if (import.meta.main) {
  await runDemo(6, () => demo(Deno.args));
}
