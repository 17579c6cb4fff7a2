import assert from "node:assert/strict";
import { main, parseBenchArgs, planTasks, progress } from "@lib/bench/cli.ts";
import { measuredBatch } from "@lib/bench/worker.ts";
import { benchConfig } from "@lib/bench/configs.ts";

/** The bench's entry point and worker script, as `deno task bench` starts them. */
const TOOL = {
  worker: new URL("../../lessons/06_webgpu/bench_worker.ts", import.meta.url),
  entry: new URL("../../lessons/06_webgpu/bench.ts", import.meta.url),
};

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
  const plan = planTasks(parseBenchArgs(["--config", "paper,cpu", "--climb", "--workers", "1"]));
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

Deno.test("planTasks: --workers N adds one process vs N Workers on wasm, first configuration", () => {
  const plan = planTasks(parseBenchArgs(["--config", "paper,cpu", "--workers", "3"]));
  const parallel = plan.get("wasm")!.filter((t) => t.kind === "workers");
  assert.deepEqual(parallel, [{ kind: "workers", config: "cpu", workers: 3 }]);
  assert.ok(plan.get("cpu")!.every((t) => t.kind !== "workers"));
  assert.throws(() => parseBenchArgs(["--workers", "0"]), /--workers must be an integer >= 1/);
});

Deno.test("measuredBatch: CPU backends measure the paper step at batch 64 and scale by 8", () => {
  assert.deepEqual(measuredBatch(benchConfig("paper"), "wasm"), { batch: 64, factor: 8 });
  assert.deepEqual(measuredBatch(benchConfig("paper"), "webgpu"), { batch: 512, factor: 1 });
  assert.deepEqual(measuredBatch(benchConfig("cpu"), "wasm"), { batch: 64, factor: 1 });
});

/** Runs the bench's `main` and returns its exit code and what it printed to stderr. */
async function bench(args: string[]) {
  const printed: string[] = [];
  const [log, error] = [console.log, console.error];
  console.error = (...a: unknown[]) => printed.push(a.join(" "));
  console.log = () => {};
  try {
    return { code: await main(args, TOOL), stderr: printed.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

Deno.test("--matmul-n too large for memory is refused with the limit", () => {
  for (const n of ["1e12", "100000"]) {
    assert.throws(
      () => parseBenchArgs(["--matmul-n", n]),
      /--matmul-n must be an integer from 8 to 16384/,
    );
  }
  assert.equal(parseBenchArgs(["--matmul-n", "1024"]).matmulN, 1024);
});

Deno.test("bench --show on a missing, non-JSON or foreign file: one line, exit 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /cannot read .*missing\.json/],
      ["not json at all", /is not JSON/],
      ['{"hello": 1}', /is not a report saved by deno task bench --json/],
      ['{"machine": {}, "steps": 3}', /is not a report saved by deno task bench --json/],
    ];
    for (const [content, message] of cases) {
      const file = `${dir}/${content === undefined ? "missing" : "report"}.json`;
      if (content !== undefined) await Deno.writeTextFile(file, content);
      const r = await bench(["--show", file]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.split("\n").length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at |Usage:/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a worker that crashes makes the bench exit 1 and say which one", async () => {
  const dir = await Deno.makeTempDir();
  const crash = `${dir}/crash.ts`;
  await Deno.writeTextFile(
    crash,
    'console.error("RangeError: Invalid typed array length");\nDeno.exit(3);\n',
  );
  Deno.env.set("COURSE_BENCH_WORKER", crash);
  try {
    const r = await bench(["--backends", "cpu", "--config", "tiny", "--no-birth", "--no-kernel"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: the cpu worker exited with code 3: RangeError: Invalid typed array length/,
    );
  } finally {
    Deno.env.delete("COURSE_BENCH_WORKER");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--climb-backend: a wrong name, or a backend --backends leaves out, is refused", () => {
  assert.throws(
    () => parseBenchArgs(["--climb", "--climb-backend", "gpu"]),
    /--climb-backend: unknown backend "gpu"/,
  );
  assert.throws(
    () => parseBenchArgs(["--climb", "--backends", "cpu"]),
    /--climb runs on wasm, which --backends cpu leaves out/,
  );
  assert.equal(
    parseBenchArgs(["--climb", "--backends", "cpu", "--climb-backend", "cpu"]).climb,
    true,
  );
});

Deno.test("--out: a folder is refused before measuring; the report is written after each backend", async () => {
  const dir = await Deno.makeTempDir();
  // A worker that reports whether the report file exists yet, then fails (no measurement).
  const probe = `${dir}/probe.ts`;
  const out = `${dir}/report.json`;
  await Deno.writeTextFile(
    probe,
    `let seen = "no report yet";\n` +
      `try { seen = "report has " + JSON.parse(Deno.readTextFileSync(${
        JSON.stringify(out)
      })).notes.length + " notes"; } catch { /* none */ }\n` +
      "console.error(seen);\nDeno.exit(3);\n",
  );
  Deno.env.set("COURSE_BENCH_WORKER", probe);
  try {
    const folder = await bench(["--backends", "cpu", "--config", "tiny", "--out", dir]);
    assert.equal(folder.code, 1, folder.stderr);
    assert.match(folder.stderr, /^error: --out .* is a folder; give a file name/);
    assert.doesNotMatch(folder.stderr, /started|worker|\n\s+at /, "nothing was measured");
    const r = await bench([
      "--backends",
      "cpu,wasm",
      "--config",
      "tiny",
      "--no-birth",
      "--no-kernel",
      "--workers",
      "1",
      "--out",
      out,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the cpu worker exited with code 3: no report yet/);
    assert.match(r.stderr, /the wasm worker exited with code 3: report has 1 notes/);
    assert.equal(JSON.parse(await Deno.readTextFile(out)).notes.length, 2);
  } finally {
    Deno.env.delete("COURSE_BENCH_WORKER");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('progress: the birth run\'s line says at which step and when, not just "birth born"', () => {
  const base = { config: "cpu", backend: "wasm", threshold: 0.95 } as const;
  assert.equal(
    progress({ type: "birth", result: { ...base, status: "born", step: 180, seconds: 13.94 } }),
    "wasm: birth of the cpu configuration: born at step 180, 13.9 s",
  );
  assert.equal(
    progress({
      type: "birth",
      result: { ...base, status: "born", step: 200, seconds: 8.7, workers: 2 },
    }),
    "wasm: birth of the cpu configuration with 2 Workers: born at step 200, 8.7 s",
  );
  assert.equal(
    progress({
      type: "birth",
      result: { ...base, status: "not born", lastAcc: 0.5, stepsRun: 40, totalSeconds: 300 },
    }),
    "wasm: birth of the cpu configuration: not born within the cap (accuracy 0.500 after 40 steps)",
  );
  assert.equal(
    progress({ type: "birth", result: { ...base, status: "failed", reason: "a stub" } }),
    "wasm: birth of the cpu configuration: failed (a stub)",
  );
});
