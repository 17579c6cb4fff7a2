/**
 * The terminal views of a {@linkcode LessonStatus}: a lesson's report (goals, each exercise's
 * mark and counts, the next step in words), the overview of every lesson, and a one-line
 * summary. They only render what `status.ts` decided.
 *
 * @example
 * ```ts
 * import { lessonReport } from "@lib/course/report.ts";
 * import { lessonStatus } from "@lib/course/status.ts";
 * // lessonReport(lessonStatus({ lesson, states }), { source: "lessons", root: "." })
 * ```
 * @module
 */
import pc from "picocolors";
import { join } from "node:path";
import type { Lesson } from "@lib/course/lessons.ts";
import type { ExerciseStatus, Kind, LessonStatus } from "@lib/course/status.ts";
import type { Progress } from "@lib/course/progress.ts";
import { terminalMarkdown } from "@lib/course/terminal_text.ts";

/** How the report was produced. */
export interface ReportContext {
  /** Which code was checked. */
  source: "lessons" | "solutions";
  /** The course root, to find line numbers in the exercise file. */
  root: string;
  /** In watch mode: name keys to press, not commands to run. */
  watch?: boolean;
  /** The recorded progress, to list what is missing in a lesson this one waits for. */
  progress?: Progress;
  /**
   * The course site's address while it runs (`http://127.0.0.1:8000`, see `site_address.ts`):
   * `where:` then adds the link to the line in the site's source view.
   */
  site?: string;
}

const MARK: Record<Kind, string> = {
  "passed": pc.green("✔"),
  "fallback only": pc.green("✔"),
  "failing": pc.red("✘"),
  "not started": pc.dim("·"),
  "waits": pc.dim("·"),
  "no tests": pc.yellow("?"),
  "not checked": pc.yellow("?"),
};

/** The counts column of an exercise's line. */
function counts(s: ExerciseStatus): string {
  const tests = `${s.passed}/${s.total} tests`;
  switch (s.kind) {
    case "fallback only":
      return pc.yellow(`${tests}, fallback only`);
    case "waits":
      return pc.yellow(
        (s.passed > 0 ? `${tests}, ` : "") +
          `waits for ${s.waits!.exercise?.id ?? `\`${s.waits!.fn}\``}`,
      );
    case "not started":
    case "not checked":
      return pc.dim(s.kind);
    case "no tests":
      return pc.yellow("no tests found");
    default:
      return tests;
  }
}

/**
 * The full report of one lesson.
 *
 * @example
 * ```ts
 * import { lessonReport } from "@lib/course/report.ts";
 * // console.log(lessonReport(status, { source: "lessons", root: "." }).join("\n"));
 * ```
 */
export function lessonReport(status: LessonStatus, ctx: ReportContext): string[] {
  const { lesson, exercises } = status;
  const heading = `Lesson ${lesson.number} · ${lesson.title}`;
  const out = [pc.bold(heading), pc.dim("─".repeat(heading.length))];
  if (lesson.objectives.length > 0) out.push("Learning objectives:");
  for (const o of lesson.objectives) out.push(`  • ${terminalMarkdown(o).join(" ")}`);
  if (lesson.map) {
    out.push(
      `In the map (lessons/figures/induction_head.svg), this lesson builds ${
        terminalMarkdown(lesson.map).join(" ")
      }`,
    );
  }
  out.push(
    "",
    `Edit:    ${pc.cyan(lesson.paths.exercises)}`,
    `Read:    ${lesson.paths.readme}  (or \`deno task site\`)`,
    "",
    ctx.source === "lessons"
      ? "Exercises, checked against your code in lessons/:"
      : pc.yellow("Exercises, checked against the reference code in solutions/:"),
  );
  const width = Math.max(...exercises.map((s) => s.exercise.title.length), 10);
  for (const s of exercises) {
    const ex = s.exercise;
    const minutes = String(ex.minutes).padStart(3);
    out.push(
      `  ${MARK[s.kind]} ${ex.id.padEnd(4)} ${ex.title.padEnd(width)}  ${stars(ex.difficulty)}  ` +
        `${minutes} min   ${counts(s)}`,
    );
  }
  const unchecked = exercises.filter((s) => s.kind === "fallback only").map((s) => s.exercise.id);
  if (status.noWebGPU) {
    out.push(
      "",
      pc.yellow(
        `No WebGPU here (${status.noWebGPU}): the WGSL kernels of ` +
          `${unchecked.join(", ")} were NOT run. Their tests checked only what runs without ` +
          `WebGPU (the programs' layout, the tf.customGrad wiring), so a pass there is not the ` +
          `whole story. Install Mesa's Vulkan driver (Debian: mesa-vulkan-drivers) or use a GPU.`,
      ),
    );
  }
  out.push(
    "",
    `Progress: ${
      progressBar(status.done, exercises.length)
    } ${status.done}/${exercises.length} exercises`,
    "",
  );
  return [...out, ...nextSteps(status, ctx)];
}

/**
 * The lines under the progress bar: the one next action, in words (`test:`, `problem:`,
 * `where:`, `text:`, `stuck?`). The course site shows these same lines for each exercise.
 *
 * @example
 * ```ts
 * import { nextSteps } from "@lib/course/report.ts";
 * import { lessonStatus } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * nextSteps(lessonStatus({ lesson }), { source: "lessons", root: "." });
 * // ["Next: check lesson 9: `deno task lesson 9`"]
 * ```
 */
export function nextSteps(status: LessonStatus, ctx: ReportContext): string[] {
  const { lesson, next } = status;
  const mine = ctx.source === "lessons";
  const file = (l: Lesson) => mine ? l.paths.exercises : l.paths.solution;
  if (next === "check") {
    return [`Next: check lesson ${lesson.number}: \`deno task lesson ${lesson.number}\``];
  }
  if (next === "done") {
    return [
      pc.green(pc.bold(`Lesson ${lesson.number} complete`)) +
      (status.noWebGPU ? pc.yellow(" (on the fallback path only, see above)") : "") +
      `. Run \`deno task demo ${lesson.number}${mine ? "" : " --solutions"}\` to see it at work.`,
      ...(mine
        ? [
          `\`deno task lesson ${lesson.number} --show-solution\` compares your code with the reference.`,
        ]
        : []),
    ];
  }
  const { exercise: ex, failure, waits, total } = status.current!;
  if (next === "passes") {
    return [
      pc.green(pc.bold(`Exercise ${ex.id}, ${ex.title}: passes all ${total} tests.`)),
      ...(mine
        ? [`  compare: \`deno task lesson ${lesson.number} --show-solution --exercise ${ex.id}\``]
        : []),
    ];
  }
  const out = [pc.bold(`${status.focused ? "Exercise" : "Next: exercise"} ${ex.id}, ${ex.title}`)];
  if (failure) out.push(`  test:   ${failure.name}`);
  if (failure && waits) {
    // The exercise calls the learner's code from an earlier lesson, still a stub there.
    const owner = waits.lesson && waits.exercise;
    const from = owner
      ? ` from lesson ${waits.lesson!.number} (exercise ${owner.id}, ${owner.title})`
      : "";
    out.push(
      `  waits:  ${
        indent(
          `This exercise calls your \`${waits.fn}\`${from}, which is not written yet: ` +
            `lesson ${lesson.number} builds on your own code from earlier lessons.` +
            (owner
              ? ` Finish exercise ${owner.id} first: \`deno task lesson ${
                waits.lesson!.number
              }\` ` +
                `lists everything still missing there (${owner.id} may itself call ` +
                `earlier exercises)${missingIn(waits.lesson!, ctx.progress)}.`
              : ""),
          10,
        )
      }`,
    );
    const where = file(waits.lesson ?? lesson);
    out.push(...whereLines(ctx, where, whereToLook(ctx.root, where, [waits.fn], failure)));
    out.push(
      `  text:   ${
        waits.lesson ? `${waits.lesson.paths.readme}#${owner!.anchor}` : lesson.paths.readme
      }`,
    );
    return out;
  }
  if (failure) {
    out.push(
      `  ${failure.timedOut ? "stopped" : "problem"}: ${
        indent(failure.message ?? "(no message)", 10)
      }`,
    );
    if (failure.output?.length) out.push(`  output: ${indent(failure.output.join("\n"), 10)}`);
  }
  out.push(
    ...whereLines(ctx, file(lesson), whereToLook(ctx.root, file(lesson), ex.functions, failure)),
  );
  out.push(`  text:   ${lesson.paths.readme}#${ex.anchor}`);
  if (mine) {
    out.push(
      ctx.watch
        ? `  stuck?  press h for a hint.`
        : `  stuck?  \`deno task lesson ${lesson.number} --hint\` shows a hint.`,
    );
  }
  return out;
}

/** ", and at its last check 2.1, 2.4 did not pass": from the recorded progress, if any. */
function missingIn(lesson: Lesson, progress: Progress | undefined): string {
  const record = progress?.lessons[lesson.slug];
  if (!record?.lastChecked) return "";
  const open = lesson.exercises.filter((e) => record.exercises[e.id]?.state !== "passed");
  return open.length > 0
    ? `; at its last check, ${open.map((e) => e.id).join(", ")} did not pass yet`
    : "";
}

/**
 * The overview (`deno task lesson`): one line per lesson, a progress bar over all exercises,
 * and the next thing to do.
 *
 * @example
 * ```ts
 * import { overviewReport } from "@lib/course/report.ts";
 * // console.log(overviewReport(lessons.map((lesson) => lessonStatus({ lesson, record })), new Date()).join("\n"));
 * ```
 */
export function overviewReport(statuses: LessonStatus[], now: Date): string[] {
  const out = [pc.bold("Birth of a Transformer: your progress"), ""];
  // A long title is cut at its first comma when that leaves enough, else with an ellipsis.
  const short = (t: string) => {
    if (t.length <= 54) return t;
    const head = t.split(",")[0];
    return head.length >= 20 ? head : `${t.slice(0, 53).trimEnd()}…`;
  };
  const width = Math.max(...statuses.map((s) => short(s.lesson.title).length), 10);
  let next: string[] | undefined;
  for (const status of statuses) {
    const { lesson, exercises, done, failing } = status;
    const n = exercises.length;
    const unknown = exercises.some((s) => s.kind === "not checked");
    const mark = done === n && n > 0
      ? pc.green("✔")
      : unknown
      ? pc.yellow("?")
      : done > 0 || failing > 0
      ? pc.yellow("◐")
      : pc.dim("·");
    const what = unknown && !status.checked
      ? "not checked yet"
      : done === 0 && failing === 0 && !unknown
      ? "not started"
      : `${done}/${n} done` + (failing > 0 ? `, ${failing} failing` : "");
    const when = status.checked
      ? pc.dim(`checked ${ago(status.checked, now)}${status.changedSince ? ", changed since" : ""}`)
      : "";
    out.push(
      `  ${mark} ${String(lesson.number).padStart(2)}  ${short(lesson.title).padEnd(width)}  ${
        what.padEnd(22)
      }${when}`.trimEnd(),
    );
    if (next || status.next === "done" || status.next === "passes") continue;
    if (status.next === "check") {
      next = [`Next: check lesson ${lesson.number}: \`deno task lesson ${lesson.number}\``];
      continue;
    }
    const { exercise: ex, hintsSeen } = status.current!;
    next = [
      pc.bold(`Next: exercise ${ex.id}, ${ex.title}`) +
      ` (${stars(ex.difficulty)}, ${ex.minutes} min) in ${lesson.paths.exercises}`,
      `  \`deno task lesson ${lesson.number} --watch\` rechecks it each time you save;` +
      ` \`--hint\` gives a hint` +
      (ex.hints.length > 0
        ? ` (${Math.min(hintsSeen, ex.hints.length)} of ${ex.hints.length} seen).`
        : "."),
    ];
  }
  const total = statuses.reduce((sum, s) => sum + s.exercises.length, 0);
  const done = statuses.reduce((sum, s) => sum + s.done, 0);
  out.push("", `Overall: ${progressBar(done, total)} ${done}/${total} exercises`);
  if (statuses.some((s) => s.changedSince)) {
    out.push(
      pc.dim(
        'Lessons marked "changed since" were edited after their last check: ' +
          "`deno task lesson N` rechecks one, `deno task lesson --all` rechecks them all.",
      ),
    );
  }
  out.push(
    "",
    ...(next ?? [pc.green(pc.bold("Every exercise passes: you have done the course."))]),
  );
  return out;
}

/**
 * One line with each exercise's mark (when `--hint` or `--show-solution` ran the checks first).
 *
 * @example
 * ```ts
 * import { stateLine } from "@lib/course/report.ts";
 * // stateLine(status); // "Exercises: ✔ 1.1  ✘ 1.2  · 1.3"
 * ```
 */
export function stateLine(status: LessonStatus): string {
  return `Exercises: ${status.exercises.map((s) => `${MARK[s.kind]} ${s.exercise.id}`).join("  ")}`;
}

function stars(difficulty: number): string {
  return "★".repeat(difficulty) + "☆".repeat(Math.max(0, 3 - difficulty));
}

function indent(text: string, by: number): string {
  return text.split("\n").join("\n" + " ".repeat(by));
}

/** The `where:` line, and under it the line's address on the course site while it runs. */
function whereLines(
  ctx: ReportContext,
  file: string,
  place: { line: number; fn: string } | undefined,
): string[] {
  const out = [`  where:  ${file}${at(place)}`];
  if (ctx.site) out.push(`          ${ctx.site}/source/${file}${place ? `#L${place.line}` : ""}`);
  return out;
}

/** ":12 (function f)" for a place found in a file, else "". */
function at(place: { line: number; fn: string } | undefined): string {
  return place ? `:${place.line} (function ${place.fn})` : "";
}

/**
 * "just now", "5 min ago", "3 h ago", "2 days ago".
 *
 * @example
 * ```ts
 * import { ago } from "@lib/course/report.ts";
 * ago("2026-01-01T00:00:00Z", new Date("2026-01-01T00:05:00Z")); // "5 min ago"
 * ```
 */
export function ago(iso: string, now: Date): string {
  const s = Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86400);
  return `${days} day${days === 1 ? "" : "s"} ago`;
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

/**
 * Where to look for a failure: the line the code threw at (or a WGSL line that does not parse),
 * in its function; else the stub's line or the function the failing test checks; else the
 * exercise's first function.
 */
function whereToLook(
  root: string,
  file: string,
  fns: string[],
  failure: { fn: string; message?: string } | undefined,
): { line: number; fn: string } | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(join(root, file));
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  const declares = (l: string) => l.match(/^\s*(?:export\s+)?(?:async\s+)?function\s+(\w+)/)?.[1];
  /** Line `at` (1-based) with the function declared around it, if any. */
  const inFunction = (at: number) => {
    for (let i = Math.min(at, lines.length) - 1; i >= 0; i--) {
      const fn = declares(lines[i]);
      if (fn) return { line: at, fn };
    }
    return undefined;
  };
  // The line the learner's code threw at, when the message names it.
  const thrown = failure?.message?.match(/\(at ([^\s()]+):(\d+)(?::\d+)?\)/);
  const threw = thrown && thrown[1] === file ? inFunction(Number(thrown[2])) : undefined;
  if (threw) return threw;
  // A WGSL syntax error quotes the line that does not parse: find it in the file.
  const quoted = failure?.message?.match(/does not parse: .*? on the line `([^`]+)`/)?.[1];
  const at = quoted ? lines.findIndex((l) => l.includes(quoted)) : -1;
  const parsed = at >= 0 ? inFunction(at + 1) : undefined;
  if (parsed) return parsed;
  const tested = failure && fns.includes(failure.fn) ? [failure.fn] : [];
  const stub = failure?.message?.match(/^`(\w+)` is not implemented yet/)?.[1];
  for (const fn of stub ? [stub] : [...tested, ...fns]) {
    const i = lines.findIndex((l) => declares(l) === fn);
    // A stub: its `throw notImplemented(...)` line, the one to replace.
    const j = stub ? lines.findIndex((l, k) => k > i && l.includes(`notImplemented("${fn}")`)) : -1;
    if (i >= 0) return { line: (j >= 0 ? j : i) + 1, fn };
  }
  for (const fn of fns) {
    const i = lines.findIndex((l) => declares(l) === fn);
    if (i >= 0) return { line: i + 1, fn };
  }
  return undefined;
}

/**
 * The line printed before a lesson is checked when its exercises import other lessons' (lesson
 * 6 trains with lessons 1 and 5): whose code of which lessons runs too, and where it is.
 *
 * @example
 * ```ts
 * import { parseLesson } from "@lib/course/lessons.ts";
 * import { usesLine } from "@lib/course/report.ts";
 * const one = parseLesson("01_one", "# Lesson 1: One\n");
 * usesLine(parseLesson("02_two", "# Lesson 2: Two\n"), [one], "lessons");
 * // "Lesson 2's exercises also run your code of lesson 1 (lessons/01_one/exercises.ts)."
 * ```
 */
export function usesLine(lesson: Lesson, used: Lesson[], source: "lessons" | "solutions"): string {
  const numbers = used.map((l) => l.number);
  const names = numbers.length === 1
    ? `lesson ${numbers[0]}`
    : `lessons ${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;
  const files = used.map((l) => source === "lessons" ? l.paths.exercises : l.paths.solution);
  return `Lesson ${lesson.number}'s exercises also run ${
    source === "lessons" ? "your code" : "the reference code"
  } of ${names} (${files.join(", ")}).`;
}

/**
 * The line under a load error: the learner's file, or another lesson's file it imports, and why.
 *
 * @example
 * ```ts
 * import { parseLesson } from "@lib/course/lessons.ts";
 * import { loadErrorFile } from "@lib/course/report.ts";
 * const lesson = parseLesson("04_four", "# Lesson 4: Four\n");
 * loadErrorFile(lesson, "... at lessons/01_one/exercises.ts:3:5");
 * // "The error is in lessons/01_one/exercises.ts, which lesson 4 imports (your lesson 1 code)."
 * ```
 */
export function loadErrorFile(lesson: Lesson, message: string): string {
  const other = message.match(/\b(lessons\/(\d\d)_[a-z0-9_]+\/exercises\.ts):\d+/);
  if (other && other[1] !== lesson.paths.exercises) {
    return `The error is in ${other[1]}, which lesson ${lesson.number} imports ` +
      `(your lesson ${Number(other[2])} code).`;
  }
  return `Your file: ${lesson.paths.exercises}`;
}
