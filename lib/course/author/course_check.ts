/**
 * `deno task test`: the course's own check, which must pass on a fresh clone.
 *
 * 1. The repository is clean: `deno fmt --check`, `deno lint`, `deno check`.
 * 2. Every exercise test passes against the reference `solutions/`.
 * 3. Every exercise test FAILS against stubs freshly generated from the solutions, so no test
 *    can pass vacuously (the learner's own `lessons/` are not used: their work does not matter).
 * 4. The committed stubs in `lessons/` are the generated ones (strict in CI; elsewhere a
 *    difference is taken to be the learner's work and only reported).
 * 5. The tests of `lib/` (including the CLI) and `site/` pass.
 *
 * It ends with one line `N passed, M failed` and exits 1 on any failure.
 *
 * @example
 * ```sh
 * deno task test              # everything
 * deno task test --lesson 1   # one lesson's exercise checks only
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { type Exercise, type Lesson, listLessons } from "@lib/course/lessons.ts";
import { type Outcome, runExerciseTests } from "@lib/course/run_tests.ts";
import { defaultTimeout, slowestTest } from "@lib/course/lesson_check.ts";
import { spawnTied, tempDir, tempPrefix } from "@lib/course/subprocess.ts";
import { generateStubs } from "@lib/course/author/stubs.ts";
import { readEnv } from "@lib/tf/mod.ts";

/**
 * The check that an exercise has its three hint tiers (a nudge, the concept, a near-solution)
 * in its lesson's `hints.md`.
 *
 * @example
 * ```ts
 * import { hintTiersResult } from "@lib/course/author/course_check.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * hintTiersResult(lesson, lesson.exercises[0]).ok; // false: no hints.md
 * ```
 */
export function hintTiersResult(lesson: Lesson, exercise: Exercise): CheckResult {
  const n = exercise.hints.length;
  return {
    group: "lessons",
    name: `exercise ${exercise.id} has three hint tiers`,
    ok: n >= 3,
    detail: n >= 3
      ? undefined
      : `${lesson.paths.hints} has ${n} under "## Exercise ${exercise.id}"`,
  };
}

/** One line of the final report. */
export interface CheckResult {
  /** The group it belongs to, e.g. "solutions" or "lib". */
  group: string;
  /** What was checked. */
  name: string;
  /** Whether the check passed. */
  ok: boolean;
  /** Why it failed. */
  detail?: string;
  /** True for a test that was ignored (it did not run): counted apart, and listed. */
  skipped?: boolean;
}

const USAGE = "Usage: deno task test [--lesson N] [--only exercises|lib|repo] [--record-times]";

/** Printed first: how long the whole check usually takes (measured, see the README). */
const USUALLY = "The course check usually takes about 4 minutes on two idle cores, and two to " +
  "three times that on a busy machine; it has no time limit that a slow machine could hit.";

/**
 * Runs the course check from `root`; returns the results (printing as it goes).
 *
 * @example
 * ```ts
 * import { runCheck } from "@lib/course/author/course_check.ts";
 * const results = await runCheck(".", { lesson: 1, only: "exercises" });
 * ```
 */
export async function runCheck(
  root: string,
  options: { lesson?: number; only?: "exercises" | "lib" | "repo"; recordTimes?: boolean } = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (r: CheckResult) => {
    results.push(r);
    if (!r.ok) {
      console.log(`  FAIL ${r.group}: ${r.name}${r.detail ? `\n       ${indent(r.detail)}` : ""}`);
    } else if (r.skipped) console.log(`  SKIP ${r.group}: ${r.name} (its own output says why)`);
  };
  const want = (part: "exercises" | "lib" | "repo") => !options.only || options.only === part;

  // The repository checks run beside the exercise tests (each is mostly one thread, so on two
  // cores they overlap well); their results are reported when both are done.
  let repo: Promise<CheckResult[]> | undefined;
  if (want("repo") && options.lesson === undefined) {
    console.log("Checking formatting, lint and types ...");
    repo = (async () => {
      const found: CheckResult[] = [];
      for (
        const [name, args] of [
          ["deno fmt --check", ["fmt", "--check"]],
          ["deno lint", ["lint"]],
          // --doc also type-checks every JSDoc example, so an example cannot rot.
          ["deno check --doc", ["check", "--doc", "."]],
        ] as const
      ) {
        const { code, output } = await run(root, [...args]);
        found.push({
          group: "repo",
          name,
          ok: code === 0,
          detail: code === 0 ? undefined : tail(output, 15),
        });
      }
      return found;
    })();
  }

  if (want("exercises")) {
    const lessons = (await listLessons(root)).filter(
      (l) => options.lesson === undefined || l.number === options.lesson,
    );
    if (options.lesson !== undefined && lessons.length === 0) {
      throw new Error(`There is no lesson ${options.lesson}.`);
    }
    const tests = [];
    for (const l of lessons) {
      if (await exists(join(root, l.paths.test))) tests.push(l.paths.test);
      else {report({
          group: "lessons",
          name: `${l.slug} has a test file`,
          ok: false,
          detail: `missing ${l.paths.test}`,
        });}
    }
    const scratch = await Deno.makeTempDir({
      dir: await tempDir(root),
      prefix: tempPrefix("pristine"),
    });
    try {
      await generateStubs(root, scratch);
      await checkStubsCommitted(root, scratch, lessons.map((l) => l.slug), report);
      console.log(
        `Running ${tests.length} lessons' tests against solutions/ and against fresh stubs ...`,
      );
      const [sol, stub] = await Promise.all([
        runExerciseTests({ root, tests, target: "solutions", ...NO_WALL_LIMIT }),
        // The stubs have the solutions' signatures: no second type-check.
        runExerciseTests({
          root,
          tests,
          target: { dir: scratch },
          typeCheck: false,
          ...NO_WALL_LIMIT,
        }),
      ]);
      await checkTestTimes(lessons, sol.outcomes, report, options.recordTimes ? root : undefined);
      if (sol.error) {
        report({ group: "solutions", name: "tests load", ok: false, detail: sol.error });
      }
      if (stub.error) report({ group: "stubs", name: "tests load", ok: false, detail: stub.error });
      for (const o of sol.outcomes) {
        report({ group: "solutions", name: `${o.file} › ${o.name}`, ok: o.ok, detail: o.message });
      }
      const byName = new Map(stub.outcomes.map((o) => [`${o.file} › ${o.name}`, o]));
      for (const o of sol.outcomes) {
        const key = `${o.file} › ${o.name}`;
        const s = byName.get(key);
        report({
          group: "stubs fail",
          name: key,
          ok: s !== undefined && !s.ok,
          detail: s === undefined
            ? "this test did not run against the stubs"
            : s.ok
            ? "this test PASSES against the untouched stub, so it cannot catch a missing implementation"
            : undefined,
        });
      }
      for (const l of lessons) {
        const count = sol.outcomes.filter((o) => o.file.includes(l.slug)).length;
        const ok = count > 0 || !tests.includes(l.paths.test);
        if (!ok) {
          report({ group: "lessons", name: `${l.slug} has tests`, ok, detail: "no test ran" });
        }
        for (const ex of l.exercises) {
          const n = sol.outcomes.filter((o) =>
            o.file.includes(l.slug) && ex.functions.includes(o.fn)
          ).length;
          report({
            group: "lessons",
            name: `exercise ${ex.id} has at least three tests`,
            ok: n >= 3,
            detail: n >= 3
              ? undefined
              : `found ${n} for ${ex.functions.join(", ") || "(no **Functions:** line)"}`,
          });
          report(hintTiersResult(l, ex));
        }
      }
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  }

  for (const r of await repo ?? []) report(r);

  if (want("lib") && options.lesson === undefined) {
    const dirs = [];
    for (const d of ["lib", "tests/lib", "site"]) if (await exists(join(root, d))) dirs.push(d);
    console.log(`Running the tests of ${dirs.join(", ")} ...`);
    // Types were checked above (deno check --doc) unless only the lib part runs.
    const lib = await runTapTests(root, dirs, !want("repo"));
    if (lib.error) report({ group: "lib", name: "tests load", ok: false, detail: lib.error });
    for (const o of lib.outcomes) {
      report({
        group: "lib",
        name: `${o.file} › ${o.name}`,
        ok: o.ok,
        detail: o.message,
        skipped: o.skipped,
      });
    }
  }
  return results;
}

async function checkStubsCommitted(
  root: string,
  scratch: string,
  slugs: string[],
  report: (r: CheckResult) => void,
): Promise<void> {
  const strict = readEnv("CI") !== undefined && readEnv("CI") !== "" && readEnv("CI") !== "false";
  for (const slug of slugs) {
    const rel = `lessons/${slug}/exercises.ts`;
    const [mine, fresh] = await Promise.all([
      Deno.readTextFile(join(root, rel)).catch(() => ""),
      Deno.readTextFile(join(scratch, slug, "exercises.ts")).catch(() => ""),
    ]);
    if (mine === fresh) {
      report({ group: "stubs", name: `${rel} is generated from its solution`, ok: true });
    } else if (strict) {
      report({
        group: "stubs",
        name: `${rel} is generated from its solution`,
        ok: false,
        detail: "the committed stub differs from the solution's: run `deno task stubs` and commit",
      });
    } else {
      console.log(
        `  note: ${rel} differs from its generated stub; taken to be your work (strict in CI).`,
      );
    }
  }
}

/**
 * Runs plain (non-exercise) tests with the TAP reporter and all permissions, with `@exercises/`
 * pointing at `solutions/`: a lib test that needs a lesson's code (the trainer's parts, a fast
 * path checked against the lesson's version) runs the reference.
 */
function runTapTests(root: string, paths: string[], typeCheck: boolean) {
  return runExerciseTests({
    root,
    tests: paths,
    target: "solutions",
    extraArgs: ["-A"],
    typeCheck,
    ...NO_WALL_LIMIT,
  });
}

/**
 * The course check has no wall-clock limit that a busy machine could hit: a test is stopped only
 * after 10 minutes of its own CPU time (Linux; elsewhere 10 minutes of wall time), or an hour
 * without any progress.
 */
const NO_WALL_LIMIT = { testTimeoutSeconds: 600, wallTimeoutSeconds: 3600 } as const;

/** How much slower than its recorded figure a reference test may get before the check fails. */
const TIMES_TOLERANCE = 5;

/**
 * Keeps `lib/course/test_times.json` (the source of each lesson's default `--timeout`) true:
 * fails when a lesson's slowest reference test used more than {@linkcode TIMES_TOLERANCE} times
 * its recorded CPU time, so that the default still leaves a wide margin. With `recordIn`, writes
 * the measured figures there instead.
 */
async function checkTestTimes(
  lessons: Lesson[],
  outcomes: Outcome[],
  report: (r: CheckResult) => void,
  recordIn?: string,
): Promise<void> {
  const measured: Record<string, number> = {};
  for (const l of lessons) {
    const times = outcomes.filter((o) => o.file.includes(l.slug) && o.seconds !== undefined)
      .map((o) => o.seconds!);
    if (times.length > 0) measured[l.slug] = Math.max(...times);
  }
  if (recordIn) {
    const path = join(recordIn, "lib", "course", "test_times.json");
    const file = JSON.parse(await Deno.readTextFile(path));
    for (const [slug, t] of Object.entries(measured)) {
      file.slowestCpuSeconds[slug] = Number(t.toPrecision(2));
    }
    await Deno.writeTextFile(path, JSON.stringify(file, null, 2) + "\n");
    console.log(`  recorded the slowest reference test of each lesson in ${path}`);
    return;
  }
  for (const l of lessons) {
    const t = measured[l.slug];
    if (t === undefined) continue;
    const recorded = slowestTest(l.slug);
    const name = `lesson ${l.number}'s slowest reference test is within its recorded time`;
    if (recorded === undefined) {
      console.log(
        `  note: ${l.slug} is not in lib/course/test_times.json (its default --timeout is ` +
          `60 s); \`deno task test --record-times\` adds it.`,
      );
      continue;
    }
    const ok = t <= TIMES_TOLERANCE * recorded;
    report({
      group: "lessons",
      name,
      ok,
      detail: ok ? undefined : `it took ${t.toFixed(2)} s of CPU, more than ${TIMES_TOLERANCE} ` +
        `times the ${recorded} s recorded in lib/course/test_times.json, from which the ` +
        `lesson's default --timeout (${defaultTimeout(l)} s) is derived. Make the test ` +
        `faster, or run \`deno task test --record-times\` and commit the file.`,
    });
  }
}

async function run(root: string, args: string[]): Promise<{ code: number; output: string }> {
  const out = await spawnTied(Deno.execPath(), args, {
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, output: out.stdout + out.stderr };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function tail(text: string, lines: number): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

function indent(text: string): string {
  return text.split("\n").join("\n       ");
}

/**
 * Summarises results per group and returns the closing line `N passed, M failed` (then
 * `, K skipped` when tests were ignored: they are not counted as passed).
 *
 * @example
 * ```ts
 * import { summary } from "@lib/course/author/course_check.ts";
 * summary([{ group: "lib", name: "x", ok: true }]); // ends with "1 passed, 0 failed"
 * ```
 */
export function summary(results: CheckResult[]): string {
  const groups = [...new Set(results.map((r) => r.group))];
  const lines = groups.map((g) => {
    const mine = results.filter((r) => r.group === g);
    const failed = mine.filter((r) => !r.ok).length;
    const skipped = mine.filter((r) => r.ok && r.skipped).length;
    const ran = mine.length - skipped;
    return `  ${g.padEnd(12)} ${ran - failed}/${ran} ok${skipped ? `, ${skipped} skipped` : ""}`;
  });
  const failed = results.filter((r) => !r.ok).length;
  const skipped = results.filter((r) => r.ok && r.skipped).length;
  const passed = results.length - failed - skipped;
  return [...lines, `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`]
    .join("\n");
}

if (import.meta.main) {
  let lesson: number | undefined;
  let only: "exercises" | "lib" | "repo" | undefined;
  let recordTimes = false;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        lesson: { type: "string" },
        only: { type: "string" },
        "record-times": { type: "boolean" },
      },
    });
    if (values.lesson !== undefined) {
      if (!/^\d+$/.test(values.lesson)) {
        throw new Error(`--lesson takes a number, got "${values.lesson}"`);
      }
      lesson = Number(values.lesson);
    }
    if (values.only !== undefined) {
      if (!["exercises", "lib", "repo"].includes(values.only)) {
        throw new Error(`--only takes exercises, lib or repo, got "${values.only}"`);
      }
      only = values.only as typeof only;
    }
    recordTimes = values["record-times"] === true;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  console.log(USUALLY);
  const started = performance.now();
  const root = resolve(new URL("../../..", import.meta.url).pathname);
  let results: CheckResult[];
  try {
    results = await runCheck(root, { lesson, only, recordTimes });
  } catch (e) {
    console.error((e as Error).message);
    console.log("0 passed, 1 failed");
    Deno.exit(1);
  }
  console.log(`\nCourse check finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(summary(results));
  Deno.exit(results.every((r) => r.ok) ? 0 : 1);
}
