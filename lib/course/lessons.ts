/**
 * Finds the course's lessons and reads their structure from each lesson's README, the single
 * source of a lesson's text (the terminal and the site both read it), and the exercises' hints
 * from the lesson's `hints.md`, kept apart so that reading the text shows no hint.
 *
 * A lesson is a folder `lessons/NN_slug/` with a `README.md`, a `hints.md` and an
 * `exercises.ts`; its reference code is `solutions/NN_slug/exercises.ts` and its tests are
 * `tests/lessons/NN_slug_test.ts`. The two texts follow these shapes (see
 * `lessons/AUTHORING.md`):
 *
 * ```md
 * # Lesson 1: The bigram data generator              (README.md)
 * ## Learning objectives
 * - one bullet per objective
 * ### Exercise 1.1: Unigram and bigram from counts
 * **Functions:** `unigramFromCounts`, `bigramFromCounts` · **Difficulty:** ★☆☆ · **Time:** 10 min
 *
 * # Hints for lesson 1: The bigram data generator    (hints.md)
 * ## Exercise 1.1: Unigram and bigram from counts
 * ### Hint 1: a nudge
 * Markdown, up to the next `##` or `###` heading outside fenced code.
 * ```
 *
 * @example
 * ```ts
 * import { listLessons } from "@lib/course/lessons.ts";
 * const lessons = await listLessons(".");
 * console.log(lessons.map((l) => l.title));
 * ```
 * @module
 */
import { join } from "node:path";

/** One exercise of a lesson, as its README describes it. */
export interface Exercise {
  /** "1.2": lesson number, then the exercise's number. */
  id: string;
  title: string;
  /** The functions the learner writes; tests are named `function: what it checks`. */
  functions: string[];
  /** 1 (easy) to 3 (hard): the number of ★ in the README. */
  difficulty: number;
  /** The time box, in minutes. */
  minutes: number;
  /** What its tests need to check everything (`**Needs:** WebGPU`); else only a fallback runs. */
  needs: string[];
  /** The hint tiers, in order (a nudge, the concept, near-solution). */
  hints: Hint[];
  /** The heading's anchor in the README (`exercise-12-sampling-triggers`). */
  anchor: string;
}

/** A hint: its heading ("Hint 1: a nudge") and its Markdown body. */
export interface Hint {
  title: string;
  body: string;
}

/** A lesson: where its files are and what its README says. */
export interface Lesson {
  number: number;
  /** The folder name, e.g. `01_bigram_data`. */
  slug: string;
  /** The title without the "Lesson N:" prefix. */
  title: string;
  /** The learning objectives (Markdown, one per bullet). */
  objectives: string[];
  /** What the lesson builds of the induction head: its README's `**In the map**` line, after "builds". */
  map?: string;
  exercises: Exercise[];
  /** Paths relative to the course root. */
  paths: { readme: string; hints: string; exercises: string; solution: string; test: string };
  /** The README's full Markdown text. */
  markdown: string;
}

/**
 * A lesson's folder name (its slug): two digits, an underscore, lowercase words.
 *
 * @example
 * ```ts
 * import { LESSON_SLUG } from "@lib/course/lessons.ts";
 * LESSON_SLUG.test("01_bigram_data"); // true
 * LESSON_SLUG.test("figures"); // false
 * ```
 */
export const LESSON_SLUG = /^\d\d_[a-z0-9_]+$/;

/**
 * Lists the lessons under `root/lessons`, sorted by number.
 *
 * @example
 * ```ts
 * import { listLessons } from "@lib/course/lessons.ts";
 * const [first] = await listLessons(".");
 * first.slug; // "01_bigram_data"
 * ```
 */
export async function listLessons(root: string): Promise<Lesson[]> {
  const slugs: string[] = [];
  for await (const entry of Deno.readDir(join(root, "lessons"))) {
    if (!entry.isDirectory || !LESSON_SLUG.test(entry.name)) continue;
    // A lesson folder without its README is still being written: it is not listed.
    const readme = await Deno.stat(join(root, "lessons", entry.name, "README.md")).catch(() => {});
    if (readme?.isFile) slugs.push(entry.name);
  }
  slugs.sort();
  const lessons: Lesson[] = [];
  for (const slug of slugs) {
    const readme = `lessons/${slug}/README.md`;
    const markdown = await Deno.readTextFile(join(root, readme));
    const hints = await Deno.readTextFile(join(root, `lessons/${slug}/hints.md`)).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
    lessons.push(parseLesson(slug, markdown, hints));
  }
  return lessons;
}

/**
 * Finds one lesson by the number a user typed, with a helpful error when there is none.
 *
 * @example
 * ```ts
 * import { findLesson, listLessons } from "@lib/course/lessons.ts";
 * const lesson = findLesson(await listLessons("."), "1");
 * ```
 */
export function findLesson(lessons: Lesson[], text: string): Lesson {
  const range = lessons.length > 0
    ? `${lessons[0].number} to ${lessons[lessons.length - 1].number}`
    : "none yet";
  if (!/^\d+$/.test(text.trim())) {
    throw new Error(
      `"${text}" is not a lesson number. Lessons are numbered ${range}: ` +
        `try \`deno task lesson 1\`, or \`deno task lesson\` to list them.`,
    );
  }
  const n = Number(text);
  const lesson = lessons.find((l) => l.number === n);
  if (!lesson) {
    throw new Error(
      `There is no lesson ${n}. Lessons are numbered ${range}: ` +
        `run \`deno task lesson\` to list them.`,
    );
  }
  return lesson;
}

/**
 * Parses a lesson README and, when given, its hints file (see the module doc for the shapes).
 * Hints for an exercise the README does not have are an author's mistake, reported by a throw.
 *
 * @example
 * ```ts
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson(
 *   "09_demo",
 *   "# Lesson 9: Demo\n## Learning objectives\n- learn\n### Exercise 9.1: A\n**Functions:** `a`\n",
 *   "# Hints\n## Exercise 9.1: A\n### Hint 1: a nudge\nThink.\n",
 * );
 * lesson.title; // "Demo"
 * lesson.exercises[0].hints[0].body; // "Think."
 * ```
 */
export function parseLesson(slug: string, markdown: string, hints?: string): Lesson {
  const number = Number(slug.slice(0, 2));
  const lines = markdown.split("\n");
  const titleLine = lines.find((l) => l.startsWith("# "));
  if (!titleLine) throw new Error(`lessons/${slug}/README.md has no "# Lesson N: title" heading`);
  const title = titleLine.replace(/^# (Lesson \d+\s*[:·-]\s*)?/, "").trim();

  const objectives: string[] = [];
  const exercises: Exercise[] = [];
  let section = "";
  let current: Exercise | undefined;
  for (const line of lines) {
    if (/^## /.test(line)) {
      section = line.slice(3).trim().toLowerCase();
      current = undefined;
      continue;
    }
    const ex = line.match(/^### Exercise (\d+\.\d+)\s*[:·-]\s*(.+)$/);
    if (ex) {
      current = {
        id: ex[1],
        title: ex[2].trim(),
        functions: [],
        difficulty: 1,
        minutes: 0,
        needs: [],
        hints: [],
        anchor: anchorOf(line.slice(4)),
      };
      exercises.push(current);
      continue;
    }
    if (/^#{1,3} /.test(line)) current = undefined;
    if (section.startsWith("learning objectives")) {
      if (/^\s*[-*] /.test(line)) objectives.push(line.replace(/^\s*[-*] /, "").trim());
      else if (/^\s+\S/.test(line) && objectives.length > 0) {
        objectives[objectives.length - 1] += " " + line.trim(); // a bullet's continuation line
      }
    }
    if (!current) continue;
    const fns = line.match(/\*\*Functions?:\*\*\s*([^·]+)/);
    if (fns) current.functions = [...fns[1].matchAll(/`(\w+)`/g)].map((m) => m[1]);
    const diff = line.match(/\*\*Difficulty:\*\*\s*(★+)/);
    if (diff) current.difficulty = diff[1].length;
    const time = line.match(/\*\*Time:\*\*\s*(\d+)\s*min/);
    if (time) current.minutes = Number(time[1]);
    const needs = line.match(/\*\*Needs:\*\*\s*([^·]+)/);
    if (needs) current.needs = needs[1].split(",").map((n) => n.trim()).filter((n) => n !== "");
  }
  const mapAt = lines.findIndex((l) => l.startsWith("**In the map**"));
  let map: string | undefined;
  if (mapAt >= 0) {
    const end = lines.findIndex((l, i) => i > mapAt && l.trim() === "");
    const text = lines.slice(mapAt, end < 0 ? undefined : end).join(" ");
    map = text.replace(/^.*?this lesson builds\s*/, "").trim();
  }
  if (hints !== undefined) {
    for (const [id, tiers] of parseHints(hints)) {
      const exercise = exercises.find((e) => e.id === id);
      if (!exercise) {
        throw new Error(
          `lessons/${slug}/hints.md has hints for exercise ${id}, which ` +
            `lessons/${slug}/README.md does not have`,
        );
      }
      exercise.hints = tiers;
    }
  }
  return {
    number,
    slug,
    title,
    objectives,
    map,
    exercises,
    paths: {
      readme: `lessons/${slug}/README.md`,
      hints: `lessons/${slug}/hints.md`,
      exercises: `lessons/${slug}/exercises.ts`,
      solution: `solutions/${slug}/exercises.ts`,
      test: `tests/lessons/${slug}_test.ts`,
    },
    markdown,
  };
}

/**
 * The other lessons whose exercises a lesson's exercise file imports, given that file's import
 * specifiers (`importSpecifiers` of `lib/layers`, the one parser of imports, which skips examples
 * in comments), in lesson order: the code of theirs that runs when this lesson is checked.
 *
 * @example
 * ```ts
 * import { importedLessons, parseLesson } from "@lib/course/lessons.ts";
 * const one = parseLesson("01_one", "# Lesson 1: One\n");
 * const two = parseLesson("02_two", "# Lesson 2: Two\n");
 * importedLessons(["@exercises/01_one/exercises.ts", "@lib/rng/mod.ts"], two, [one, two]);
 * // [one]
 * ```
 */
export function importedLessons(specifiers: string[], lesson: Lesson, lessons: Lesson[]): Lesson[] {
  const slugs = new Set(specifiers.map((s) => s.match(/^@exercises\/(\d\d_[a-z0-9_]+)\//)?.[1]));
  return lessons.filter((l) => l.slug !== lesson.slug && slugs.has(l.slug));
}

/**
 * Parses a lesson's hints file: `## Exercise N.M` (a title after it is for the reader), then
 * one `### Hint ...` heading per tier, its body the Markdown up to the next `##` or `###`
 * heading outside fenced code. Returns each exercise's tiers in order.
 *
 * @example
 * ```ts
 * import { parseHints } from "@lib/course/lessons.ts";
 * const hints = parseHints("## Exercise 1.1: A\n### Hint 1: a nudge\nThink.\n### Hint 2\nMore.\n");
 * hints.get("1.1")?.map((h) => h.title); // ["Hint 1: a nudge", "Hint 2"]
 * ```
 */
export function parseHints(text: string): Map<string, Hint[]> {
  const out = new Map<string, Hint[]>();
  let tiers: Hint[] | undefined;
  let body: string[] | undefined;
  const close = () => {
    if (tiers && body) tiers[tiers.length - 1].body = body.join("\n").trim();
    body = undefined;
  };
  const lines = text.split("\n");
  const heading = headingLines(lines);
  for (const [i, line] of lines.entries()) {
    if (heading[i]) {
      close();
      const ex = line.match(/^## Exercise (\d+\.\d+)\b/);
      const hint = line.match(/^### (Hint\b.*)$/);
      if (ex) out.set(ex[1], tiers = out.get(ex[1]) ?? []);
      else if (hint && tiers) {
        tiers.push({ title: hint[1].trim(), body: "" });
        body = [];
      } else tiers = undefined;
      continue;
    }
    body?.push(line);
  }
  close();
  return out;
}

/**
 * Which lines of a Markdown text are headings of level 1 to 3 (`#`, `##`, `###`), not counting
 * lines inside fenced code blocks (a `# comment` in a shell block is no heading).
 *
 * @example
 * ```ts
 * import { headingLines } from "@lib/course/lessons.ts";
 * headingLines(["# Title", "~~~sh", "# a comment", "~~~", "## Next"]);
 * // [true, false, false, false, true]
 * ```
 */
export function headingLines(lines: string[]): boolean[] {
  let fence: string | undefined;
  return lines.map((line) => {
    const f = line.match(/^\s*(`{3,}|~{3,})/);
    if (f) {
      if (!fence) fence = f[1];
      else if (line.trim().startsWith(fence)) fence = undefined;
    }
    return !fence && /^#{1,3} /.test(line);
  });
}

/**
 * The anchor GitHub (and the course site) gives a heading: lower case, punctuation dropped,
 * spaces turned into dashes.
 *
 * @example
 * ```ts
 * import { anchorOf } from "@lib/course/lessons.ts";
 * anchorOf("Exercise 1.2: Sampling triggers"); // "exercise-12-sampling-triggers"
 * ```
 */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}
