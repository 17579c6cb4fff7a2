/**
 * `deno task lesson 1 --watch` as a learner runs it, with stdout not a terminal: in a temporary
 * copy of the course, the first report comes, a save of the exercise file brings a second one,
 * and SIGTERM ends the session cleanly.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readProgress } from "@lib/course/progress.ts";
import { copyCourse, implement, LESSON1, solutionBody } from "@lib/course/_test_course.ts";
import { stripVTControlCharacters as stripAnsi } from "node:util";

const END_OF_REPORT = "Watching lessons/ for changes (Ctrl-C to stop).";

Deno.test({
  name: "watch mode in a subprocess: a save reruns the checks; SIGTERM stops it",
  ignore: Deno.build.os === "windows", // SIGTERM cannot be sent to a process there
  fn: async () => {
    const course = await copyCourse();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "lib/course/cli/lesson.ts", "1", "--watch"],
      cwd: course.root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text(); // complete only once the child ends
    let raw = ""; // as printed
    let text = ""; // without colours
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    /** Reads until `count` reports have been printed (or fails after a generous wait). */
    const reports = async (count: number) => {
      const deadline = setTimeout(() => reader.cancel("too slow"), 240_000);
      try {
        while (text.split(END_OF_REPORT).length - 1 < count) {
          const { value, done } = await reader.read();
          if (done) break;
          raw += value;
          text += stripAnsi(value);
        }
      } finally {
        clearTimeout(deadline);
      }
      assert.equal(text.split(END_OF_REPORT).length - 1, count, text);
      return text.split(END_OF_REPORT)[count - 1];
    };
    try {
      const first = await reports(1);
      assert.match(first, /── check 1 · .* · first check ──/);
      assert.match(first, /· 1\.1 +Unigram and bigram from counts .*not started/);
      assert.ok(!raw.includes("\x1b"), "no screen clearing nor colours when not a terminal");

      const file = join(course.root, "lessons", LESSON1, "exercises.ts");
      const solution = await Deno.readTextFile(
        join(course.root, "solutions", LESSON1, "exercises.ts"),
      );
      await Deno.writeTextFile(
        file,
        implement(await Deno.readTextFile(file), {
          unigramFromCounts: solutionBody(solution, "unigramFromCounts"),
          bigramFromCounts: solutionBody(solution, "bigramFromCounts"),
        }),
      );
      const second = await reports(2);
      assert.match(second, /── check 2 · .* · lessons\/01_bigram_data\/exercises\.ts changed ──/);
      assert.match(second, /✔ 1\.1 .* (\d+)\/\1 tests/);
      assert.match(second, /Next: exercise 1\.2, Sampling triggers/);
      const progress = await readProgress(course.root);
      assert.equal(progress.lessons[LESSON1].exercises["1.1"].state, "passed");

      child.kill("SIGTERM");
      const status = await child.status;
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += stripAnsi(value);
      }
      assert.equal(status.code, 0, await stderr);
      assert.match(text, /Stopped watching\.\n$/);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already ended */ }
      await child.status;
      await reader.cancel().catch(() => {});
      await stderr;
      await course.remove();
    }
  },
});
