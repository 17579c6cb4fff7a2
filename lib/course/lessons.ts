/**
 * Finds the course's lessons and reads their structure from each lesson's README, the single
 * source of a lesson's text (the terminal and the site both read it).
 *
 * A lesson is a folder `lessons/NN_slug/` with a `README.md` and an `exercises.ts`; its
 * reference code is `solutions/NN_slug/exercises.ts` and its tests are
 * `tests/lessons/NN_slug_test.ts`. The README follows this shape (see the authors' guide in
 * the project README):
 *
 * ```md
 * # Lesson 1: The bigram data generator
 * ## Learning objectives
 * - one bullet per objective
 * ### Exercise 1.1: Unigram and bigram from counts
 * **Functions:** `unigramFromCounts`, `bigramFromCounts` · **Difficulty:** ★☆☆ · **Time:** 10 min
 * <details><summary>Hint 1: a nudge</summary> ... </details>
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
  /** The exercise's title. */
  title: string;
  /** The functions the learner writes; tests are named `function: what it checks`. */
  functions: string[];
  /** 1 (easy) to 3 (hard): the number of ★ in the README. */
  difficulty: number;
  /** The time box, in minutes. */
  minutes: number;
  /**
   * What its tests need to check everything (`**Needs:** WebGPU`); without it they check only a
   * fallback, and the CLI says so. Empty for most exercises.
   */
  needs: string[];
  /** The hints, in the order they should be shown (a nudge, the concept, near-solution). */
  hints: Hint[];
  /** The heading's anchor in the README (`exercise-12-sampling-triggers`). */
  anchor: string;
}

/** A hint: its summary line and its Markdown body. */
export interface Hint {
  /** The summary line, e.g. "Hint 1: a nudge". */
  title: string;
  /** The hint's text (Markdown). */
  body: string;
}

/** A lesson: where its files are and what its README says. */
export interface Lesson {
  /** The lesson's number (1, 2, ...). */
  number: number;
  /** The folder name, e.g. `01_bigram_data`. */
  slug: string;
  /** The title without the "Lesson N:" prefix. */
  title: string;
  /** The learning objectives (Markdown, one per bullet). */
  objectives: string[];
  /** The exercises, in order. */
  exercises: Exercise[];
  /** Paths relative to the course root. */
  paths: { readme: string; exercises: string; solution: string; test: string };
  /** The README's full Markdown text. */
  markdown: string;
}

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
    if (!entry.isDirectory || !/^\d\d_[a-z0-9_]+$/.test(entry.name)) continue;
    // A lesson folder without its README is still being written: it is not listed.
    if (await isFile(join(root, "lessons", entry.name, "README.md"))) slugs.push(entry.name);
  }
  slugs.sort();
  const lessons: Lesson[] = [];
  for (const slug of slugs) {
    const readme = `lessons/${slug}/README.md`;
    const markdown = await Deno.readTextFile(join(root, readme));
    lessons.push(parseLesson(slug, markdown));
  }
  return lessons;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
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
 * Parses a lesson README (see the module doc for the expected shape).
 *
 * @example
 * ```ts
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_demo", "# Lesson 9: Demo\n## Learning objectives\n- learn\n");
 * lesson.title; // "Demo"
 * ```
 */
export function parseLesson(slug: string, markdown: string): Lesson {
  const number = Number(slug.slice(0, 2));
  const lines = markdown.split("\n");
  const titleLine = lines.find((l) => l.startsWith("# "));
  if (!titleLine) throw new Error(`lessons/${slug}/README.md has no "# Lesson N: title" heading`);
  const title = titleLine.replace(/^# (Lesson \d+\s*[:·-]\s*)?/, "").trim();

  const objectives: string[] = [];
  const exercises: Exercise[] = [];
  let section = "";
  let current: Exercise | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
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
    const hint = line.match(/^<details><summary>(Hint[^<]*)<\/summary>\s*$/);
    if (hint) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^<\/details>/.test(lines[i]); i++) body.push(lines[i]);
      current.hints.push({ title: hint[1].trim(), body: body.join("\n").trim() });
    }
  }
  return {
    number,
    slug,
    title,
    objectives,
    exercises,
    paths: {
      readme: `lessons/${slug}/README.md`,
      exercises: `lessons/${slug}/exercises.ts`,
      solution: `solutions/${slug}/exercises.ts`,
      test: `tests/lessons/${slug}_test.ts`,
    },
    markdown,
  };
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
