/**
 * `deno task demo 0`: the primer's exercises at work (your code in `lessons/`, or the reference
 * with `--solutions`). It counts the tensors a leaky function leaves behind with your
 * `tensorsLeftBy`, fits a linear map by gradient descent with your `applyToRows` and `sgdStep`,
 * and times one matrix product on each backend with your `onBackend`. The numbers come from
 * `experiment.ts`, which the site's demo draws too; this file only prints them.
 *
 * Options: `--seed N` (default 0), `--steps N` (default 100), `--lr X` (default 0.3),
 * `--size N` (the product's size, default 256).
 * @module
 */
import { parseArgs } from "node:util";
import pc from "picocolors";
import { initBackend } from "@lib/tf/mod.ts";
import { codeLabel, runDemo, whose } from "@lib/course/demo_support.ts";
import { fitLinear, leakCounts, registeredBackends, timeBackends } from "./experiment.ts";

/** Prints the demo. */
async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: "string", default: "0" },
      steps: { type: "string", default: "100" },
      lr: { type: "string", default: "0.3" },
      size: { type: "string", default: "256" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task demo 0 [--solutions] [--seed N] [--steps N] [--lr X] [--size N]\n" +
        "  --seed N   seed of the linear fit (default 0)\n" +
        "  --steps N  gradient steps of the fit, 1 to 10000 (default 100)\n" +
        "  --lr X     its learning rate, in (0, 10) (default 0.3)\n" +
        "  --size N   size of the timed matrix product, 8 to 2048 (default 256)",
    );
    return;
  }
  const seed = Number(values.seed);
  const steps = Number(values.steps);
  const lr = Number(values.lr);
  const size = Number(values.size);
  if (
    !Number.isInteger(seed) || !(Number.isInteger(steps) && steps >= 1 && steps <= 10_000) ||
    !(lr > 0 && lr < 10) || !(Number.isInteger(size) && size >= 8 && size <= 2048)
  ) {
    throw new Error(
      "--seed takes an integer, --steps 1 to 10000, --lr a rate in (0, 10), --size 8 to 2048",
    );
  }
  const info = await initBackend("auto");
  console.log(pc.dim(`Running ${codeLabel()}; backend: ${info.summary}.`));
  const who = whose(); // "your" or "the reference's", for every label below

  // 1. Memory.
  const counts = leakCounts(20);
  console.log(pc.bold(`\n1. Tensors left alive, counted by ${who} tensorsLeftBy (20 calls each)`));
  console.log(
    `  x.add(1).mul(2).sub(3).div(4):            ${counts.leaky.at(-1)} tensors ` +
      pc.dim(`(after calls 1, 2, 3: ${counts.leaky.slice(0, 3).join(", ")})`),
  );
  console.log(`  tf.tidy(() => x.add(1).mul(2).sub(3).div(4)): ${counts.tidy.at(-1)} tensors`);

  // 2. Gradient descent.
  const fit = fitLinear({ seed, steps, lr, samples: 64 });
  console.log(pc.bold(
    `\n2. Fitting W [3, 4] to 64 pairs (x_i, W* x_i) from W = 0, with ${who} applyToRows and ` +
      `sgdStep (lr ${lr})`,
  ));
  const shown = [...new Set([0, 1, 2, 5, 10, 20, 50, steps - 1].filter((i) => i < steps))];
  for (const i of shown) {
    console.log(
      `  step ${String(i + 1).padStart(5)}   loss ${fit.losses[i].toExponential(3).padStart(10)}` +
        `   tensors alive ${fit.tensors[i]}`,
    );
  }
  const flat = fit.tensors.every((n) => n === fit.tensors[0]);
  console.log(
    `  largest |W - W*| entry after ${steps} steps: ${fit.maxError.toExponential(2)}; ` +
      (flat
        ? "the tensor count stayed flat: nothing leaks."
        : pc.yellow("the tensor count grew: something leaks at every step.")),
  );

  // 3. Backends.
  const backends = registeredBackends();
  console.log(pc.bold(
    `\n3. One [${size}, ${size}] @ [${size}, ${size}] product on each backend, with ${who} onBackend ` +
      `(10 products per backend)`,
  ));
  const timings = await timeBackends({ size, repeats: 10, backends });
  const fastest = Math.min(...timings.filter((t) => !t.error).map((t) => t.ms));
  for (const t of timings) {
    if (t.error) {
      console.log(`  ${t.backend.padEnd(7)} did not run: ${t.error}`);
      continue;
    }
    console.log(
      `  ${t.backend.padEnd(7)} ${t.ms.toFixed(2).padStart(9)} ms  ${
        t.gflops.toFixed(2).padStart(7)
      } GFLOP/s  ${(t.ms / fastest).toFixed(1).padStart(5)}x the fastest  ` +
        pc.dim(`largest difference from ${timings[0].backend}: ${t.maxDiff.toExponential(1)}`),
    );
  }
  console.log(pc.dim(
    "\nWall-clock times: they depend on the machine and its load; the ratio is what counts. " +
      "wasm runs SIMD WebAssembly,\ncpu plain JavaScript: that is why the course trains on wasm " +
      "when there is no GPU.",
  ));
}

if (import.meta.main) await runDemo(0, () => demo(Deno.args));
