import assert from "node:assert/strict";
import { parseBenchArgs, planTasks } from "@lib/bench/cli.ts";
import { measuredBatch, runJob } from "@lib/bench/worker.ts";
import { benchConfig } from "@lib/bench/configs.ts";

Deno.test("parseBenchArgs: defaults and lists", () => {
  const o = parseBenchArgs([]);
  assert.deepEqual(o.configs, ["cpu", "paper"]);
  assert.deepEqual(o.backends, ["cpu", "wasm", "webgpu"]);
  assert.deepEqual(o.variants, ["course"]);
  assert.equal(o.birth, true);
  assert.equal(parseBenchArgs(["--backends", "wasm,webgpu", "--json"]).json, true);
});

Deno.test("parseBenchArgs: a wrong name or number gets a clear message", () => {
  assert.throws(() => parseBenchArgs(["--config", "huge"]), /Unknown configuration "huge"/);
  assert.throws(() => parseBenchArgs(["--backends", "gpu"]), /Unknown backend "gpu"/);
  assert.throws(() => parseBenchArgs(["--variants", "fast"]), /Unknown variant "fast"/);
  assert.throws(() => parseBenchArgs(["--steps", "0"]), /--steps must be an integer >= 1/);
});

Deno.test("planTasks: small configurations first; climb on wasm; kernel tasks on webgpu", () => {
  const plan = planTasks(parseBenchArgs(["--config", "paper,cpu", "--climb"]));
  const wasm = plan.get("wasm")!;
  assert.deepEqual(wasm.map((t) => t.config), [...Array(6).fill("cpu"), "paper"]);
  const gpu = plan.get("webgpu")!.map((t) =>
    `${t.kind}:${t.config}:${"variant" in t ? t.variant : ""}`
  );
  assert.ok(
    gpu.includes("step:cpu:fused") && gpu.includes("op:cpu:") && gpu.includes("pipeline:cpu:"),
  );
  assert.ok(plan.get("cpu")!.every((t) => t.kind === "step" && t.variant === "course"));
});

Deno.test("runJob measures the matmul and a step, and skips what will not fit", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await runJob({
      backend: "cpu",
      tasks: [{ kind: "step", config: "tiny", variant: "course" }, {
        kind: "step",
        config: "paper",
        variant: "course",
      }],
      warmup: 1,
      steps: 1,
      budgetS: 5,
      batch: 2,
      matmulN: 64,
    });
  } finally {
    console.log = log;
  }
  const messages = lines.map((l) => JSON.parse(l.replace(/^BENCH /, "")));
  assert.deepEqual(messages.map((m) => m.type), ["started", "matmul", "step", "step"]);
  const [tiny, paper] = [messages[2].result, messages[3].result];
  assert.equal(tiny.status, "ok");
  assert.ok(tiny.medianMs > 0 && tiny.kernels > 20 && tiny.leakedTensors === 0);
  assert.equal(paper.status, "skipped");
  assert.ok(paper.estimatedMs > 0);
});

Deno.test("measuredBatch: CPU backends measure the paper step at batch 64 and scale by 8", () => {
  assert.deepEqual(measuredBatch(benchConfig("paper"), "wasm"), { batch: 64, factor: 8 });
  assert.deepEqual(measuredBatch(benchConfig("paper"), "webgpu"), { batch: 512, factor: 1 });
  assert.deepEqual(measuredBatch(benchConfig("cpu"), "wasm"), { batch: 64, factor: 1 });
});
