import assert from "node:assert/strict";
import { parseLesson } from "@lib/course/lessons.ts";
import { emptyProgress, recordStates } from "@lib/course/progress.ts";
import { exerciseStates, type Kind, lessonStatus } from "@lib/course/status.ts";
import type { Outcome } from "@lib/course/run_tests.ts";

const six = parseLesson(
  "06_six",
  "# Lesson 6: Six\n### Exercise 6.1: P\n**Functions:** `p`\n" +
    "### Exercise 6.2: K\n**Functions:** `k` · **Needs:** WebGPU\n" +
    "### Exercise 6.3: W\n**Functions:** `w`\n" +
    "### Exercise 6.4: T\n**Functions:** `t`\n" +
    "### Exercise 6.5: F\n**Functions:** `f`\n",
);
const two = parseLesson("02_two", "# Lesson 2: Two\n### Exercise 2.5: R\n**Functions:** `res`\n");
const stub = (fn: string, of = fn): Outcome => ({
  name: `${of}: x`,
  fn: of,
  file: "",
  ok: false,
  message: `\`${fn}\` is not implemented yet: it still throws the stub's error.`,
});
const pass = (fn: string): Outcome => ({ name: `${fn}: y`, fn, file: "", ok: true });

Deno.test("lessonStatus: every case, and a failing exercise comes before the next stub", () => {
  const outcomes = [
    pass("p"),
    pass("k"),
    stub("res", "w"), // 6.3 calls lesson 2's stub
    stub("t"),
    pass("f"),
    { name: "f: residual", fn: "f", file: "", ok: false, message: "expected 1 but got 2" },
  ];
  const status = lessonStatus({
    lesson: six,
    states: exerciseStates(six, outcomes),
    lessons: [two, six],
    webgpu: { available: false, reason: "no adapter" },
  });
  const kinds: Kind[] = ["passed", "fallback only", "waits", "not started", "failing"];
  assert.deepEqual(status.exercises.map((s) => s.kind), kinds);
  assert.equal(status.exercises[2].waits?.exercise?.id, "2.5");
  assert.equal(status.done, 2);
  assert.equal(status.noWebGPU, "no adapter");
  // 6.5's failure is shown before 6.4's "not implemented", though 6.4 comes first.
  assert.equal(status.next, "work");
  assert.equal(status.current?.exercise.id, "6.5");
  assert.equal(status.focused, false);
  // Asked for, an exercise is the next step whatever its case.
  const focused = lessonStatus({
    lesson: six,
    states: exerciseStates(six, outcomes),
    focus: "6.1",
  });
  assert.equal(focused.next, "passes");
  assert.equal(focused.focused, true);
  // Without a failing one: the first not started; else the first that waits.
  const fresh = lessonStatus({ lesson: six, states: exerciseStates(six, outcomes.slice(0, 4)) });
  assert.equal(fresh.current?.exercise.id, "6.4");
});

Deno.test("lessonStatus from the record: not checked, changed since, not started", () => {
  const record = emptyProgress();
  recordStates(record, two, [{ exercise: two.exercises[0], state: "passed", passed: 1, total: 1 }]);
  const entry = { lesson: two, record: record.lessons["02_two"] };
  assert.equal(lessonStatus(entry).next, "done");
  const stale = lessonStatus({ ...entry, stale: true });
  assert.equal(stale.changedSince, true);
  assert.equal(stale.next, "check");
  assert.equal(lessonStatus({ lesson: six }).exercises[0].kind, "not checked");
  const pristine = lessonStatus({ lesson: six, pristine: true });
  assert.equal(pristine.exercises[0].kind, "not started");
  assert.equal(pristine.current?.exercise.id, "6.1");
});

Deno.test("lessonStatus: from the record, a failing exercise keeps its recorded failure", () => {
  const p = emptyProgress();
  const failure = { name: "f: residual", fn: "f", file: "t.ts", ok: false, message: "expected 1" };
  recordStates(p, six, exerciseStates(six, [pass("p"), pass("k"), stub("res", "w"), failure]));
  const status = lessonStatus({ lesson: six, record: p.lessons["06_six"], lessons: [two, six] });
  const f = status.exercises[4];
  assert.equal(f.kind, "failing");
  assert.equal(f.failure?.message, "expected 1");
  assert.equal(f.failure?.ok, false);
  // A waiting exercise is told apart from the recorded failure, as after a check run now.
  assert.equal(status.exercises[2].kind, "waits");
  assert.equal(status.exercises[2].waits?.exercise?.id, "2.5");
  assert.equal(status.exercises[0].failure, undefined);
});
