/**
 * Tiered hints: each exercise has at least three in its lesson's `hints.md` (a nudge, the
 * concept, a near-solution; `parseHints` in `lessons.ts` reads them with the README), shown one
 * tier at a time, in order. Which tiers a learner has seen is kept in the progress file
 * (`hintsSeen`); this module picks the next tier and words it.
 *
 * @example
 * ```ts
 * import { hintReport, nextHint } from "@lib/course/hints.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson(
 *   "09_demo",
 *   "# Lesson 9: Demo\n### Exercise 9.1: A\n**Functions:** `a`\n",
 *   "## Exercise 9.1: A\n### Hint 1: a nudge\nThink.\n",
 * );
 * const hint = nextHint(lesson.exercises[0], 0);
 * if (hint) console.log(hintReport(lesson, hint, "run it again").join("\n"));
 * ```
 * @module
 */
import pc from "picocolors";
import type { Exercise, Hint, Lesson } from "@lib/course/lessons.ts";
import { terminalMarkdown } from "@lib/course/terminal_text.ts";
import { hintsSeen, recordHintSeen, updateProgress } from "@lib/course/progress.ts";

/** The hint tier to show now. */
export interface HintChoice {
  /** The exercise it belongs to. */
  exercise: Exercise;
  /** The tier, 1-based. */
  tier: number;
  /** How many tiers the exercise has. */
  tiers: number;
  /** The hint itself. */
  hint: Hint;
  /** True when every tier had been seen already (the last one is shown again). */
  repeat: boolean;
}

/**
 * The next unseen tier after `seen` tiers were shown, or the last tier again when all were seen;
 * undefined when the exercise has no hints.
 *
 * @example
 * ```ts
 * import { nextHint } from "@lib/course/hints.ts";
 * const exercise = {
 *   id: "1.1", title: "A", functions: ["a"], difficulty: 1, minutes: 5, needs: [],
 *   anchor: "a",
 *   hints: [{ title: "Hint 1", body: "x" }, { title: "Hint 2", body: "y" }],
 * };
 * nextHint(exercise, 1)?.tier; // 2
 * ```
 */
export function nextHint(exercise: Exercise, seen: number): HintChoice | undefined {
  const tiers = exercise.hints.length;
  if (tiers === 0) return undefined;
  const tier = Math.min(Math.max(seen, 0) + 1, tiers);
  return { exercise, tier, tiers, hint: exercise.hints[tier - 1], repeat: seen >= tiers };
}

/**
 * The lines that show a hint. `again` says how to get the next tier (e.g. "press h" or
 * "`deno task lesson 1 --hint`"); `passes` says the exercise already passes (the last tier then
 * points straight to the reference).
 *
 * @example
 * ```ts
 * import { hintReport } from "@lib/course/hints.ts";
 * // console.log(hintReport(lesson, choice, "press h").join("\n"));
 * ```
 */
export function hintReport(
  lesson: Lesson,
  choice: HintChoice,
  again: string,
  passes = false,
): string[] {
  const { exercise, tier, tiers, hint } = choice;
  const label = hint.title.replace(/^Hint\s*\d+\s*[:·-]?\s*/i, "");
  const out = [
    pc.bold(
      `Exercise ${exercise.id}, ${exercise.title} · hint ${tier} of ${tiers}${
        label ? `: ${label}` : ""
      }`,
    ),
    "",
    ...terminalMarkdown(hint.body).map((l) => `  ${l}`),
    "",
  ];
  if (tier < tiers) {
    const nextLabel = exercise.hints[tier].title.replace(/^Hint\s*\d+\s*[:·-]?\s*/i, "");
    out.push(pc.dim(`Still stuck? ${again} for hint ${tier + 1} (${nextLabel || "the next"}).`));
  } else {
    out.push(
      pc.dim(
        `${
          choice.repeat
            ? "You have seen every hint of this exercise; this is the last one. "
            : "That was the last hint. "
        }` +
          (passes
            ? `Your code already passes: `
            : `Read the exercise again in ${lesson.paths.readme}; once your code passes, `) +
          `\`deno task lesson ${lesson.number} --show-solution --exercise ${exercise.id}\` ` +
          `shows the reference next to yours.`,
      ),
    );
  }
  return out;
}

/**
 * Gives the next hint tier of `exercise` and records it as seen: the lines that show it (or
 * say there is none), and the progress file's notice when it had to be repaired.
 *
 * @example
 * ```ts
 * import { takeHint } from "@lib/course/hints.ts";
 * // const { lines } = await takeHint(".", lesson, exercise, "Press h", false);
 * ```
 */
export async function takeHint(
  root: string,
  lesson: Lesson,
  exercise: Exercise,
  again: string,
  passes: boolean,
): Promise<{ lines: string[]; notice?: string }> {
  let choice: HintChoice | undefined;
  const { notice } = await updateProgress(root, (p) => {
    choice = nextHint(exercise, hintsSeen(p, lesson.slug, exercise.id));
    if (choice) recordHintSeen(p, lesson, exercise.id, choice.tier);
  });
  const lines = choice
    ? hintReport(lesson, choice, again, passes)
    : [`Exercise ${exercise.id} has no hints; read ${lesson.paths.readme}.`];
  return { lines, notice };
}
