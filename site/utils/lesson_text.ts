/**
 * A lesson's page text: its README (the single source the terminal also reads) with, at the end
 * of each exercise, its hints (from the lesson's `hints.md`, each tier a `<details>` block folded
 * inside the one before) and its reference solution (one more folded block), then rendered to HTML.
 *
 * @example
 * ```ts
 * import { parseLesson } from "@lib/course/lessons.ts";
 * import { withSolutions } from "./lesson_text.ts";
 * const md = "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n## Next\n";
 * withSolutions(parseLesson("09_x", md), new Map([["a", "return 1;"]])); // the README plus a <details>
 * ```
 * @module
 */
import { type Exercise, headingLines, type Lesson } from "@lib/course/lessons.ts";
import { solutionQuestion } from "@lib/course/solution_diff.ts";

/**
 * Inserts, at the end of each exercise's section (before the next heading of level 1 to 3, or
 * at the end), the exercise's hints, each tier folded inside the one before, and a folded block with the
 * reference code of the exercise's functions when `shown(exercise)` (the exercise passes);
 * otherwise a note that says how to see it, as the terminal does (`--show-solution` asks
 * first), and, when `offer` (a site served on this machine only), a button that asks the same
 * question and shows it (see `routes/api/solution/[lesson].ts`). The solution part is a `data-live`
 * element (`#solution-N-M`), so that a page shows it as soon as a check passes. Headings inside
 * fenced code blocks are not headings.
 *
 * @example
 * ```ts
 * import { parseLesson } from "@lib/course/lessons.ts";
 * import { withSolutions } from "./lesson_text.ts";
 * const md = "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n## Next\n";
 * withSolutions(parseLesson("09_x", md), new Map([["a", "return 1;"]])); // the README plus a <details>
 * ```
 */
export function withSolutions(
  lesson: Lesson,
  regions: Map<string, string>,
  shown: (exercise: Exercise) => boolean = () => true,
  offer = false,
): string {
  const lines = lesson.markdown.split("\n");
  const out: string[] = [];
  let current: Exercise | undefined;
  let index = 0;
  const flush = () => {
    if (current) {
      const solution = shown(current)
        ? solutionBlock(current, regions)
        : hiddenBlock(lesson, current, regions, offer);
      out.push(...hintBlocks(current));
      // A `data-live` part (glue/live.ts): the solution appears when a check passes, no reload.
      if (solution.length > 0) {
        out.push(
          "",
          `<div id="solution-${current.id.replace(".", "-")}" data-live>`,
          ...solution,
          "",
          "</div>",
          "", // an HTML block ends at a blank line: the next heading is a heading again
        );
      }
    }
    current = undefined;
  };
  const heading = headingLines(lines);
  for (const [i, line] of lines.entries()) {
    if (heading[i]) {
      flush();
      if (/^### Exercise \d+\.\d+/.test(line)) current = lesson.exercises[index++];
    }
    out.push(line);
  }
  flush();
  return out.join("\n");
}

/**
 * Each tier folded inside the one before it, so that a tier shows only once the previous one is
 * open, as `--hint` gives them one at a time (the near-solution is not one click away).
 */
function hintBlocks(exercise: Exercise): string[] {
  return [
    ...exercise.hints.flatMap((h) => ["", `<details><summary>${h.title}</summary>`, "", h.body]),
    "",
    ...exercise.hints.map(() => "</details>"),
    "", // an HTML block ends at a blank line
  ];
}

function hiddenBlock(
  lesson: Lesson,
  exercise: Exercise,
  regions: Map<string, string>,
  offer: boolean,
): string[] {
  if (!exercise.functions.some((fn) => regions.has(fn))) return [];
  const button = offer
    ? ` <button type="button" class="show-solution" data-lesson="${lesson.number}" ` +
      `data-exercise="${exercise.id}" data-question="${solutionQuestion(exercise.id)}">` +
      `Show the reference anyway</button>`
    : "";
  return [
    "",
    `<p class="solution-hidden">The reference solution of exercise ${exercise.id} shows here ` +
    `once the exercise passes. Stuck? <code>deno task lesson ${lesson.number} --hint</code> ` +
    `gives a hint; <code>deno task lesson ${lesson.number} --show-solution --exercise ` +
    `${exercise.id}</code> shows the reference now, after asking.${button}</p>`,
    "",
  ];
}

function solutionBlock(exercise: Exercise, regions: Map<string, string>): string[] {
  const found = exercise.functions.filter((fn) => regions.has(fn));
  if (found.length === 0) return [];
  const names = found.map((fn) => `<code>${fn}</code>`).join(", ");
  const out = [
    "",
    // An id, so that the live refresh keeps it open when the reader opened it.
    `<details class="solution" id="solution-${exercise.id.replace(".", "-")}-code">` +
    `<summary>Solution: ${names} (reference code)</summary>`,
    "",
  ];
  for (const fn of found) {
    out.push(`\`${fn}\`:`, "", "```ts", regions.get(fn)!, "```", "");
  }
  out.push("</details>", "");
  return out;
}
