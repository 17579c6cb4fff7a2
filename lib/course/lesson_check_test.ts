import assert from "node:assert/strict";
import { join } from "node:path";
import { newestChange, recordedStates } from "@lib/course/lesson_check.ts";
import { parseLesson } from "@lib/course/lessons.ts";
import { emptyProgress, recordStates } from "@lib/course/progress.ts";

const README = "# Lesson 2: Two\n### Exercise 2.1: A\n**Functions:** `a`\n";

Deno.test("recordedStates: fresh until a file the check depends on changes", async () => {
  const root = await Deno.makeTempDir({ prefix: "lesson_check_test_" });
  try {
    const write = async (rel: string, text: string, mtime: Date) => {
      await Deno.mkdir(join(root, rel, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, rel), text);
      await Deno.utime(join(root, rel), mtime, mtime);
    };
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    // Lesson 2 imports lesson 1's exercises; lesson 3 is unrelated.
    await write("lessons/01_one/exercises.ts", "export const x = 1;\n", t(0));
    await write(
      "lessons/02_two/exercises.ts",
      'import { x } from "@exercises/01_one/exercises.ts";\n',
      t(0),
    );
    await write("lessons/03_three/exercises.ts", "export {};\n", t(0));
    await write("tests/lessons/02_two_test.ts", "", t(0));
    const lesson = parseLesson("02_two", README);
    const progress = emptyProgress();
    assert.equal(await recordedStates(root, lesson, progress), undefined, "never checked");

    recordStates(progress, lesson, [
      { exercise: lesson.exercises[0], state: "failing", passed: 1, total: 3 },
    ], t(10));
    const fresh = await recordedStates(root, lesson, progress);
    assert.deepEqual(fresh?.map((s) => [s.exercise.id, s.state, s.passed, s.total]), [
      ["2.1", "failing", 1, 3],
    ]);

    await write("lessons/03_three/exercises.ts", "export {};\n", t(20));
    assert.ok(await recordedStates(root, lesson, progress), "an unrelated lesson changed");
    await write("lessons/01_one/exercises.ts", "export const x = 2;\n", t(20));
    assert.equal(await recordedStates(root, lesson, progress), undefined, "an import changed");
    assert.equal(await newestChange(root, lesson), t(20).getTime());
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
