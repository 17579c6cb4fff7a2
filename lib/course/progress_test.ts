import assert from "node:assert/strict";
import { join } from "node:path";
import {
  emptyProgress,
  FAILURE_MESSAGE_LIMIT,
  hintsSeen,
  loadProgress,
  parseProgress,
  PROGRESS_PATH,
  readProgress,
  recordHintSeen,
  recordStates,
  saveProgress,
  updateProgress,
} from "@lib/course/progress.ts";
import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";
import { parseLesson } from "@lib/course/lessons.ts";

const lesson = parseLesson(
  "01_demo",
  "# Lesson 1: Demo\n### Exercise 1.1: First\n**Functions:** `a`\n" +
    "### Exercise 1.2: Second\n**Functions:** `b`\n",
);
const [ex1, ex2] = lesson.exercises;
const T0 = new Date("2026-01-02T03:04:05Z");

async function tempRoot(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "progress_test_" });
}

Deno.test("recordStates, hints: a round trip through the file", async () => {
  const root = await tempRoot();
  try {
    await updateProgress(root, (p) => {
      recordStates(p, lesson, [
        { exercise: ex1, state: "passed", passed: 3, total: 3 },
        { exercise: ex2, state: "failing", passed: 1, total: 4 },
      ], T0);
      recordHintSeen(p, lesson, "1.2", 2);
      recordHintSeen(p, lesson, "1.2", 1); // never goes back
    }, T0);
    const text = await Deno.readTextFile(join(root, PROGRESS_PATH));
    assert.match(text, /\n {2}"version": 1,\n/); // indented, human-readable
    const p = await readProgress(root);
    assert.equal(p.lessons["01_demo"].lastChecked, T0.toISOString());
    assert.deepEqual(p.lessons["01_demo"].exercises["1.2"], {
      title: "Second",
      state: "failing",
      passed: 1,
      total: 4,
      lastChecked: T0.toISOString(),
      hintsSeen: 2,
      solutionShown: false,
    });
    assert.equal(hintsSeen(p, "01_demo", "1.2"), 2);
    assert.equal(hintsSeen(p, "01_demo", "1.1"), 0);
    assert.equal(hintsSeen(p, "09_none", "9.1"), 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a corrupted file is reported, kept aside and rebuilt, never crashed on", async () => {
  const root = await tempRoot();
  try {
    const path = join(root, PROGRESS_PATH);
    await Deno.mkdir(join(root, ".course"));
    const garbage = '{"version": 1, "lessons": {"01_demo": {"number": 1, "tit';
    await Deno.writeTextFile(path, garbage);
    // The site's reader tolerates it and writes nothing.
    assert.deepEqual((await readProgress(root)).lessons, {});
    assert.equal(await Deno.readTextFile(path), garbage);

    const { progress, notice } = await loadProgress(root, T0);
    assert.deepEqual(progress.lessons, {});
    assert.match(
      notice ?? "",
      /progress\.json was damaged or edited by hand: it is not valid JSON/,
    );
    const kept = notice?.match(/kept as (\.course\/progress\.corrupt-2026-01-02_030405\.json)/);
    assert.ok(kept, notice ?? "no notice");
    assert.equal(await Deno.readTextFile(join(root, kept[1])), garbage);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)).lessons, {});
    assert.equal((await loadProgress(root)).notice, undefined); // repaired

    // A second corruption in the same second does not overwrite the first bad copy.
    await Deno.writeTextFile(path, "[]");
    const again = await loadProgress(root, T0);
    assert.match(
      again.notice ?? "",
      /does not hold a JSON object.*corrupt-2026-01-02_030405-2\.json/,
    );
    assert.equal(await Deno.readTextFile(join(root, kept[1])), garbage);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a hand-edited file: valid entries are kept, bad ones dropped and named", () => {
  const good = {
    title: "First",
    state: "passed",
    passed: 3,
    total: 3,
    lastChecked: T0.toISOString(),
    hintsSeen: 1,
    solutionShown: false,
  };
  const text = JSON.stringify({
    version: 1,
    updated: T0.toISOString(),
    lessons: {
      "01_demo": {
        number: 1,
        title: "Demo",
        exercises: {
          "1.1": good,
          "1.2": { ...good, state: "done" }, // not a state
          "1.3": { ...good, passed: 5 }, // more passed than ran
          "1.4": { ...good, hintsSeen: "two" },
        },
      },
      "Lesson two": { number: 2, title: "x", exercises: {} },
      "03_x": { number: 3, title: "x", lastChecked: "yesterday", exercises: {} },
    },
  });
  const { progress, problems } = parseProgress(text);
  assert.deepEqual(Object.keys(progress.lessons), ["01_demo"]);
  assert.deepEqual(Object.keys(progress.lessons["01_demo"].exercises), ["1.1"]);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.ok(problems.some((p) => p.includes('"01_demo" › "1.2"')));
  assert.ok(problems.some((p) => p.includes('"Lesson two"')));
  assert.match(parseProgress('{"version": 2, "lessons": {}}').problems[0], /version is 2/);
  assert.equal(parseProgress(JSON.stringify(emptyProgress())).problems.length, 0);
});

Deno.test("atomic writes: readers never see half a file; a stray temp file is harmless", async () => {
  const root = await tempRoot();
  try {
    const path = join(root, "state.json");
    const big = (n: number) => JSON.stringify({ n, pad: "x".repeat(200_000 + n) });
    await writeTextFileAtomic(path, big(0));
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const parsed = JSON.parse(await Deno.readTextFile(path)); // throws on a torn read
        assert.equal(parsed.pad.length, 200_000 + parsed.n);
        reads++;
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    // Writers race each other and the reader until it has read 30 times (a plain
    // `Deno.writeTextFile` gives torn reads here most of the time).
    for (let round = 0; reads < 30 && round < 200; round++) {
      await Promise.all(
        Array.from({ length: 4 }, (_, i) => writeTextFileAtomic(path, big(round * 4 + i + 1))),
      );
    }
    writing = false;
    await reader;
    assert.ok(reads >= 30);
    const leftovers = [...Deno.readDirSync(root)].map((e) => e.name);
    assert.deepEqual(leftovers, ["state.json"]);

    // A run killed between writing its temp file and renaming it leaves the old file intact.
    const progress = emptyProgress(T0);
    recordHintSeen(progress, lesson, "1.1", 1);
    await saveProgress(root, progress, T0);
    await Deno.writeTextFile(join(root, PROGRESS_PATH + ".tmp-123-abcd"), '{"version": 1, "les');
    const loaded = await loadProgress(root);
    assert.equal(loaded.notice, undefined);
    assert.equal(hintsSeen(loaded.progress, "01_demo", "1.1"), 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readProgress: a missing file is empty progress", async () => {
  const root = await tempRoot();
  try {
    const p = await readProgress(root);
    assert.equal(p.version, 1);
    assert.deepEqual(p.lessons, {});
    assert.equal((await loadProgress(root)).notice, undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("updateProgress: writers at the same moment never lose each other's records", async () => {
  const root = await tempRoot();
  // Many exercises, each recorded by its own writer; without the lock every writer reads the
  // same old file and the last rename wins, keeping one record of the twelve.
  const ids = Array.from({ length: 12 }, (_, i) => `1.${i + 1}`);
  const many = parseLesson(
    "01_demo",
    "# Lesson 1: Demo\n" +
      ids.map((id) => `### Exercise ${id}: E\n**Functions:** \`f\`\n`).join(""),
  );
  try {
    // In one process: the async read-modify-writes interleave.
    await Promise.all(
      ids.map((id) => updateProgress(root, (p) => recordHintSeen(p, many, id, 1))),
    );
    // In other processes: two commands started at once, each recording a second tier.
    const script = `import { parseLesson } from "@lib/course/lessons.ts";
      import { recordHintSeen, updateProgress } from "@lib/course/progress.ts";
      const [root, from, to] = Deno.args;
      const ids = Array.from({ length: 12 }, (_, i) => "1." + (i + 1));
      const many = parseLesson("01_demo", "# Lesson 1: Demo\\n" +
        ids.map((id) => "### Exercise " + id + ": E\\n**Functions:** \`f\`\\n").join(""));
      await Promise.all(ids.slice(+from, +to).map((id) =>
        updateProgress(root, (p) => recordHintSeen(p, many, id, 2))));`;
    const file = join(root, "writer.ts");
    await Deno.writeTextFile(file, script);
    const config = join(Deno.cwd(), "deno.json");
    const runs = [[0, 6], [6, 12]].map(([from, to]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", config, file, root, `${from}`, `${to}`],
        stdout: "piped",
        stderr: "piped",
      }).output()
    );
    for (const out of await Promise.all(runs)) {
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    const p = await readProgress(root);
    assert.deepEqual(ids.map((id) => hintsSeen(p, "01_demo", id)), ids.map(() => 2));
    assert.equal((await loadProgress(root)).notice, undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("updateProgress: a progress file that cannot be written is reported, not thrown", async () => {
  const root = await Deno.makeTempDir({ prefix: "unwritable_" });
  try {
    // A folder where the file should be: the write (a rename onto it) fails.
    await Deno.mkdir(join(root, ".course", "progress.json"), { recursive: true });
    const { notice } = await updateProgress(root, () => {});
    assert.match(notice ?? "", /Your progress could not be saved to \.course\/progress\.json/);
    assert.match(notice ?? "", /this result is shown but not remembered/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("recordStates: an exercise that fails keeps its first failure; passing drops it", async () => {
  const root = await Deno.makeTempDir({ prefix: "progress_failure_" });
  try {
    const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
    const [exercise] = lesson.exercises;
    const long = "x".repeat(FAILURE_MESSAGE_LIMIT + 10);
    const failing = {
      exercise,
      state: "failing" as const,
      passed: 1,
      total: 2,
      firstFailure: {
        name: "a: b",
        fn: "a",
        file: "t.ts",
        ok: false,
        message: long,
        output: ["hi"],
      },
    };
    await updateProgress(root, (p) => recordStates(p, lesson, [failing]));
    const kept = (await readProgress(root)).lessons["09_x"].exercises["9.1"].failure;
    assert.deepEqual(kept, {
      name: "a: b",
      fn: "a",
      file: "t.ts",
      message: `${long.slice(0, FAILURE_MESSAGE_LIMIT - 1)}…`,
      output: ["hi"],
    });
    await updateProgress(
      root,
      (p) => recordStates(p, lesson, [{ exercise, state: "passed", passed: 2, total: 2 }]),
    );
    const text = await Deno.readTextFile(join(root, PROGRESS_PATH));
    assert.equal(JSON.parse(text).lessons["09_x"].exercises["9.1"].failure, undefined);
    // A hand-edited failure of another shape is dropped; the entry stays valid.
    const edited = JSON.parse(text);
    edited.lessons["09_x"].exercises["9.1"].failure = { name: 3 };
    const { progress, problems } = parseProgress(JSON.stringify(edited));
    assert.deepEqual(problems, []);
    assert.equal(progress.lessons["09_x"].exercises["9.1"].state, "passed");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
