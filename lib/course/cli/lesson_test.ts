import assert from "node:assert/strict";
import { join } from "node:path";
import { main, parseLessonArgs } from "@lib/course/cli/lesson.ts";
import { fakeIo } from "@lib/course/_test_course.ts";
import { listLessons } from "@lib/course/lessons.ts";

/** A course with one lesson (README only): enough for everything that fails before a check. */
async function tinyCourse(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "lesson_cli_test_" });
  await Deno.mkdir(join(root, "lessons", "01_demo"), { recursive: true });
  await Deno.writeTextFile(
    join(root, "lessons", "01_demo", "README.md"),
    "# Lesson 1: Demo\n### Exercise 1.1: A\n**Functions:** `a`\n" +
      "### Exercise 1.2: B\n**Functions:** `b`\n",
  );
  return root;
}

Deno.test("parseLessonArgs: flags and their values", () => {
  const o = parseLessonArgs(["2", "--watch", "--poll", "--exercise", "2.3", "--timeout", "5"]);
  assert.equal(o.lesson, "2");
  assert.equal(o.watch, true);
  assert.equal(o.poll, true);
  assert.equal(o.exercise, "2.3");
  assert.equal(o.timeout, 5);
  assert.equal(parseLessonArgs(["1", "--show-solution", "--yes"]).showSolution, true);
  assert.equal(parseLessonArgs(["--all"]).all, true);
  assert.equal(parseLessonArgs([]).lesson, undefined);
});

Deno.test("bad arguments: one paragraph that says what to do, exit code 2", async () => {
  const root = await tinyCourse();
  try {
    const cases: [string[], RegExp][] = [
      [["99"], /^There is no lesson 99\. Lessons are numbered 1 to 1: run `deno task lesson`/],
      [["abc"], /^"abc" is not a lesson number\./],
      [["1", "--frobnicate"], /^Unknown option "--frobnicate"\. Run `deno task lesson --help`/],
      [["1", "--hnit"], /^Unknown option "--hnit"\. Did you mean --hint\?/],
      [["1", "2"], /^Give one lesson number at a time/],
      [["1", "--backend"], /^The option --backend needs a value after it\./],
      [
        ["1", "--backend", "tpu"],
        /^Unknown backend "tpu"\. Choose one of: auto, cpu, wasm, webgpu\./,
      ],
      [["1", "--timeout", "soon"], /^--timeout takes a number of seconds, got "soon"/],
      [["1", "--hint", "--reset"], /^Use one of --hint and --reset at a time\./],
      [["1", "--poll"], /^--poll only changes how --watch notices changes/],
      [["1", "--yes"], /^--yes only answers the question of --show-solution/],
      [["1", "--hint", "--solutions"], /does not go with --solutions/],
      [["--reset"], /^Say which lesson to reset/],
      [["1", "--all"], /^--all rechecks every lesson: use it alone/],
      [["1", "--exercise", "x"], /^--exercise takes an exercise number such as 1\.2/],
      [
        ["1", "--hint", "--exercise", "1.7"],
        /^Lesson 1 has no exercise 1\.7: its exercises are 1\.1, 1\.2/,
      ],
      [["--hint", "--exercise", "4.1"], /^There is no lesson 4\./],
    ];
    for (const [args, expected] of cases) {
      const io = fakeIo();
      const code = await main(args, root, io);
      const text = io.text();
      assert.equal(code, 2, `${args.join(" ")} → ${code}: ${text}`);
      assert.match(text, expected, args.join(" "));
      assert.equal(io.stdout.join(""), "", "errors go to stderr");
      assert.equal(text.trim().includes("\n"), false, `one paragraph: ${text}`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("--help prints the usage with the watch keys, exit code 0", async () => {
  const io = fakeIo();
  assert.equal(await main(["--help"], ".", io), 0);
  assert.match(io.text(), /Usage: deno task lesson \[N\] \[options\]/);
  assert.match(io.text(), /keys: h hint, n next, l list, r rerun, q quit/);
});

Deno.test("on a terminal, long lines wrap at word boundaries to its width", async () => {
  const io = { ...fakeIo(), columns: () => 40 };
  assert.equal(await main(["--help"], ".", io), 0);
  const lines = io.stdout.join("").split("\n");
  for (const line of lines) assert.ok(line.length <= 40, `longer than 40: "${line}"`);
  const words = new Set(lines.join(" ").split(/\s+/));
  for (const word of ["--show-solution", "rerun", "--timeout"]) {
    assert.ok(words.has(word), `"${word}" was cut`);
  }
  // Not on a terminal (no width): as is.
  const plain = fakeIo();
  await main(["--help"], ".", plain);
  assert.ok(plain.stdout.join("").split("\n").some((l) => l.length > 40));
});

Deno.test("deno task lesson (no N) shows the induction-head map above the overview, unwrapped", async () => {
  const root = await tinyCourse();
  try {
    await Deno.mkdir(join(root, "lessons", "figures"));
    const map = "The map: the head\n\n  layer 1   · ─①─▶·   ① W_K^1, previous-token head\n";
    await Deno.writeTextFile(join(root, "lessons", "figures", "induction_head.txt"), map);
    const io = fakeIo();
    assert.equal(await main([], root, io), 0);
    const text = io.text();
    assert.match(text, /^The map: the head\n\n {2}layer 1 {3}· ─①─▶· {3}① W_K\^1/);
    assert.ok(text.indexOf("① W_K^1") < text.indexOf("1  Demo"), "the map comes first");
    const narrow = { ...fakeIo(), columns: () => 30 };
    assert.equal(await main([], root, narrow), 0);
    assert.doesNotMatch(narrow.text(), /The map/, "too narrow: no map rather than a broken one");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const shipped = await Deno.readTextFile("lessons/figures/induction_head.txt");
  for (const line of shipped.split("\n")) {
    assert.ok(
      [...line].length <= 100,
      `lessons/figures/induction_head.txt: a line over 100: ${line}`,
    );
  }
  for (const name of ["W_K^1", "W_K^2", "W_O^2", "W_O^1 W_V^1"]) {
    assert.ok(shipped.includes(name), name);
  }
  // The legend under the drawing ("Lesson 0 ... · 1 ... · 9 ...") names every shipped lesson.
  const legend = shipped.slice(shipped.indexOf("\n  Lesson "));
  const named = [...legend.matchAll(/(?:Lesson|·) (\d+) /g)].map((m) => Number(m[1]));
  const lessons = (await listLessons(".")).map((l) => l.number);
  assert.deepEqual(named, lessons, "lessons/figures/induction_head.txt: the legend's lessons");
});
