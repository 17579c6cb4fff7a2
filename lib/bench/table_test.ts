import assert from "node:assert/strict";
import {
  type BenchReport,
  failedMeasurements,
  formatReport,
  gpuSpeedup,
  speedVsFastest,
  type StepResult,
} from "@lib/bench/table.ts";

const step = (backend: string, medianMs: number, config = "paper"): StepResult => ({
  config,
  backend,
  variant: "course",
  status: "ok",
  flops: 3.69e11,
  tokens: 131072,
  medianMs,
  tokensPerS: 131072 / (medianMs / 1000),
  gflops: 3.69e11 / (medianMs * 1e6),
  ofMatmul: 0.5,
  kernels: 180,
});

Deno.test("speedVsFastest: 1 for the fastest, the time ratio for the others, per config", () => {
  const steps = [step("wasm", 100), step("webgpu", 5), step("cpu", 50, "cpu")];
  const speed = speedVsFastest(steps);
  assert.equal(speed.get(steps[1]), 1);
  assert.equal(speed.get(steps[0]), 0.05);
  assert.equal(speed.get(steps[2]), 1);
});

Deno.test("gpuSpeedup compares WebGPU with the fastest CPU backend, or says it is pending", () => {
  assert.match(
    gpuSpeedup([step("wasm", 100), step("cpu", 900), step("webgpu", 4)], "paper")!,
    /25\.00x the speed of wasm/,
  );
  assert.match(gpuSpeedup([step("wasm", 100)], "paper")!, /pending a GPU run/);
  assert.equal(gpuSpeedup([step("wasm", 100)], "cpu"), undefined);
});

Deno.test("formatReport prints every measured row and the reason of a skipped one", () => {
  const report: BenchReport = {
    machine: {
      date: "2026-01-01 00:00",
      deno: "2.9.6",
      tfjs: "4.22.0",
      cpu: "Test CPU",
      threads: 2,
      webgpu: "none",
    },
    settings: { warmup: 2, steps: 5, budgetS: 60 },
    matmul: [{ backend: "wasm", n: 512, ms: 10, gflops: 26.8 }],
    steps: [
      step("wasm", 100),
      {
        ...step("cpu", 0),
        status: "skipped",
        medianMs: undefined,
        estimatedMs: 4.1e5,
        reason: "7 steps would take about 2870 s",
      },
    ],
    ops: [],
    pipeline: [],
    birth: {
      config: "cpu",
      backend: "wasm",
      status: "born",
      threshold: 0.95,
      step: 230,
      seconds: 41.5,
    },
    notes: ["webgpu not measured: no adapter"],
  };
  const text = formatReport(report);
  assert.match(text, /Test CPU \(2 threads\)/);
  assert.match(text, /wasm 26\.8 GFLOP\/s \(n=512\)/);
  assert.match(
    text,
    /paper\s+wasm\s+course\s+369\.00\s+100\s+1,310,720\s+3,690\.0\s+50%\s+180\s+1\.00/,
  );
  assert.match(text, /skipped: est\. 410\.0 s\/step; 7 steps would take about 2870 s/);
  assert.match(text, /step 230, 41\.5 s/);
  assert.match(text, /Note: webgpu not measured: no adapter/);
});

Deno.test("formatReport says how many untimed steps of each preceded the Workers' comparison", () => {
  const report: BenchReport = {
    machine: { date: "d", deno: "2.9.6", tfjs: "4.22.0", cpu: "c", threads: 2, webgpu: "none" },
    settings: { warmup: 2, steps: 5, budgetS: 60 },
    matmul: [],
    steps: [],
    ops: [],
    pipeline: [],
    workers: [{
      config: "cpu",
      backend: "wasm",
      workers: 2,
      oneMs: 60,
      manyMs: 40,
      speedup: 1.5,
      startS: 0.4,
      warmup: 20,
    }],
    notes: [],
  };
  assert.match(
    formatReport(report),
    /60\.0 ms\/step vs 40\.0 ms\/step, speed-up 1\.50x \(after 20 untimed steps of each; starting the Workers: 0\.4 s, once\)/,
  );
});

Deno.test("failedMeasurements: a failed step, op, Workers run or birth is listed; a skip is not", () => {
  const skipped = {
    config: "paper",
    backend: "wasm",
    reason: "skipped: about 900 s (budget 60 s)",
  };
  assert.deepEqual(
    failedMeasurements({
      steps: [step("wasm", 100), { ...step("cpu", 0), status: "skipped", reason: "too slow" }],
      ops: [{ ...skipped, shape: [1, 2, 3] }],
      pipeline: [skipped],
      workers: [{ ...skipped, workers: 2 }],
    }),
    [],
  );
  const stub = "`unigramFromCounts` is not implemented yet";
  const failed = failedMeasurements({
    steps: [{ ...step("wasm", 0), status: "failed", reason: stub }],
    ops: [{ config: "cpu", backend: "webgpu", shape: [1, 2, 3], reason: "device lost" }],
    pipeline: [{ config: "cpu", backend: "webgpu", reason: "device lost" }],
    workers: [{ config: "cpu", backend: "wasm", workers: 2, reason: "Worker 1 crashed" }],
    birth: { config: "cpu", backend: "wasm", status: "failed", threshold: 0.95, reason: stub },
  });
  assert.equal(failed.length, 5);
  assert.match(failed[0], /^step paper wasm course: `unigramFromCounts` is not implemented yet$/);
  assert.match(failed[4], /^birth cpu wasm: /);
});
