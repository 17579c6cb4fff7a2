/**
 * The reference code of each exercise function, read from the lesson's solution file: the lines
 * between `// BEGIN SOLUTION` and `// END SOLUTION`, under the nearest `function NAME` above
 * (parsed by `lib/course/author/markers.ts`, as for `deno task stubs`), with their common
 * indentation removed.
 *
 * @example
 * ```ts
 * import { solutionRegions } from "./solutions.ts";
 * const src = "export function two(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}\n";
 * solutionRegions(src).get("two"); // "return 2;"
 * ```
 * @module
 */
import { markedRegions } from "@lib/course/author/markers.ts";
import type { Exercise, Lesson } from "@lib/course/lessons.ts";
import type { LessonProgress } from "@lib/course/progress.ts";

/**
 * Maps each function name to its solution code. A function with several regions gets them
 * joined by a `// ...` line. An unclosed region is an error.
 *
 * @example
 * ```ts
 * import { solutionRegions } from "./solutions.ts";
 * solutionRegions("const x = 1;\n").size; // 0
 * ```
 */
export function solutionRegions(source: string): Map<string, string> {
  const regions = new Map<string, string>();
  for (const { fn, body } of markedRegions(source)) {
    const code = dedent(body);
    const before = regions.get(fn);
    regions.set(fn, before === undefined ? code : `${before}\n// ...\n${code}`);
  }
  return regions;
}

/**
 * Removes the indentation shared by all non-blank lines, and blank lines at both ends.
 *
 * @example
 * ```ts
 * import { dedent } from "./solutions.ts";
 * dedent(["    a", "      b"]); // "a\n  b"
 * ```
 */
export function dedent(lines: string[]): string {
  const widths = lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length);
  const cut = widths.length ? Math.min(...widths) : 0;
  return lines.map((l) => l.slice(cut)).join("\n").replace(/^\n+|\s+$/g, "");
}

/**
 * Whether the reference solution of an exercise may be shown: the exercise passed at its last
 * check, or the learner already asked for its solution in the terminal
 * (`deno task lesson N --show-solution`, which asks first). Until then the site shows no
 * reference text of it, neither in the lesson's page nor in `/source/solutions/`.
 *
 * @example
 * ```ts
 * import { solutionShown } from "./solutions.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * solutionShown(undefined, lesson.exercises[0]); // false
 * ```
 */
export function solutionShown(record: LessonProgress | undefined, exercise: Exercise): boolean {
  const ex = record?.exercises[exercise.id];
  return ex?.state === "passed" || ex?.solutionShown === true;
}

/**
 * A lesson's solution file with the reference code of each exercise not yet shown
 * ({@linkcode solutionShown}) replaced by one comment line that says how to see it; code outside
 * the marked regions (signatures, imports, docs) stays. A region of a function that belongs to no
 * exercise is hidden until every exercise of the lesson may be shown. Throws on a file whose
 * markers do not parse (the caller shows nothing of it then).
 *
 * @example
 * ```ts
 * import { hideUnshownSolutions } from "./solutions.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `two`\n");
 * const src = "export function two(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}\n";
 * hideUnshownSolutions(src, lesson, undefined).includes("return 2"); // false
 * ```
 */
export function hideUnshownSolutions(
  source: string,
  lesson: Lesson,
  record: LessonProgress | undefined,
): string {
  const all = lesson.exercises.every((e) => solutionShown(record, e));
  const lines = source.split("\n");
  // From the last region up, so the earlier regions' line numbers stay right.
  for (const region of markedRegions(source).reverse()) {
    const exercise = lesson.exercises.find((e) => e.functions.includes(region.fn));
    if (exercise ? solutionShown(record, exercise) : all) continue;
    const why = exercise
      ? `until exercise ${exercise.id} passes (\`deno task lesson ${lesson.number} ` +
        `--show-solution --exercise ${exercise.id}\` shows it now, after asking)`
      : `until every exercise of lesson ${lesson.number} passes`;
    lines.splice(
      region.begin + 1,
      region.end - region.begin - 1,
      `${region.indent}// The reference code is hidden ${why}.`,
    );
  }
  return lines.join("\n");
}
