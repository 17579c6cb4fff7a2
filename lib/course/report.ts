/**
 * The text the lesson CLI prints: a lesson's goals and exercise states, the first failure in
 * plain words, and the list of all lessons.
 *
 * @example
 * ```ts
 * import { lessonReport } from "@lib/course/report.ts";
 * // lessonReport(lesson, states, { source: "lessons", root: "." }) returns the lines to print
 * ```
 * @module
 */
import pc from "picocolors";
import { join } from "node:path";
import type { Lesson } from "@lib/course/lessons.ts";
import type { ExerciseState } from "@lib/course/status.ts";

/** How the report was produced. */
export interface ReportContext {
  /** Which code was checked. */
  source: "lessons" | "solutions";
  /** The course root, to find line numbers in the exercise file. */
  root: string;
}

const MARK: Record<ExerciseState["state"], string> = {
  "passed": pc.green("✔"),
  "failing": pc.red("✘"),
  "not started": pc.dim("·"),
  "no tests": pc.yellow("?"),
};

/**
 * The full report of one lesson.
 *
 * @example
 * ```ts
 * import { lessonReport } from "@lib/course/report.ts";
 * // console.log(lessonReport(lesson, states, ctx).join("\n"));
 * ```
 */
export function lessonReport(
  lesson: Lesson,
  states: ExerciseState[],
  ctx: ReportContext,
): string[] {
  const out: string[] = [];
  const heading = `Lesson ${lesson.number} · ${lesson.title}`;
  out.push(pc.bold(heading), pc.dim("─".repeat(heading.length)));
  if (lesson.objectives.length > 0) {
    out.push("Learning objectives:");
    for (const o of lesson.objectives) out.push(`  • ${plain(o)}`);
  }
  const file = ctx.source === "lessons" ? lesson.paths.exercises : lesson.paths.solution;
  out.push("");
  out.push(`Edit:    ${pc.cyan(lesson.paths.exercises)}`);
  out.push(`Read:    ${lesson.paths.readme}  (or \`deno task site\`)`);
  out.push("");
  out.push(
    ctx.source === "lessons"
      ? "Exercises, checked against your code in lessons/:"
      : pc.yellow("Exercises, checked against the reference code in solutions/:"),
  );
  const width = Math.max(...states.map((s) => s.exercise.title.length), 10);
  for (const s of states) {
    const ex = s.exercise;
    const stars = "★".repeat(ex.difficulty) + "☆".repeat(Math.max(0, 3 - ex.difficulty));
    const count = s.state === "not started"
      ? pc.dim("not started")
      : s.state === "no tests"
      ? pc.yellow("no tests found")
      : `${s.passed}/${s.total} tests`;
    out.push(
      `  ${MARK[s.state]} ${ex.id.padEnd(4)} ${ex.title.padEnd(width)}  ${stars}  ${
        String(ex.minutes).padStart(3)
      } min   ${count}`,
    );
  }
  const done = states.filter((s) => s.state === "passed").length;
  out.push("", `Progress: ${progressBar(done, states.length)} ${done}/${states.length} exercises`);
  const first = states.find((s) => s.state !== "passed");
  if (!first) {
    out.push(
      "",
      pc.green(pc.bold(`Lesson ${lesson.number} complete.`)) +
        ` Run \`deno task demo ${lesson.number}\` to see it at work.`,
    );
    return out;
  }
  out.push("", pc.bold(`Next: exercise ${first.exercise.id}, ${first.exercise.title}`));
  const failure = first.firstFailure;
  if (failure) {
    out.push(`  test:   ${failure.name}`);
    const label = failure.timedOut ? "stopped" : "problem";
    out.push(`  ${label}: ${indent(failure.message ?? "(no message)", 10)}`);
  }
  const line = findLine(ctx.root, file, first.exercise.functions);
  out.push(`  where:  ${file}${line ? `:${line.line} (function ${line.fn})` : ""}`);
  out.push(`  text:   ${lesson.paths.readme}#${first.exercise.anchor}`);
  if (ctx.source === "lessons") {
    out.push(`  stuck?  \`deno task lesson ${lesson.number} --hint\` shows a hint.`);
  }
  return out;
}

/**
 * One line per lesson with its done count, for `deno task lesson` without a number.
 *
 * @example
 * ```ts
 * import { listReport } from "@lib/course/report.ts";
 * // console.log(listReport([{ lesson, states }]).join("\n"));
 * ```
 */
export function listReport(entries: { lesson: Lesson; states: ExerciseState[] }[]): string[] {
  const out = [pc.bold("Birth of a Transformer: the lessons"), ""];
  const width = Math.max(...entries.map((e) => e.lesson.title.length));
  let total = 0;
  let done = 0;
  let next: Lesson | undefined;
  for (const { lesson, states } of entries) {
    const d = states.filter((s) => s.state === "passed").length;
    total += states.length;
    done += d;
    if (!next && d < states.length) next = lesson;
    const mark = d === states.length && d > 0
      ? pc.green("✔")
      : d > 0
      ? pc.yellow("◐")
      : pc.dim("·");
    out.push(
      `  ${mark} ${String(lesson.number).padStart(2)}  ${
        lesson.title.padEnd(width)
      }  ${d}/${states.length} done, ${states.length - d} pending`,
    );
  }
  out.push("", `Overall: ${progressBar(done, total)} ${done}/${total} exercises`);
  out.push(next ? `Next: \`deno task lesson ${next.number}\`` : pc.green("Every exercise passes."));
  return out;
}

/**
 * A text progress bar.
 *
 * @example
 * ```ts
 * import { progressBar } from "@lib/course/report.ts";
 * progressBar(1, 4, 8); // "[██░░░░░░]"
 * ```
 */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
}

/** The line of `export function NAME` for the first of `fns` found in the file. */
function findLine(
  root: string,
  file: string,
  fns: string[],
): { line: number; fn: string } | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(join(root, file));
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  for (const fn of fns) {
    const i = lines.findIndex((l) => new RegExp(`function\\s+${fn}\\b`).test(l));
    if (i >= 0) return { line: i + 1, fn };
  }
  return undefined;
}

const TEX: Record<string, string> = {
  "\\pi": "π",
  "\\beta": "β",
  "\\alpha": "α",
  "\\eta": "η",
  "\\cdot": "·",
  "\\mid": "|",
  "\\to": "→",
  "\\ge": "≥",
  "\\le": "≤",
  "\\approx": "≈",
  "\\sum": "Σ",
  "\\sqrt": "√",
  "\\top": "ᵀ",
  "\\log": "log",
  "\\mathbb{E}": "E",
};

/** Markdown and TeX made readable in a terminal: bold markers dropped, common symbols in Unicode. */
function plain(markdown: string): string {
  return markdown.replace(/\*\*([^*]+)\*\*/g, "$1").replace(/\$([^$]+)\$/g, (_, tex: string) => {
    let out = tex;
    for (const [k, v] of Object.entries(TEX)) out = out.replaceAll(k, v);
    return out.replace(/\\(left|right|,|;|!)/g, "").replace(/[{}]/g, "").replace(/\s+/g, " ")
      .trim();
  });
}

function indent(text: string, by: number): string {
  return text.split("\n").join("\n" + " ".repeat(by));
}
