/**
 * The text the lesson CLI prints: a lesson's goals and exercise states, the first failure in
 * plain words, the list of all lessons (from a check, or from the recorded progress with the
 * next thing to do), and lesson Markdown made readable in a terminal.
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
import type { Exercise, Lesson } from "@lib/course/lessons.ts";
import { type ExerciseState, nextOpen, waitingOn } from "@lib/course/status.ts";
import type { LessonProgress, Progress } from "@lib/course/progress.ts";

/** How the report was produced. */
export interface ReportContext {
  /** Which code was checked. */
  source: "lessons" | "solutions";
  /** The course root, to find line numbers in the exercise file. */
  root: string;
  /** The exercise to detail (default: the first that does not pass). */
  focus?: string;
  /** Printed in watch mode: say which keys to press instead of which commands to run. */
  watch?: boolean;
  /**
   * Every lesson of the course, to name the earlier exercise a failure waits for when a lesson
   * calls the learner's code from an earlier lesson (lesson 4 calls lessons 1 and 2).
   */
  lessons?: Lesson[];
  /**
   * Whether WebGPU can run here, for the exercises marked `**Needs:** WebGPU`: without it their
   * tests check only a fallback, and the report says so instead of a plain ✔.
   */
  webgpu?: { available: boolean; reason?: string };
  /** The recorded progress, to list what is still missing in a lesson this one waits for. */
  progress?: Progress;
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

/** Whether `exercise` needs WebGPU and the report was told it cannot run here. */
function lacksWebGPU(exercise: Exercise, ctx: ReportContext): boolean {
  return exercise.needs.includes("WebGPU") && ctx.webgpu?.available === false;
}

/** An earlier exercise that a failing test waits for: its function is still a stub. */
interface Waiting {
  /** The stub's function. */
  fn: string;
  /** Its lesson and exercise, when the course's lessons were given. */
  owner?: { lesson: Lesson; exercise: Exercise };
}

/**
 * When the first failure of `state` is another exercise's stub (a function of an earlier
 * lesson this one builds on), which one it is.
 */
function waitingFor(state: ExerciseState, lessons: Lesson[] | undefined): Waiting | undefined {
  const fn = waitingOn(state);
  if (!fn) return undefined;
  for (const lesson of lessons ?? []) {
    const exercise = lesson.exercises.find((e) => e.functions.includes(fn));
    if (exercise) return { fn, owner: { lesson, exercise } };
  }
  return { fn };
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
    const waits = s.state !== "passed" ? waitingFor(s, ctx.lessons) : undefined;
    const fallback = lacksWebGPU(ex, ctx) && s.state === "passed";
    const count = fallback
      ? pc.yellow(`${s.passed}/${s.total} tests, fallback only`)
      : waits
      ? pc.yellow(
        (s.passed > 0 ? `${s.passed}/${s.total} tests, ` : "") +
          `waits for ${waits.owner ? waits.owner.exercise.id : `\`${waits.fn}\``}`,
      )
      : s.state === "not started"
      ? pc.dim("not started")
      : s.state === "no tests"
      ? pc.yellow("no tests found")
      : `${s.passed}/${s.total} tests`;
    out.push(
      `  ${MARK[s.state]} ${ex.id.padEnd(4)} ${ex.title.padEnd(width)}  ${stars(ex.difficulty)}  ${
        String(ex.minutes).padStart(3)
      } min   ${count}`,
    );
  }
  const unchecked = states.filter((s) => lacksWebGPU(s.exercise, ctx)).map((s) => s.exercise.id);
  if (unchecked.length > 0) {
    out.push(
      "",
      pc.yellow(
        `No WebGPU here (${ctx.webgpu?.reason ?? "no adapter"}): the WGSL kernels of ` +
          `${unchecked.join(", ")} were NOT run. Their tests checked only what runs without ` +
          `WebGPU (the programs' layout, the tf.customGrad wiring), so a pass there is not the ` +
          `whole story. Install Mesa's Vulkan driver (Debian: mesa-vulkan-drivers) or use a GPU.`,
      ),
    );
  }
  const done = states.filter((s) => s.state === "passed").length;
  out.push("", `Progress: ${progressBar(done, states.length)} ${done}/${states.length} exercises`);
  const first = states.find((s) => s.exercise.id === ctx.focus) ?? nextOpen(states);
  const mine = ctx.source === "lessons";
  if (!first) {
    out.push(
      "",
      pc.green(pc.bold(`Lesson ${lesson.number} complete`)) +
        (unchecked.length > 0 ? pc.yellow(" (on the fallback path only, see above)") : "") +
        `. Run \`deno task demo ${lesson.number}\` to see it at work.`,
    );
    if (mine) {
      out.push(
        `\`deno task lesson ${lesson.number} --show-solution\` compares your code with the reference.`,
      );
    }
    return out;
  }
  const id = first.exercise.id;
  if (first.state === "passed") {
    out.push(
      "",
      pc.green(
        pc.bold(`Exercise ${id}, ${first.exercise.title}: passes all ${first.total} tests.`),
      ),
    );
    if (mine) {
      out.push(
        `  compare: \`deno task lesson ${lesson.number} --show-solution --exercise ${id}\``,
      );
    }
    return out;
  }
  out.push(
    "",
    pc.bold(`${ctx.focus ? "Exercise" : "Next: exercise"} ${id}, ${first.exercise.title}`),
  );
  const failure = first.firstFailure;
  const waits = waitingFor(first, ctx.lessons);
  if (failure && waits) {
    // The exercise calls the learner's code from an earlier lesson, still a stub there.
    const { owner } = waits;
    const from = owner
      ? ` from lesson ${owner.lesson.number} (exercise ${owner.exercise.id}, ${owner.exercise.title})`
      : "";
    out.push(`  test:   ${failure.name}`);
    out.push(
      `  waits:  ${
        indent(
          `This exercise calls your \`${waits.fn}\`${from}, which is not written yet: ` +
            `lesson ${lesson.number} builds on your own code from earlier lessons.` +
            (owner
              ? ` Finish exercise ${owner.exercise.id} first: \`deno task lesson ${owner.lesson.number}\` ` +
                `lists everything still missing there (${owner.exercise.id} may itself call ` +
                `earlier exercises)${missingIn(owner.lesson, ctx.progress)}.`
              : ""),
          10,
        )
      }`,
    );
    const ownerFile = owner
      ? (ctx.source === "lessons" ? owner.lesson.paths.exercises : owner.lesson.paths.solution)
      : file;
    const line = whereToLook(ctx.root, ownerFile, [waits.fn], failure);
    out.push(`  where:  ${ownerFile}${line ? `:${line.line} (function ${line.fn})` : ""}`);
    out.push(
      `  text:   ${
        owner ? `${owner.lesson.paths.readme}#${owner.exercise.anchor}` : lesson.paths.readme
      }`,
    );
    return out;
  }
  if (failure) {
    out.push(`  test:   ${failure.name}`);
    const label = failure.timedOut ? "stopped" : "problem";
    out.push(`  ${label}: ${indent(failure.message ?? "(no message)", 10)}`);
  }
  const line = whereToLook(ctx.root, file, first.exercise.functions, failure);
  out.push(`  where:  ${file}${line ? `:${line.line} (function ${line.fn})` : ""}`);
  out.push(`  text:   ${lesson.paths.readme}#${first.exercise.anchor}`);
  if (mine) {
    out.push(
      ctx.watch
        ? `  stuck?  press h for a hint.`
        : `  stuck?  \`deno task lesson ${lesson.number} --hint\` shows a hint.`,
    );
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

/** One lesson in {@linkcode progressReport}: its recorded progress and whether it is current. */
export interface ProgressEntry {
  /** The lesson. */
  lesson: Lesson;
  /** What `.course/progress.json` holds for it, if anything. */
  record?: LessonProgress;
  /** True when an exercise file changed after the recorded check. */
  stale: boolean;
  /** True when the learner's exercise file is still the untouched stub. */
  pristine: boolean;
}

/**
 * The overview of `deno task lesson` without a number, from the recorded progress (no test
 * runs): one line per lesson, a progress bar over all exercises, and the next thing to do.
 *
 * @example
 * ```ts
 * import { progressReport } from "@lib/course/report.ts";
 * // console.log(progressReport(entries, new Date()).join("\n"));
 * ```
 */
export function progressReport(entries: ProgressEntry[], now: Date): string[] {
  const out = [pc.bold("Birth of a Transformer: your progress"), ""];
  // A long title is cut at its first comma when that leaves enough, else with an ellipsis.
  const short = (t: string) => {
    if (t.length <= 54) return t;
    const head = t.split(",")[0];
    return head.length >= 20 ? head : `${t.slice(0, 53).trimEnd()}…`;
  };
  const width = Math.max(...entries.map((e) => short(e.lesson.title).length), 10);
  let total = 0;
  let done = 0;
  let next: string[] | undefined;
  let anyStale = false;
  for (const { lesson, record, stale, pristine } of entries) {
    const n = lesson.exercises.length;
    const stateOf = (id: string) =>
      record?.exercises[id]?.lastChecked
        ? record.exercises[id].state
        : pristine
        ? "not started"
        : undefined;
    const states = lesson.exercises.map((e) => stateOf(e.id));
    const d = states.filter((st) => st === "passed").length;
    const failing = states.filter((st) => st === "failing").length;
    const unknown = states.some((st) => st === undefined);
    total += n;
    done += d;
    anyStale ||= stale && !!record?.lastChecked;
    const mark = d === n && n > 0
      ? pc.green("✔")
      : unknown
      ? pc.yellow("?")
      : d > 0 || failing > 0
      ? pc.yellow("◐")
      : pc.dim("·");
    let what: string;
    if (unknown && !record?.lastChecked) what = "not checked yet";
    else if (d === 0 && failing === 0 && !unknown) what = "not started";
    else what = `${d}/${n} done` + (failing > 0 ? `, ${failing} failing` : "");
    const when = record?.lastChecked
      ? pc.dim(`checked ${ago(record.lastChecked, now)}${stale ? ", changed since" : ""}`)
      : "";
    out.push(
      `  ${mark} ${String(lesson.number).padStart(2)}  ${short(lesson.title).padEnd(width)}  ${
        what.padEnd(22)
      }${when}`.trimEnd(),
    );
    if (next || (d === n && n > 0 && !stale)) continue;
    if (unknown || stale) {
      next = [`Next: check lesson ${lesson.number}: \`deno task lesson ${lesson.number}\``];
      continue;
    }
    const ex = lesson.exercises.find((e) => stateOf(e.id) !== "passed")!;
    const seen = record?.exercises[ex.id]?.hintsSeen ?? 0;
    next = [
      pc.bold(`Next: exercise ${ex.id}, ${ex.title}`) +
      ` (${stars(ex.difficulty)}, ${ex.minutes} min) in ${lesson.paths.exercises}`,
      `  \`deno task lesson ${lesson.number} --watch\` rechecks it each time you save;` +
      ` \`--hint\` gives a hint` +
      (ex.hints.length > 0
        ? ` (${Math.min(seen, ex.hints.length)} of ${ex.hints.length} seen).`
        : "."),
    ];
  }
  out.push("", `Overall: ${progressBar(done, total)} ${done}/${total} exercises`);
  if (anyStale) {
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

function stars(difficulty: number): string {
  return "★".repeat(difficulty) + "☆".repeat(Math.max(0, 3 - difficulty));
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
 * Where the learner should look for a failure: the line their code threw at, when the message
 * names one in the exercise file (with the function around it); otherwise the function the
 * failing test checks (test names start with it); otherwise the exercise's first function.
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
  "\\lambda": "λ",
  "\\sigma": "σ",
  "\\Sigma": "Σ",
  "\\mu": "μ",
  "\\theta": "θ",
  "\\gamma": "γ",
  "\\delta": "δ",
  "\\epsilon": "ε",
  "\\varepsilon": "ε",
  "\\tau": "τ",
  "\\omega": "ω",
  "\\infty": "∞",
  "\\in": "∈",
  "\\times": "×",
  "\\neq": "≠",
  "\\propto": "∝",
  "\\odot": "⊙",
  "\\otimes": "⊗",
  "\\leftarrow": "←",
  "\\rightarrow": "→",
  "\\langle": "⟨",
  "\\rangle": "⟩",
};

/**
 * Markdown made readable in a terminal, line by line: code blocks indented and their fences
 * dropped, bold markers dropped, TeX (`$...$`, `$$...$$`) turned into Unicode where it can be.
 *
 * @example
 * ```ts
 * import { terminalMarkdown } from "@lib/course/report.ts";
 * const fence = "`".repeat(3);
 * terminalMarkdown(`**Sum** $\\pi_u$:\n${fence}ts\nconst s = 1;\n${fence}`);
 * // ["Sum π_u:", "    const s = 1;"]
 * ```
 */
export function terminalMarkdown(markdown: string): string[] {
  const out: string[] = [];
  let code = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) {
      code = !code;
      continue;
    }
    if (code) out.push("    " + line);
    else if (line.trim() === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    else out.push(plain(line));
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** Markdown and TeX made readable in a terminal: bold markers dropped, common symbols in Unicode. */
function plain(markdown: string): string {
  return markdown.replace(/\*\*([^*]+)\*\*/g, "$1").replace(
    /\$\$([^$]+)\$\$|\$([^$]+)\$/g,
    (_, display: string | undefined, inline: string | undefined) => {
      let out = display ?? inline ?? "";
      out = out.replace(/\\(?:left|right|[Bb]igg?)(?![a-zA-Z])|\\!/g, "")
        .replace(/\\sqrt\s*\{(\w+)\}|\\sqrt\s+(\w)/g, (_, a, b) => `√${a ?? b}`)
        .replace(/\\sqrt\s*\{([^{}]*)\}/g, "√($1)")
        .replace(/\\quad(?![a-zA-Z])|\\[,;]/g, " ");
      for (const [k, v] of Object.entries(TEX)) {
        const escaped = k.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
        out = out.replace(new RegExp(`${escaped}(?![a-zA-Z])`, "g"), v);
      }
      out = out
        .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)")
        .replace(/\\(?:operatorname|mathrm|mathbf|mathit|text|textrm)\{([^{}]*)\}/g, "$1")
        .replace(/\\(exp|log|ln|max|min|arg|sin|cos|tanh|det|dim|sup|inf)(?![a-zA-Z])/g, "$1");
      out = out
        .replace(/\^ᵀ/g, "ᵀ") // p^\top reads p^ᵀ: drop the caret
        .replace(/([_^])\{([^{}]{2,})\}/g, "$1($2)"); // p_{t-1} reads p_(t-1), not p_t-1
      return out.replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
    },
  );
}

function indent(text: string, by: number): string {
  return text.split("\n").join("\n" + " ".repeat(by));
}

/**
 * The line under a load error (a syntax or type error): the learner's file, or, when the error
 * is in another lesson's exercise file that this lesson imports, that file and why.
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
