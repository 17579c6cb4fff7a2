/**
 * `deno task demo 6`: your fused attention kernels at work (the reference's with `--solutions`;
 * the first lines say which; the numbers come from `experiment.ts`, which the site's lesson-6
 * demo draws too, and this file only prints them). On the WebGPU backend (a GPU, or
 * Mesa's software driver) it checks the kernels against the plain tfjs composition and times
 * both, counts the kernels of a training step with lesson 6's `profileStep`, then trains the
 * first steps (20 by default) of lesson 5's `cpu` configuration through the kernels next to
 * lesson 5's own step, both with lesson 1's data and lesson 5's training code, and prints both
 * losses; every label says whose code it is ("your" or "the reference's"). Without an adapter
 * it says so and runs the same on the fallback backend.
 *
 * Options: `--steps N` (default 20), `--backend NAME` (default: webgpu when an adapter exists).
 *
 * For the full measurements (every backend, the CPU climb, the time to birth) run
 * `deno task bench`.
 * @module
 */
import { parseArgs } from "node:util";
import { codeLabel, runDemo, whose } from "@lib/course/demo_support.ts";
import { presets } from "@lib/train/config.ts";
import { initBackend, parseBackend } from "@lib/tf/mod.ts";
import { probeWebGPU, quietMesa, withGpuErrors } from "@lib/webgpu/mod.ts";
import { compareKernels, KernelRace, type StepProfile } from "./experiment.ts";

function describeProfile(name: string, p: StepProfile): string {
  const top = Object.entries(p.byName).sort((a, b) => b[1] - a[1]).slice(0, 6)
    .map(([k, n]) => `${k} ${n}`).join(", ");
  return `  ${name.padEnd(30)} ${String(p.kernels).padStart(4)} kernels, ${p.newTensors} tensors ` +
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
  const who = whose(); // "your" or "the reference's", for every label below
  // Without WebGPU the kernels do not run: fusedCausalSoftmax is the plain composition.
  const fused = info.name === "webgpu" ? `${who} kernels` : `${who} fusedCausalSoftmax (fallback)`;
  if (info.name === "webgpu") {
    console.log(`WebGPU adapter: ${gpu.description}${gpu.software ? " (software: no GPU)" : ""}`);
  } else {
    console.log(
      `No WebGPU here (${gpu.reason ?? "another backend was asked for"}): ${who} kernels do ` +
        `not run; ${who} fusedCausalSoftmax falls back to the plain tfjs composition.`,
    );
  }

  const race = new KernelRace("cpu", { onNote: (note) => console.log(`  (${note})`) });
  try {
    const [b, t, d] = [race.config.batchSize, race.config.data.seqLen, race.config.model.dim];
    console.log(
      `\n1. ${
        fused[0].toUpperCase() + fused.slice(1)
      } against the composition, at the cpu configuration's [${b}, ${t}, ${d}]`,
    );
    await withGpuErrors(async () => {
      const c = await compareKernels([b, t, d]);
      console.log(
        `  largest difference: weights ${c.weightsDiff.toExponential(1)}, ` +
          `dL/dq ${c.gradDiff.toExponential(1)}`,
      );
      console.log(
        `  forward + backward: plain tfjs ops ${c.composedMs.toFixed(1)} ms, ${fused} ` +
          `${c.fusedMs.toFixed(1)} ms (${(c.composedMs / c.fusedMs).toFixed(2)}x)`,
      );
    });

    console.log(
      `\n2. One training step, profiled with ${who} profileStep ` +
        `(both steps with ${who} lesson 1 data and lesson 5 training code)`,
    );
    const profiles = await race.profile();
    console.log(describeProfile("lesson 5 (lib/model forward)", profiles.course));
    console.log(describeProfile(`through ${fused}`, profiles.kernels));

    console.log(
      `\n3. The first ${steps} training steps of the cpu configuration (of its ` +
        `${presets.cpu.steps}), both ways, with ${who} lesson 1 and 5 code`,
    );
    console.log("  step   lesson 5 step    via kernels   ms/step (lesson 5 step, via kernels)");
    while (race.trainer.stepCount < steps) {
      const r = await race.race();
      if (r.step % 5 === 0 || r.step === steps) {
        console.log(
          `  ${String(r.step).padStart(4)}   ${r.course.loss.toFixed(5).padStart(13)}   ` +
            `${r.kernels.loss.toFixed(5).padStart(12)}   ` +
            `${r.course.ms.toFixed(0)}, ${r.kernels.ms.toFixed(0)}`,
        );
      }
    }
  } finally {
    race.dispose();
  }
  console.log("\nThe two columns should agree to about 1e-4. `deno task bench` measures it all.");
}

if (import.meta.main) {
  await runDemo(6, () => demo(Deno.args));
}
