import assert from "node:assert/strict";
import { join } from "node:path";
import {
  checkLesson,
  defaultTimeout,
  newestChange,
  recordedStates,
  slowestTest,
  TIMEOUT_MARGIN,
} from "@lib/course/lesson_check.ts";
import { findLesson, listLessons, parseLesson } from "@lib/course/lessons.ts";
import { emptyProgress, readProgress, recordStates } from "@lib/course/progress.ts";
import { main } from "@lib/course/cli/lesson.ts";
import { copyCourse, fakeIo, LESSON1 } from "@lib/course/_test_course.ts";

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

Deno.test("checkLesson and --all: a crashed run is no pass and keeps the recorded result", async () => {
  const course = await copyCourse();
  const file = join(course.root, "lessons", LESSON1, "exercises.ts");
  const solution = await Deno.readTextFile(join(course.root, "solutions", LESSON1, "exercises.ts"));
  const lesson = findLesson(await listLessons(course.root), "1");
  const flags = Deno.env.get("DENO_V8_FLAGS");
  try {
    await Deno.writeTextFile(file, solution);
    const passed = await checkLesson(course.root, lesson);
    assert.ok(passed.states.every((s) => s.state === "passed"), JSON.stringify(passed));
    const before = await readProgress(course.root);

    // `makeBatch` (exercise 1.5) now fills the memory; a small heap makes that quick.
    await Deno.writeTextFile(
      file,
      solution.replace(
        /(export function makeBatch\([\s\S]*?\/\/ BEGIN SOLUTION\n)/,
        "$1  const hog: number[][] = [];\n  while (hog.length >= 0) hog.push(new Array(1e5).fill(1.5));\n",
      ),
    );
    Deno.env.set("DENO_V8_FLAGS", "--max-old-space-size=600");
    const crashed = await checkLesson(course.root, lesson);
    const batch = crashed.states.find((s) => s.exercise.id === "1.5");
    assert.equal(batch?.state, "failing", JSON.stringify(crashed.states));
    assert.equal(crashed.states.find((s) => s.exercise.id === "1.1")?.state, "passed");
    assert.match(batch?.firstFailure?.message ?? "", /crashed \(it ran out of memory\)/);
    assert.match(crashed.notice ?? "", /crashed .*makeBatch: .* Nothing was recorded/);
    assert.deepEqual(await readProgress(course.root), before, "the check changed the record");

    const io = fakeIo();
    assert.equal(await main(["--all"], course.root, io), 1);
    assert.match(io.text(), /crashed \(it ran out of memory\)[\s\S]*Nothing was recorded/);
    assert.deepEqual(await readProgress(course.root), before, "--all changed the record");
  } finally {
    if (flags === undefined) Deno.env.delete("DENO_V8_FLAGS");
    else Deno.env.set("DENO_V8_FLAGS", flags);
    await course.remove();
  }
});

Deno.test("defaultTimeout: from the lesson's measured test times, 10 s in lessons 0-3, 8 and 9 (as README and --help say)", async () => {
  const lessons = await listLessons(".");
  for (const n of ["0", "1", "2", "3", "8", "9"]) {
    const lesson = findLesson(lessons, n);
    assert.ok(slowestTest(lesson.slug)! > 0, `lesson ${n} has a measured time`);
    assert.equal(defaultTimeout(lesson), 10, `lesson ${n}`);
  }
  const five = findLesson(lessons, "5");
  assert.equal(defaultTimeout(five), Math.ceil(TIMEOUT_MARGIN * slowestTest(five.slug)!));
  assert.equal(defaultTimeout(parseLesson("99_unmeasured", README)), 60);
});
