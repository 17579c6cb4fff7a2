// `deno task demo N` says whose code runs: the reference with --solutions, the learner's code
// otherwise (on a fresh clone a stub, which the demo names instead of a stack trace).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

async function demo(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/course/cli/demo.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("demo --solutions says it runs the reference (solutions/)", async () => {
  const { code, out } = await demo("1", "--solutions", "--len", "16");
  assert.equal(code, 0, out);
  assert.match(out, /^Running the reference code \(solutions\/\)\./m);
  assert.match(out, /Bayes loss of the bigram model: 2\.45\d nats/);
});

Deno.test("demo 6 --solutions says the reference's in every label, and how many steps it trains", async () => {
  const { code, out } = await demo("6", "--solutions", "--steps", "1", "--backend", "wasm");
  assert.equal(code, 0, out);
  assert.match(out, /^Running the reference code \(solutions\/\)\./m);
  assert.doesNotMatch(out, /\byours?\b/i, "no label says 'your' when the reference runs");
  assert.match(out, /profiled with the reference's profileStep/);
  assert.match(out, /The first 1 training steps of the cpu configuration \(of its \d+\)/);
});

Deno.test("demo 0 --solutions says the reference's in every label", async () => {
  const { code, out } = await demo("0", "--solutions", "--steps", "3", "--size", "16");
  assert.equal(code, 0, out);
  assert.match(out, /^Running the reference code \(solutions\/\)/m);
  assert.doesNotMatch(out, /\byours?\b/i, "no label says 'your' when the reference runs");
  assert.match(out, /counted by the reference's tensorsLeftBy/);
});

Deno.test("demo without --solutions runs your code (lessons/) and names a stub", async () => {
  const stub = (await Deno.readTextFile(`${ROOT}/lessons/01_bigram_data/exercises.ts`))
    .includes("throw notImplemented(");
  const { code, out } = await demo("1", "--len", "16");
  if (stub) {
    assert.equal(code, 1, out);
    assert.match(out, /This demo runs your code, and `\w+` \(lesson 1\) is not written yet/);
  } else {
    assert.match(out, /^Running your code \(lessons\/\)\./m);
  }
});

Deno.test("every lesson's demo says whose code runs (codeLabel) before its experiment", async () => {
  const missing: string[] = [];
  for (const entry of Deno.readDirSync(`${ROOT}/lessons`)) {
    const file = `${ROOT}/lessons/${entry.name}/demo.ts`;
    const source = await Deno.readTextFile(file).catch(() => undefined);
    if (source !== undefined && !/\bcodeLabel\(\)/.test(source)) missing.push(entry.name);
  }
  assert.deepEqual(missing, [], "these demos do not print `Running ${codeLabel()}`");
});

Deno.test("demo: a bad option is one line naming the command and --help, exit 2, not 'stopped'", async () => {
  for (const args of [["1", "--bogus"], ["2", "--len", "abc"], ["0", "--help", "extra"]]) {
    const { code, out } = await demo(...args);
    assert.equal(code, 2, out);
    const lines = out.split("\n").filter((l) =>
      /\S/.test(l) && !/^Running |XDG_RUNTIME_DIR/.test(l)
    );
    assert.equal(lines.length, 1, out);
    assert.match(lines[0], new RegExp(`^deno task demo ${args[0]}: \\S`));
    assert.match(
      lines[0],
      new RegExp(`\`deno task demo ${args[0]} --help\` lists its options\\.$`),
    );
    assert.doesNotMatch(out, /stopped|your code|\n\s+at /);
  }
  const { code, out } = await demo("1", "--help");
  assert.equal(code, 0, out);
  assert.match(out, /^Usage: deno task demo 1 \[--solutions\]/m);
});

Deno.test("every lesson's demo takes --help (-h)", async () => {
  const without: string[] = [];
  for (const entry of Deno.readDirSync(`${ROOT}/lessons`)) {
    const source = await Deno.readTextFile(`${ROOT}/lessons/${entry.name}/demo.ts`)
      .catch(() => undefined);
    if (source !== undefined && !/help: \{ type: "boolean", short: "h"/.test(source)) {
      without.push(entry.name);
    }
  }
  assert.deepEqual(without.sort(), [], "these demos answer --help with 'Unknown option'");
});

Deno.test("demo with your exercise file deleted: one line naming it and --reset, exit 1", async () => {
  const { cp } = await import("node:fs/promises");
  const root = await Deno.makeTempDir({ prefix: "course_demo_copy_" });
  try {
    for (const rel of ["deno.json", "deno.lock", "lib", "lessons", "solutions"]) {
      await cp(`${ROOT}/${rel}`, `${root}/${rel}`, { recursive: true });
    }
    await Deno.symlink(`${ROOT}/node_modules`, `${root}/node_modules`);
    await Deno.remove(`${root}/lessons/05_training/exercises.ts`);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "lib/course/cli/demo.ts", "1", "--len", "16"],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 1, out);
    assert.match(
      out.trim(),
      /^lessons\/05_training\/exercises\.ts is missing: `deno task lesson 5 --reset` restores it/,
    );
    assert.doesNotMatch(out, /Module not found|\n\s+at /);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
