/**
 * The GPU kit's bundled worker runs without the project: bundled by `deno bundle` (as
 * `lib/bench/gpu_kit.sh` does), copied with the wasm binaries into an empty folder, and run with
 * `--no-config`, it starts the wasm backend and measures a step.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeImportMap } from "@lib/course/run_tests.ts";

const WASM_DIST = "node_modules/.deno/@tensorflow+tfjs-backend-wasm@4.22.0/node_modules/" +
  "@tensorflow/tfjs-backend-wasm/dist";

Deno.test("gpu kit: the bundled worker runs on wasm outside the project", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gpukit_" });
  const map = await writeImportMap(".", "solutions"); // the kit times the reference code
  try {
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=deno",
        `--import-map=${map}`,
        "lessons/06_webgpu/bench_worker.ts",
        "-o",
        join(dir, "worker.js"),
      ],
      stderr: "piped",
    }).output();
    assert.equal(bundled.code, 0, new TextDecoder().decode(bundled.stderr));
    for (const e of Deno.readDirSync(WASM_DIST)) {
      if (e.name.endsWith(".wasm")) await Deno.copyFile(join(WASM_DIST, e.name), join(dir, e.name));
    }
    const job = {
      backend: "wasm",
      tasks: [{ kind: "step", config: "tiny", variant: "course" }],
      warmup: 1,
      steps: 1,
      budgetS: 60,
      matmulN: 128,
    };
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-config", "worker.js", JSON.stringify(job)],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    assert.match(stdout, /"type":"started","backend":"wasm"/, stdout);
    assert.match(
      stdout,
      /"type":"step","result":\{"config":"tiny","backend":"wasm".*"status":"ok"/,
    );
  } finally {
    await Deno.remove(map);
    await Deno.remove(dir, { recursive: true });
  }
});
