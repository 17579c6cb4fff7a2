import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanStaleTemp, cpuSeconds } from "@lib/course/subprocess.ts";
import {
  cleanMessage,
  explainLoadError,
  runExerciseTests,
  writeImportMap,
} from "@lib/course/run_tests.ts";

Deno.test("cleanMessage: drops prefixes, the source excerpt and the stack", () => {
  const raw =
    "CourseAssertionError: expected 3 but got 4\n  throw new CourseAssertionError(x);\n        ^\n" +
    "    at check (file:///x/lib/testing/mod.ts:1:1)";
  assert.equal(cleanMessage(raw), "expected 3 but got 4");
  assert.equal(cleanMessage("\u001b[31mError: boom\u001b[0m\n    at f (x.ts:1:1)"), "Error: boom");
});

Deno.test("explainLoadError: type and syntax errors in plain words", () => {
  const ts = "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.\n" +
    "    return 'a';\n    at file:///course/lessons/01_x/exercises.ts:3:5\n";
  const msg = explainLoadError(ts, "/course");
  assert.match(msg, /does not type-check/);
  assert.match(msg, /at lessons\/01_x\/exercises.ts:3:5/);
  assert.match(
    explainLoadError("error: The module's source code could not be parsed: Expected ';'", "/c"),
    /syntax error/,
  );
});

Deno.test("explainLoadError: a missing exercise file is named, with the command that restores it", () => {
  const stderr = "TS2307 [ERROR]: Cannot find module " +
    "'file:///course/lessons/05_training/exercises.ts'.\n" +
    "    at file:///course/tests/lessons/05_training_test.ts:19:8\n";
  const msg = explainLoadError(stderr, "/course");
  assert.match(msg, /^Your exercise file lessons\/05_training\/exercises\.ts is missing/);
  assert.match(msg, /`deno task lesson 5 --reset` restores/);
  assert.doesNotMatch(msg, /type-check/);
});

for (
  const [what, code, line] of [
    ["a missing `)`", "export function f(a: number) {\n  return Math.abs(a;\n}\n", 2],
    ["`let x = ;`", "export function f(a: number) {\n  let x = ;\n  return a;\n}\n", 2],
  ] as const
) {
  Deno.test(`explainLoadError: a real syntax error (${what}) keeps its file and line`, async () => {
    await assertSyntaxErrorAt(code, line);
  });
}

async function assertSyntaxErrorAt(code: string, line: number): Promise<void> {
  // Deno's own output, code frame included.
  const dir = await Deno.makeTempDir({ prefix: "syntax_" });
  try {
    await Deno.writeTextFile(`${dir}/exercises.ts`, code);
    await Deno.writeTextFile(`${dir}/x_test.ts`, 'import { f } from "./exercises.ts";\nf(1);\n');
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-config", `${dir}/x_test.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.notEqual(out.code, 0);
    const stderr = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    const msg = explainLoadError(stderr, dir);
    assert.match(msg, /syntax error/);
    assert.match(msg, new RegExp(`\\n {2}at exercises\\.ts:${line}:\\d+$`), msg);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeImportMap: only @exercises/ moves; every other entry is kept", async () => {
  const path = await writeImportMap(".", "solutions");
  const map = JSON.parse(await Deno.readTextFile(path)).imports as Record<string, string>;
  const config = JSON.parse(await Deno.readTextFile("deno.json")).imports as Record<string, string>;
  assert.match(map["@exercises/"], /^file:\/\/.*\/solutions\/$/);
  assert.match(map["@lib/"], /^file:\/\/.*\/lib\/$/);
  assert.equal(map["@tensorflow/tfjs"], config["@tensorflow/tfjs"]);
  assert.deepEqual(Object.keys(map).sort(), Object.keys(config).sort());
  await Deno.remove(path);
});

Deno.test("runExerciseTests: a test that loops forever is stopped and named", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/loop_test.ts`;
  await Deno.writeTextFile(
    file,
    `import { exerciseTest } from "@lib/testing/mod.ts";\n` +
      `exerciseTest("fine", "passes", () => {});\n` +
      `exerciseTest("spin", "never ends", () => { while (true) { /* forever */ } });\n`,
  );
  const run = await runExerciseTests({ root: ".", tests: [file], testTimeoutSeconds: 1 });
  await Deno.remove(dir, { recursive: true });
  assert.equal(run.outcomes.length, 2, JSON.stringify(run));
  assert.equal(run.outcomes[0].ok, true);
  const hung = run.outcomes[1];
  assert.equal(hung.timedOut, true);
  assert.equal(hung.name, "spin: never ends");
  assert.match(hung.message ?? "", /stopped after 1 s/);
});

/** Writes a test file of three exercise tests whose second runs `middle`, and runs it. */
async function runThree(middle: string, options: { extraArgs?: string[] } = {}) {
  const dir = await Deno.makeTempDir({ prefix: "crash_" });
  try {
    await Deno.writeTextFile(
      `${dir}/crash_test.ts`,
      `import { exerciseTest } from "@lib/testing/mod.ts";\n` +
        `exerciseTest("first", "passes", () => {});\n` +
        `exerciseTest("second", "crashes", async () => { await Promise.resolve(); ${middle} });\n` +
        `exerciseTest("third", "would pass", () => {});\n`,
    );
    return await runExerciseTests({
      root: ".",
      tests: [`${dir}/crash_test.ts`],
      typeCheck: false,
      ...options,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertCrashed(run: Awaited<ReturnType<typeof runThree>>, cause: RegExp): void {
  const by = Object.fromEntries(run.outcomes.map((o) => [o.fn, o]));
  const text = JSON.stringify(run, null, 1);
  assert.ok(run.crash, text);
  assert.match(run.crash.detail, cause, text);
  assert.equal(run.crash.running, "second: crashes", text);
  assert.equal(by.first?.ok, true, text);
  assert.equal(by.second?.ok, false, text);
  assert.match(by.second?.message ?? "", /crashed .* while this test was running/, text);
  assert.equal(by.third?.ok, false, text);
  assert.match(
    by.third?.message ?? "",
    /^did not run: the test process crashed \(.*\) while `second: crashes` was running\.$/,
    text,
  );
}

Deno.test("runExerciseTests: a test process killed by a signal is no pass", async () => {
  const run = await runThree(`Deno.kill(Deno.pid, "SIGKILL");`, { extraArgs: ["--allow-run"] });
  assertCrashed(run, /killed by signal SIGKILL/);
});

Deno.test("runExerciseTests: a test process out of memory is no pass", async () => {
  const run = await runThree(
    `const a: number[][] = []; while (true) a.push(new Array(1e5).fill(1.5));`,
    { extraArgs: ["--v8-flags=--max-old-space-size=160"] },
  );
  assertCrashed(run, /ran out of memory/);
});

Deno.test("runExerciseTests: globalThis.close() part-way is no pass", async () => {
  const run = await runThree(`globalThis.close(); await new Promise((r) => setTimeout(r, 50));`);
  assertCrashed(run, /globalThis\.close\(\)/);
});

Deno.test("runExerciseTests: an endless loop at the top level is stopped while loading", async () => {
  const dir = await Deno.makeTempDir({ prefix: "toplevel_" });
  try {
    await Deno.writeTextFile(`${dir}/exercises.ts`, "while (true) { /* forever */ }\n");
    await Deno.writeTextFile(
      `${dir}/top_test.ts`,
      `import "./exercises.ts";\nimport { exerciseTest } from "@lib/testing/mod.ts";\n` +
        `exerciseTest("f", "never runs", () => {});\n`,
    );
    const run = await runExerciseTests({
      root: ".",
      tests: [`${dir}/top_test.ts`],
      testTimeoutSeconds: 1,
      loadTimeoutSeconds: 1,
      typeCheck: false,
    });
    assert.equal(run.outcomes.length, 0, JSON.stringify(run));
    assert.match(
      run.error ?? "",
      /^Your file did not finish loading within 1 s: an endless loop at the top level/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "runExerciseTests: killing the checker kills its test process",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    // Linux only (it finds processes in /proc): elsewhere this test is reported as ignored.
    const dir = await Deno.makeTempDir({ prefix: "orphan_" });
    try {
      const marker = `${dir}/spin_test.ts`;
      await Deno.writeTextFile(
        marker,
        `import { exerciseTest } from "@lib/testing/mod.ts";\n` +
          `exerciseTest("spin", "never ends", () => { while (true) { /* forever */ } });\n`,
      );
      const runner = `${dir}/runner.ts`;
      await Deno.writeTextFile(
        runner,
        `import { runExerciseTests } from "@lib/course/run_tests.ts";\n` +
          `await runExerciseTests({ root: ${JSON.stringify(Deno.cwd())}, ` +
          `tests: [${JSON.stringify(marker)}], typeCheck: false });\n`,
      );
      const parent = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", join(Deno.cwd(), "deno.json"), runner],
        stdout: "null",
        stderr: "null",
      }).spawn();
      // Wait for the test process to be computing, then kill the checker without warning.
      let child: number | undefined;
      for (let i = 0; i < 600 && !(child && (cpuSeconds(child) ?? 0) > 0.5); i++) {
        child ??= testProcess(marker);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(child, "the test process was never seen");
      parent.kill("SIGKILL");
      await parent.status;
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        alive = isRunning(child);
        if (alive) await new Promise((r) => setTimeout(r, 100));
      }
      if (alive) Deno.kill(child, "SIGKILL");
      assert.equal(alive, false, "the test process outlived the checker");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The process whose command line names `file` and runs `deno test`, if any (Linux). */
function testProcess(file: string): number | undefined {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      if (cmd.includes("test") && cmd.includes(file) && !cmd.includes("-c")) return Number(e.name);
    } catch { /* gone */ }
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

Deno.test("cleanStaleTemp: removes what ended processes left, keeps a running one's", async () => {
  const root = await Deno.makeTempDir({ prefix: "stale_" });
  try {
    const tmp = join(root, ".course", "tmp");
    await Deno.mkdir(tmp, { recursive: true });
    // 2^22 is above Linux's largest process id: that process cannot be running.
    const gone = join(tmp, "trace_4194305_abc");
    const mine = join(tmp, `trace_${Deno.pid}_abc`);
    await Deno.writeTextFile(gone, "");
    await Deno.writeTextFile(mine, "");
    const old = join(tmp, "import_map_old.json");
    await Deno.writeTextFile(old, "");
    const twoDays = new Date(Date.now() - 2 * 24 * 3600_000);
    await Deno.utime(old, twoDays, twoDays);
    await cleanStaleTemp(root);
    const left = [...Deno.readDirSync(tmp)].map((e) => e.name).sort();
    assert.deepEqual(
      left,
      Deno.build.os === "linux" ? [`trace_${Deno.pid}_abc`] : [
        `trace_${Deno.pid}_abc`,
        "trace_4194305_abc",
      ],
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "runExerciseTests: the limit counts computing, so waiting (a busy machine) stops nothing",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    // Linux only (CPU time from /proc; elsewhere the limit is wall time): reported as ignored.
    const dir = await Deno.makeTempDir({ prefix: "wait_" });
    try {
      await Deno.writeTextFile(
        `${dir}/wait_test.ts`,
        `import { exerciseTest } from "@lib/testing/mod.ts";\n` +
          `exerciseTest("slow", "waits 3 s", () => new Promise((r) => setTimeout(r, 3000)));\n`,
      );
      const run = await runExerciseTests({
        root: ".",
        tests: [`${dir}/wait_test.ts`],
        testTimeoutSeconds: 1,
        typeCheck: false,
      });
      assert.deepEqual(run.outcomes.map((o) => [o.name, o.ok]), [["slow: waits 3 s", true]]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("runExerciseTests: what a test printed comes with its outcome, at most 20 lines", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/noisy_test.ts`;
  await Deno.writeTextFile(
    file,
    `import { check, exerciseTest } from "@lib/testing/mod.ts";\n` +
      `exerciseTest("noisy", "fails", () => {\n` +
      `  for (let i = 0; i < 25; i++) console.log("line", i);\n` +
      `  console.error({ total: 3 });\n` +
      `  check(false, "expected 1 but got 2");\n` +
      `});\n` +
      `exerciseTest("quiet", "passes", () => {});\n`,
  );
  const run = await runExerciseTests({ root: ".", tests: [file] });
  await Deno.remove(dir, { recursive: true });
  const [noisy, quiet] = run.outcomes;
  assert.equal(noisy.message, "expected 1 but got 2");
  assert.deepEqual(noisy.output, [
    ...Array.from({ length: 20 }, (_, i) => `line ${i}`),
    "... and 6 more lines",
  ]);
  assert.equal(quiet.output, undefined);
});
