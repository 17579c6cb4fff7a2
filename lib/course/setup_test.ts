/**
 * The first run on a fresh clone: installing the npm packages prints nothing a learner cannot
 * act on (core-js, a dependency of TensorFlow.js, ships a build script that the course does not
 * need; `deno.json` declines it, so Deno does not ask for `deno approve-scripts`).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { COURSE_ROOT } from "@lib/course/_test_course.ts";

Deno.test("a fresh install prints no warning about npm build scripts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fresh_install_" });
  try {
    for (const f of ["deno.json", "deno.lock"]) {
      await Deno.copyFile(join(COURSE_ROOT, f), join(dir, f));
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["install"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.doesNotMatch(text, /approve-scripts|Ignored build scripts/, text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
