/**
 * `deno run -A lessons/06_webgpu/profile.ts`'s command line: `--help` prints its usage (it ran a
 * whole profile before), a flag it does not know is refused, and a learner's broken lesson file
 * does not stop the reference's profile from starting (it was imported before the relaunch).
 * @module
 */
import assert from "node:assert/strict";
import { cp } from "node:fs/promises";

const HERE = new URL("../../../", import.meta.url).pathname;

async function profile(args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lessons/06_webgpu/profile.ts", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("profile.ts: --help, an unknown flag, and a broken lesson file of yours", async () => {
  const root = await Deno.makeTempDir({ prefix: "course_profile_copy_" });
  try {
    for (const rel of ["deno.json", "deno.lock", "lib", "lessons", "solutions"]) {
      await cp(`${HERE}${rel}`, `${root}/${rel}`, { recursive: true });
    }
    await Deno.symlink(`${HERE}node_modules`, `${root}/node_modules`);
    await Deno.writeTextFile(
      `${root}/lessons/01_bigram_data/exercises.ts`,
      "export const x = ;\n",
      {
        append: true,
      },
    );
    const help = await profile(["--help"], root);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: deno run -A lessons\/06_webgpu\/profile\.ts/);
    assert.doesNotMatch(help.stdout, /CPU ms per call/, "--help runs no profile");

    const unknown = await profile(["--worker", "2"], root);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: unknown option --worker/);
    assert.doesNotMatch(unknown.stdout, /CPU ms per call/);

    // The reference starts although lessons/01's file does not compile: a wrong --steps is
    // reported by the reference's process, not a SyntaxError from your file.
    const reference = await profile(["--steps", "0"], root);
    assert.equal(reference.code, 2, reference.stderr);
    assert.match(reference.stderr, /--steps needs a whole number >= 1, got 0/);
    assert.doesNotMatch(reference.stderr, /SyntaxError/);

    const mine = await profile(["--mine"], root);
    assert.equal(mine.code, 1);
    assert.match(
      mine.stderr.trim(),
      /^error: profile\.ts --mine cannot load your code \(lessons\/01_bigram_data\/exercises\.ts\): .*deno task lesson 1/,
    );
    assert.doesNotMatch(mine.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
