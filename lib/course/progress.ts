/**
 * The learner's progress, `.course/progress.json`: per lesson (by folder) and exercise (by id),
 * its state at the last check (`passed`, `failing`, `not started`: only the stub's error, `no
 * tests`), the tests passed of those run, when it was checked (absent: hints read before any
 * check), the hint tiers shown (`hintsSeen: 2`: tiers 1 and 2) and whether the reference was
 * shown. Human-readable JSON, written atomically under a lock. A damaged or hand-edited file is
 * never crashed on: {@linkcode loadProgress} keeps the bad copy, keeps every valid entry and says
 * so; {@linkcode readProgress} (for readers such as the site) returns what is valid. An
 * exercise that did not pass also keeps `failure`, its first failing test as the terminal
 * showed it (`name`, `fn`, `file`, `message`, `output`), for the site.
 *
 * @example
 * ```ts
 * import { readProgress } from "@lib/course/progress.ts";
 * const progress = await readProgress(".");
 * const lesson1 = progress.lessons["01_bigram_data"];
 * const done = Object.values(lesson1?.exercises ?? {}).filter((e) => e.state === "passed").length;
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { type Exercise, type Lesson, LESSON_SLUG } from "@lib/course/lessons.ts";
import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";
import { stamp } from "@lib/course/reset.ts";

/** Where the progress file lives, relative to the course root. */
export const PROGRESS_PATH = ".course/progress.json";
const LOCK_PATH = ".course/progress.lock";

/** Where an exercise stood at its last check (`status.ts` tells these apart further). */
export type State = "passed" | "failing" | "not started" | "no tests";

const STATES: readonly State[] = ["passed", "failing", "not started", "no tests"];

/** One exercise's record. */
export interface ExerciseProgress {
  /** Its title when it was last recorded. */
  title: string;
  state: State;
  /** Tests that passed at the last check. */
  passed: number;
  /** Tests that ran at the last check. */
  total: number;
  /** When it was last checked (ISO 8601); absent if never. */
  lastChecked?: string;
  /** Hint tiers shown so far: tiers 1 to `hintsSeen`. */
  hintsSeen: number;
  solutionShown: boolean;
  /**
   * The first failing test at the last check, when it did not pass: what the terminal showed
   * (the site shows it too, see `status.ts`). Absent when it passed or was never checked.
   */
  failure?: RecordedFailure;
}

/** A failing test as recorded: the fields of an `Outcome` that the report shows. */
export interface RecordedFailure {
  /** The full test name. */
  name: string;
  /** The function the test checks. */
  fn: string;
  /** The test file, relative to the root. */
  file: string;
  /** The message (at most {@linkcode FAILURE_MESSAGE_LIMIT} characters). */
  message?: string;
  /** True when the test was stopped because it ran too long. */
  timedOut?: boolean;
  /** What the code printed during the test (its first lines). */
  output?: string[];
}

/** The longest failure message kept in the file (a longer one is cut, with "…"). */
export const FAILURE_MESSAGE_LIMIT = 4000;

/** One lesson's record. */
export interface LessonProgress {
  number: number;
  title: string;
  /** When its checks last ran (ISO 8601); absent if never. */
  lastChecked?: string;
  /** Its exercises, by id ("1.2"). */
  exercises: Record<string, ExerciseProgress>;
}

/** The whole file (version 1). */
export interface Progress {
  version: number;
  /** When the file was last written (ISO 8601). */
  updated: string;
  /** The lessons, by folder name (`01_bigram_data`). */
  lessons: Record<string, LessonProgress>;
}

/** The progress read, and when the file was damaged (or cannot be written) what to say. */
type LoadedProgress = { progress: Progress; notice?: string };

/**
 * An empty progress record.
 *
 * @example
 * ```ts
 * import { emptyProgress } from "@lib/course/progress.ts";
 * emptyProgress().lessons; // {}
 * ```
 */
export function emptyProgress(now = new Date()): Progress {
  return { version: 1, updated: now.toISOString(), lessons: {} };
}

/**
 * Parses the file's text, keeping every valid entry and listing what was wrong.
 *
 * @example
 * ```ts
 * import { parseProgress } from "@lib/course/progress.ts";
 * parseProgress("not json").problems.length; // 1
 * ```
 */
export function parseProgress(text: string): { progress: Progress; problems: string[] } {
  const problems: string[] = [];
  const progress = emptyProgress();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { progress, problems: [`it is not valid JSON (${(e as Error).message})`] };
  }
  if (!isRecord(data)) return { progress, problems: ["it does not hold a JSON object"] };
  if (data.version !== 1) {
    return { progress, problems: [`its version is ${JSON.stringify(data.version)}, not 1`] };
  }
  if (typeof data.updated === "string") progress.updated = data.updated;
  if (!isRecord(data.lessons)) return { progress, problems: ['its "lessons" is not an object'] };
  for (const [slug, raw] of Object.entries(data.lessons)) {
    const lesson = parseLessonProgress(slug, raw, problems);
    if (lesson) progress.lessons[slug] = lesson;
  }
  return { progress, problems };
}

function parseLessonProgress(
  slug: string,
  raw: unknown,
  problems: string[],
): LessonProgress | undefined {
  if (
    !LESSON_SLUG.test(slug) || !isRecord(raw) || !isRecord(raw.exercises) ||
    !isCount(raw.number) || typeof raw.title !== "string" || !isTime(raw.lastChecked)
  ) {
    problems.push(`lesson entry "${slug}" is malformed`);
    return undefined;
  }
  const { number, title, lastChecked } = raw;
  const lesson = { number, title, lastChecked, exercises: {} } as LessonProgress;
  for (const [id, ex] of Object.entries(raw.exercises)) {
    const ok = /^\d+\.\d+$/.test(id) && isRecord(ex) && typeof ex.title === "string" &&
      STATES.includes(ex.state as State) && isCount(ex.passed) && isCount(ex.total) &&
      ex.passed <= ex.total && isCount(ex.hintsSeen) && typeof ex.solutionShown === "boolean" &&
      isTime(ex.lastChecked);
    if (!ok) {
      problems.push(`exercise entry "${slug}" › "${id}" is malformed`);
      continue;
    }
    const { title, state, passed, total, lastChecked, hintsSeen, solutionShown } = ex;
    lesson.exercises[id] = {
      title,
      state,
      passed,
      total,
      lastChecked,
      hintsSeen,
      solutionShown,
    } as ExerciseProgress;
    // A failure that is not the shape written here is only not shown: the entry stays valid.
    const failure = parseFailure(ex.failure);
    if (failure) lesson.exercises[id].failure = failure;
  }
  return lesson;
}

/**
 * Reads the progress file for display: every valid entry (an empty record when there is none);
 * never writes or throws. The CLI uses {@linkcode loadProgress}, which also repairs the file.
 *
 * @example
 * ```ts
 * import { readProgress } from "@lib/course/progress.ts";
 * const { lessons } = await readProgress(".");
 * console.log(Object.keys(lessons)); // e.g. ["01_bigram_data"]
 * ```
 */
export async function readProgress(root: string): Promise<Progress> {
  try {
    return parseProgress(await Deno.readTextFile(join(root, PROGRESS_PATH))).progress;
  } catch {
    return emptyProgress();
  }
}

/**
 * Reads the progress file; when it is damaged, keeps a copy of the bad file, rewrites it with
 * the entries that are still valid and returns a notice that says so.
 *
 * @example
 * ```ts
 * import { loadProgress } from "@lib/course/progress.ts";
 * const { progress, notice } = await loadProgress(".");
 * if (notice) console.error(notice);
 * ```
 */
export async function loadProgress(root: string, now = new Date()): Promise<LoadedProgress> {
  const path = join(root, PROGRESS_PATH);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { progress: emptyProgress(now) };
    return {
      progress: emptyProgress(now),
      notice: `Your progress file ${PROGRESS_PATH} could not be read (${(e as Error).message}); ` +
        `progress is not remembered in this run.`,
    };
  }
  const { progress, problems } = parseProgress(text);
  if (problems.length === 0) return { progress };
  const kept = await keepBadCopy(root, text, now);
  await saveProgress(root, progress, now);
  const shown = problems.slice(0, 3).join("; ") + (problems.length > 3 ? "; ..." : "");
  const count = Object.keys(progress.lessons).length;
  return {
    progress,
    notice: `Your progress file ${PROGRESS_PATH} was damaged or edited by hand: ${shown}. ` +
      `The bad copy is kept as ${kept}, and the file was rebuilt ` +
      (count > 0 ? `from what was still valid. ` : `empty. `) +
      `Your exercises are untouched; the next checks record their state again.`,
  };
}

/**
 * Writes the progress file atomically (stamping `updated`).
 *
 * @example
 * ```ts
 * import { emptyProgress, saveProgress } from "@lib/course/progress.ts";
 * await saveProgress(".", emptyProgress());
 * ```
 */
export async function saveProgress(
  root: string,
  progress: Progress,
  now = new Date(),
): Promise<void> {
  progress.updated = now.toISOString();
  await writeTextFileAtomic(join(root, PROGRESS_PATH), JSON.stringify(progress, null, 2) + "\n");
}

/**
 * Loads the file, applies `change`, and writes it back, holding an exclusive lock
 * (`.course/progress.lock`, the system's `flock`: released even when killed) from the read to
 * the write, so that two commands at once (watch mode and `--hint`) never lose a record.
 *
 * @example
 * ```ts
 * import { recordHintSeen, updateProgress } from "@lib/course/progress.ts";
 * // await updateProgress(".", (p) => recordHintSeen(p, lesson, "1.2", 1));
 * ```
 */
export async function updateProgress(
  root: string,
  change: (progress: Progress) => void,
  now = new Date(),
): Promise<LoadedProgress> {
  const lockPath = join(root, LOCK_PATH);
  let lock: Deno.FsFile | undefined;
  try {
    await Deno.mkdir(dirname(lockPath), { recursive: true });
    lock = await Deno.open(lockPath, { read: true, write: true, create: true });
    await lock.lock(true);
  } catch {
    // A read-only or odd file system: go on unlocked rather than lose the learner's run.
    lock?.close();
    lock = undefined;
  }
  try {
    const loaded = await loadProgress(root, now);
    change(loaded.progress);
    try {
      await saveProgress(root, loaded.progress, now);
    } catch (error) {
      // A progress file that cannot be written (a folder in its place, a read-only disk) must
      // not cost the learner the result of the check that just ran: say so and go on.
      const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
      const unsaved = `Your progress could not be saved to ${PROGRESS_PATH} (${why}): this ` +
        `result is shown but not remembered. Remove or fix that path to keep your progress.`;
      return { ...loaded, notice: loaded.notice ? `${loaded.notice}\n${unsaved}` : unsaved };
    }
    return loaded;
  } finally {
    lock?.close(); // closing the file releases the lock
  }
}

/**
 * Records the outcome of a check of `lesson` (its exercises' states, and the first failure of
 * each exercise that does not pass) at time `now`.
 *
 * @example
 * ```ts
 * import { emptyProgress, recordStates } from "@lib/course/progress.ts";
 * // recordStates(progress, lesson, exerciseStates(lesson, run.outcomes));
 * ```
 */
export function recordStates(
  progress: Progress,
  lesson: Lesson,
  states: {
    exercise: Exercise;
    state: State;
    passed: number;
    total: number;
    firstFailure?: RecordedFailure;
  }[],
  now = new Date(),
): void {
  const entry = lessonEntry(progress, lesson);
  entry.lastChecked = now.toISOString();
  for (const s of states) {
    const ex = exerciseEntry(progress, lesson, s.exercise.id);
    ex.state = s.state;
    ex.passed = s.passed;
    ex.total = s.total;
    ex.lastChecked = entry.lastChecked;
    if (s.firstFailure && s.state !== "passed") ex.failure = recordedFailure(s.firstFailure);
    else delete ex.failure;
  }
}

/**
 * Records that hint tier `tier` (1-based) of an exercise was shown (the highest is kept).
 *
 * @example
 * ```ts
 * import { recordHintSeen } from "@lib/course/progress.ts";
 * // recordHintSeen(progress, lesson, "1.2", 2);
 * ```
 */
export function recordHintSeen(progress: Progress, lesson: Lesson, id: string, tier: number): void {
  const ex = exerciseEntry(progress, lesson, id);
  ex.hintsSeen = Math.max(ex.hintsSeen, tier);
}

/**
 * Records that the reference solution of an exercise was shown.
 *
 * @example
 * ```ts
 * import { recordSolutionShown } from "@lib/course/progress.ts";
 * // recordSolutionShown(progress, lesson, "1.2");
 * ```
 */
export function recordSolutionShown(progress: Progress, lesson: Lesson, id: string): void {
  exerciseEntry(progress, lesson, id).solutionShown = true;
}

/**
 * How many hint tiers of an exercise were shown (0 when none, or never recorded).
 *
 * @example
 * ```ts
 * import { emptyProgress, hintsSeen } from "@lib/course/progress.ts";
 * hintsSeen(emptyProgress(), "01_bigram_data", "1.1"); // 0
 * ```
 */
export function hintsSeen(progress: Progress, slug: string, id: string): number {
  return progress.lessons[slug]?.exercises[id]?.hintsSeen ?? 0;
}

/** Saves the damaged file's text beside it, under a dated name never used before. */
async function keepBadCopy(root: string, text: string, now: Date): Promise<string> {
  for (let n = 1;; n++) {
    const kept = `.course/progress.corrupt-${stamp(now)}${n > 1 ? `-${n}` : ""}.json`;
    try {
      await Deno.writeTextFile(join(root, kept), text, { createNew: true });
      return kept;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
}

function lessonEntry(progress: Progress, lesson: Lesson): LessonProgress {
  const entry = progress.lessons[lesson.slug] ??= {
    number: lesson.number,
    title: lesson.title,
    lastChecked: undefined, // keeps the key's place in the file once it is set
    exercises: {},
  };
  entry.number = lesson.number;
  entry.title = lesson.title;
  return entry;
}

function exerciseEntry(progress: Progress, lesson: Lesson, id: string): ExerciseProgress {
  const entry = lessonEntry(progress, lesson);
  const title = lesson.exercises.find((e) => e.id === id)?.title ?? id;
  const ex = entry.exercises[id] ??= {
    title,
    state: "not started",
    passed: 0,
    total: 0,
    lastChecked: undefined, // keeps the key's place in the file once it is set
    hintsSeen: 0,
    solutionShown: false,
  };
  ex.title = title;
  return ex;
}

function parseFailure(v: unknown): RecordedFailure | undefined {
  if (!isRecord(v) || typeof v.name !== "string" || typeof v.fn !== "string") return undefined;
  if (typeof v.file !== "string") return undefined;
  const output = Array.isArray(v.output) && v.output.every((l) => typeof l === "string")
    ? v.output as string[]
    : undefined;
  return recordedFailure({
    name: v.name,
    fn: v.fn,
    file: v.file,
    message: typeof v.message === "string" ? v.message : undefined,
    timedOut: v.timedOut === true || undefined,
    output,
  });
}

/** The fields of a failing test that are recorded, the message cut to its limit. */
function recordedFailure(f: RecordedFailure): RecordedFailure {
  const message = f.message !== undefined && f.message.length > FAILURE_MESSAGE_LIMIT
    ? `${f.message.slice(0, FAILURE_MESSAGE_LIMIT - 1)}…`
    : f.message;
  const out: RecordedFailure = { name: f.name, fn: f.fn, file: f.file };
  if (message !== undefined) out.message = message;
  if (f.timedOut) out.timedOut = true;
  if (f.output?.length) out.output = f.output.slice(0, 20);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function isTime(v: unknown): boolean {
  return v === undefined || (typeof v === "string" && !Number.isNaN(Date.parse(v)));
}
