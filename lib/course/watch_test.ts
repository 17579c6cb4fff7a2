/**
 * The watch session driven by hand: fake file changes, fake keys and a fake check whose runs
 * the test finishes itself, so that "never two checks at once", the key commands and the plain
 * output are checked without files, a terminal or `deno test`.
 * @module
 */
import assert from "node:assert/strict";
import { parseLesson } from "@lib/course/lessons.ts";
import type { Lesson } from "@lib/course/lessons.ts";
import type { CheckResult } from "@lib/course/lesson_check.ts";
import type { Change } from "@lib/course/file_watch.ts";
import { exerciseStates } from "@lib/course/status.ts";
import { readProgress } from "@lib/course/progress.ts";
import { watchSession } from "@lib/course/watch.ts";
import { stripVTControlCharacters as stripAnsi } from "node:util";

const HINTS = ["a nudge", "the concept", "near-solution"].map((h, i) =>
  `### Hint ${i + 1}: ${h}\nTier ${i + 1} text.\n`
).join("");
const lesson1 = parseLesson(
  "01_one",
  "# Lesson 1: One\n### Exercise 1.1: First\n**Functions:** `a`\n" +
    "### Exercise 1.2: Second\n**Functions:** `b`\n",
  `## Exercise 1.1\n${HINTS}## Exercise 1.2\n${HINTS}`,
);
const lesson2 = parseLesson(
  "02_two",
  "# Lesson 2: Two\n### Exercise 2.1: Third\n**Functions:** `c`\n",
);

/** An async stream the test pushes into. */
class Channel<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #wake?: () => void;
  push(item: T) {
    this.#items.push(item);
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      while (this.#items.length === 0) await new Promise<void>((r) => this.#wake = r);
      yield this.#items.shift()!;
    }
  }
}

/** A check whose runs stay open until the test finishes them; counts overlapping runs. */
class FakeCheck {
  runs: { lesson: Lesson; finish: (passing: string[]) => void; aborted: boolean }[] = [];
  active = 0;
  maxActive = 0;
  check = (lesson: Lesson, signal: AbortSignal): Promise<CheckResult> => {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    return new Promise((resolve) => {
      const run = {
        lesson,
        aborted: false,
        finish: (passing: string[]) => {
          this.active--;
          const outcomes = lesson.exercises.flatMap((e) =>
            e.functions.map((fn) => ({
              name: `${fn}: works`,
              fn,
              file: "t",
              ok: passing.includes(fn),
              message: passing.includes(fn) ? undefined : `${fn} is wrong`,
            }))
          );
          resolve({ states: exerciseStates(lesson, outcomes) });
        },
      };
      signal.addEventListener("abort", () => {
        run.aborted = true;
        this.active--;
        resolve({ states: [], aborted: true });
      });
      this.runs.push(run);
    });
  };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for: ${what}`);
}

function start(
  options: {
    keys?: Channel<string>;
    interactive?: boolean;
    root?: string;
    columns?: number;
    site?: string;
  },
) {
  const changes = new Channel<Change>();
  const fake = new FakeCheck();
  const out: string[] = [];
  const stop = new AbortController();
  const done = watchSession({
    root: options.root ?? ".",
    lessons: [lesson1, lesson2],
    lesson: lesson1,
    source: "lessons",
    watched: ["lessons/"],
    check: fake.check,
    changes,
    keys: options.keys,
    list: () => Promise.resolve(["LESSON LIST"]),
    io: {
      write: (t) => out.push(t),
      interactive: options.interactive ?? false,
      columns: () => options.columns,
    },
    signal: stop.signal,
    site: () => options.site,
  });
  const text = () => stripAnsi(out.join(""));
  return { changes, fake, out, text, stop, done };
}

Deno.test("watch: one check at a time; a save during a check restarts it", async () => {
  const s = start({});
  await until("the first check", () => s.fake.runs.length === 1);
  s.changes.push({ paths: ["lessons/01_one/exercises.ts"], via: "events" });
  await until("the restart", () => s.fake.runs.length === 2);
  assert.equal(s.fake.runs[0].aborted, true);
  s.changes.push({ paths: ["lessons/01_one/exercises.ts"], via: "events" });
  await until("the second restart", () => s.fake.runs.length === 3);
  s.fake.runs[2].finish(["a"]);
  await until("a report", () => s.text().includes("Watching lessons/"));
  assert.equal(s.fake.maxActive, 1, "two checks ran at once");
  const text = s.text();
  assert.match(text, /── check 1 · .+ · lessons\/01_one\/exercises\.ts changed ──/);
  assert.match(text, /✔ 1\.1/);
  assert.match(text, /✘ 1\.2/);
  assert.match(text, /Next: exercise 1\.2, Second/);
  assert.match(text, /problem: b is wrong/);
  assert.match(text, /Watching lessons\/ for changes \(Ctrl-C to stop\)\./);
  assert.ok(!s.out.join("").includes("\x1b[2J"), "no screen clearing when not a terminal");
  // A second save gives a second report.
  s.changes.push({ paths: ["lessons/01_one/exercises.ts"], via: "polling" });
  await until("the fourth check", () => s.fake.runs.length === 4);
  s.fake.runs[3].finish(["a", "b"]);
  await until("a second report", () => s.text().includes("Lesson 1 complete"));
  assert.match(s.text(), /── check 2 · /);
  s.stop.abort();
  assert.equal(await s.done, 0);
  assert.match(s.text(), /Stopped watching\./);
});

Deno.test("watch: keys h, n, l, r, q", async () => {
  const root = await Deno.makeTempDir({ prefix: "watch_test_" });
  try {
    const keys = new Channel<string>();
    const s = start({ keys, interactive: true, root });
    await until("the first check", () => s.fake.runs.length === 1);
    s.fake.runs[0].finish([]);
    await until("a report", () => s.text().includes("h hint · n next · l list · r rerun · q quit"));
    assert.ok(s.out.join("").includes("\x1b[2J"), "the screen is cleared on a terminal");
    assert.match(s.text(), /stuck\? +press h for a hint/);

    keys.push("h");
    await until("hint 1", () => s.text().includes("hint 1 of 3: a nudge"));
    assert.match(s.text(), /Exercise 1\.1, First · hint 1 of 3/);
    keys.push("h");
    await until("hint 2", () => s.text().includes("hint 2 of 3: the concept"));
    const progress = await readProgress(root);
    assert.equal(progress.lessons["01_one"].exercises["1.1"].hintsSeen, 2);

    keys.push("n");
    await until("exercise 1.2 in focus", () => /Exercise 1\.2, Second\n/.test(s.text()));
    keys.push("h");
    await until("hint 1 of 1.2", () => s.text().includes("Exercise 1.2, Second · hint 1 of 3"));

    keys.push("l");
    await until("the list", () => s.text().includes("LESSON LIST"));

    keys.push("r");
    await until("a rerun", () => s.fake.runs.length === 2);
    s.fake.runs[1].finish(["a", "b"]);
    await until("lesson 1 complete", () => s.text().includes("Exercise 1.2, Second: passes"));

    keys.push("n"); // past the last exercise: the next lesson
    await until("lesson 2's check", () => s.fake.runs.length === 3);
    assert.equal(s.fake.runs[2].lesson.slug, "02_two");
    s.fake.runs[2].finish([]);
    await until("lesson 2's report", () => s.text().includes("Lesson 2 · Two"));
    keys.push("n");
    await until("no lesson after 2", () => s.text().includes("This is the last lesson"));

    keys.push("q");
    assert.equal(await s.done, 0);
    assert.equal(s.fake.maxActive, 1);
    assert.match(s.text(), /Stopped watching\./);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("watch: Ctrl-C quits and stops a running check", async () => {
  const keys = new Channel<string>();
  const s = start({ keys });
  await until("the first check", () => s.fake.runs.length === 1);
  keys.push("\x03");
  assert.equal(await s.done, 0);
  assert.equal(s.fake.runs[0].aborted, true);
  assert.equal(s.fake.active, 0);
});

Deno.test("watch: a hint goes once its exercise is no longer the current one", async () => {
  const root = await Deno.makeTempDir({ prefix: "watch_test_" });
  try {
    const keys = new Channel<string>();
    const s = start({ keys, root });
    await until("the first check", () => s.fake.runs.length === 1);
    s.fake.runs[0].finish([]);
    await until("a report", () => s.text().includes("Next: exercise 1.1"));
    keys.push("h");
    await until("hint 1 of 1.1", () => s.text().includes("Exercise 1.1, First · hint 1 of 3"));
    // 1.1 now passes: the screen is about 1.2, and 1.1's hint is gone.
    s.changes.push({ paths: ["lessons/01_one/exercises.ts"], via: "events" });
    await until("the second check", () => s.fake.runs.length === 2);
    s.fake.runs[1].finish(["a"]);
    await until("the second report", () => /── check 2 /.test(s.text()));
    const second = s.text().split("── check 2 ")[1];
    assert.match(second, /Next: exercise 1\.2, Second/);
    assert.doesNotMatch(second, /hint 1 of 3|Tier 1 text/);
    // A hint for the current exercise stays across checks.
    keys.push("h");
    await until("hint 1 of 1.2", () => s.text().includes("Exercise 1.2, Second · hint 1 of 3"));
    s.changes.push({ paths: ["lessons/01_one/exercises.ts"], via: "events" });
    await until("the third check", () => s.fake.runs.length === 3);
    s.fake.runs[2].finish(["a"]);
    await until("the third report", () => /── check 3 /.test(s.text()));
    assert.match(s.text().split("── check 3 ")[1], /Exercise 1\.2, Second · hint 1 of 3/);
    s.stop.abort();
    await s.done;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("watch: long lines wrap at word boundaries to the terminal's width", async () => {
  const root = await Deno.makeTempDir({ prefix: "watch_test_" });
  try {
    const keys = new Channel<string>();
    const s = start({ keys, root, interactive: true, columns: 40 });
    await until("the first check", () => s.fake.runs.length === 1);
    s.fake.runs[0].finish([]);
    await until("a report", () => s.text().includes("q quit"));
    keys.push("h");
    await until("hint 1", () => s.text().includes("Tier 1 text."));
    const screen = stripAnsi(s.out.join("").split("\x1b[3J").at(-1)!); // the last screen
    for (const line of screen.split(/\r|\n/)) {
      assert.ok(line.length <= 40 || !line.trim().includes(" "), `longer than 40: "${line}"`);
    }
    // Cut at spaces only: every word is whole.
    const words = new Set(screen.split(/\s+/));
    const footer = "Watching lessons/ for changes · h hint · n next · l list · r rerun · q quit";
    for (const word of [...footer.split(" "), "Tier", "text.", "lessons/01_one/exercises.ts"]) {
      assert.ok(words.has(word), `"${word}" was cut`);
    }
    s.stop.abort();
    await s.done;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("watch: while the course site runs, where: links to the file on it", async () => {
  const s = start({ site: "http://127.0.0.1:8123" });
  await until("the first check", () => s.fake.runs.length === 1);
  s.fake.runs[0].finish(["a"]);
  await until("a report", () => s.text().includes("Watching lessons/"));
  assert.match(
    s.text(),
    /where: +lessons\/01_one\/exercises\.ts\n {10}http:\/\/127\.0\.0\.1:8123\/source\/lessons\/01_one\/exercises\.ts\n/,
  );
  s.stop.abort();
  await s.done;
});
