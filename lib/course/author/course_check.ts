/**
 * `deno task test`: the course's own check, which must pass on a fresh clone. The repository is
 * clean (`deno fmt --check`, `deno lint`, `deno check --doc`); every exercise test passes against
 * `solutions/` and FAILS against stubs freshly generated from them (no test passes vacuously);
 * the committed stubs are the generated ones (strict in CI; elsewhere a difference is the
 * learner's work, reported); the tests of `lib/` and `site/` pass. It ends with the line
 * `N passed, M failed` and exits 1 on any failure.
 *
 * @example
 * ```sh
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
export function hintTiersResult(lesson: Lesson, exercise: Exercise): CheckLine {
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

/** One line of the final report: a check of a group ("solutions", "lib", ...) and its result. */
export interface CheckLine {
  group: string;
  name: string;
  ok: boolean;
  /** Why it failed. */
  detail?: string;
  /** A test that was ignored (it did not run): counted apart, and listed. */
  skipped?: boolean;
}

type Part = "exercises" | "lib" | "repo";

const USAGE = "Usage: deno task test [--lesson N] [--only exercises|lib|repo] [--record-times]";

/** Printed first: how long the whole check usually takes (measured, see the README). */
const USUALLY =
  "The course check usually takes about 6 to 7 minutes on two idle cores, and two to " +
  "three times that on a busy machine; it has no time limit that a slow machine could hit.";

/**
 * No wall-clock limit a busy machine could hit: a test is stopped only after 10 minutes of its
 * own CPU time (Linux; elsewhere of wall time), or an hour without any progress.
 */
const NO_WALL_LIMIT = { testTimeoutSeconds: 600, wallTimeoutSeconds: 3600 } as const;

/** How much slower than its recorded figure a reference test may get before the check fails. */
const TIMES_TOLERANCE = 5;

/**
 * Runs the course check from `root`; returns the results (printing failures as it goes).
 *
 * @example
 * ```ts
 * import { runCheck } from "@lib/course/author/course_check.ts";
 * const results = await runCheck(".", { lesson: 1, only: "exercises" });
 * ```
 */
export async function runCheck(
  root: string,
  options: { lesson?: number; only?: Part; recordTimes?: boolean } = {},
): Promise<CheckLine[]> {
  const results: CheckLine[] = [];
  const report = (group: string, name: string, ok: boolean, detail?: string, skipped?: boolean) => {
    results.push({ group, name, ok, detail, skipped });
    if (!ok) console.log(`  FAIL ${group}: ${name}${detail ? `\n       ${indent(detail)}` : ""}`);
    else if (skipped) console.log(`  SKIP ${group}: ${name} (its own output says why)`);
  };
  const want = (part: Part) => !options.only || options.only === part;

  // The repository checks run beside the exercise tests (each is mostly one thread, so on two
  // cores they overlap well); their results are reported when both are done.
  let repo: Promise<CheckLine[]> | undefined;
  if (want("repo") && options.lesson === undefined) {
    console.log("Checking formatting, lint and types ...");
    repo = (async () => {
      const found: CheckLine[] = [];
      // --doc also type-checks every JSDoc example, so an example cannot rot.
      for (const args of [["fmt", "--check"], ["lint"], ["check", "--doc", "."]]) {
        const out = await spawnTied(Deno.execPath(), args, {
          cwd: root,
          env: { NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const tail = (out.stdout + out.stderr).trim().split("\n").slice(-15).join("\n");
        const name = `deno ${args.join(" ")}`.replace(" .", "");
        found.push({
          group: "repo",
          name,
          ok: out.code === 0,
          detail: out.code ? tail : undefined,
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
    const tests: string[] = [];
    for (const l of lessons) {
      const found = await Deno.stat(join(root, l.paths.test)).then(() => true, () => false);
      if (found) tests.push(l.paths.test);
      else report("lessons", `${l.slug} has a test file`, false, `missing ${l.paths.test}`);
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
      if (sol.error) report("solutions", "tests load", false, sol.error);
      if (stub.error) report("stubs", "tests load", false, stub.error);
      const key = (o: Outcome) => `${o.file} › ${o.name}`;
      for (const o of sol.outcomes) report("solutions", key(o), o.ok, o.message);
      const byName = new Map(stub.outcomes.map((o) => [key(o), o]));
      for (const o of sol.outcomes) {
        const s = byName.get(key(o));
        report(
          "stubs fail",
          key(o),
          s !== undefined && !s.ok,
          s === undefined
            ? "this test did not run against the stubs"
            : s.ok
            ? "this test PASSES against the untouched stub, so it cannot catch a missing implementation"
            : undefined,
        );
      }
      for (const l of lessons) {
        const mine = sol.outcomes.filter((o) => o.file.includes(l.slug));
        if (mine.length === 0 && tests.includes(l.paths.test)) {
          report("lessons", `${l.slug} has tests`, false, "no test ran");
        }
        for (const ex of l.exercises) {
          const n = mine.filter((o) => ex.functions.includes(o.fn)).length;
          const missing = `found ${n} for ${ex.functions.join(", ") || "(no **Functions:** line)"}`;
          report(
            "lessons",
            `exercise ${ex.id} has at least three tests`,
            n >= 3,
            n >= 3 ? undefined : missing,
          );
          const hints = hintTiersResult(l, ex);
          report(hints.group, hints.name, hints.ok, hints.detail);
        }
      }
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  }

  for (const r of await repo ?? []) report(r.group, r.name, r.ok, r.detail);

  if (want("lib") && options.lesson === undefined) {
    const dirs = [];
    for (const d of ["lib", "tests/lib", "site"]) {
      if (await Deno.stat(join(root, d)).then(() => true, () => false)) dirs.push(d);
    }
    console.log(`Running the tests of ${dirs.join(", ")} ...`);
    // Plain tests, all permissions, `@exercises/` pointing at solutions/ (a lib test that needs a
    // lesson's code runs the reference). Types were checked above unless only this part runs.
    const lib = await runExerciseTests({
      root,
      tests: dirs,
      target: "solutions",
      extraArgs: ["-A"],
      typeCheck: !want("repo"),
      ...NO_WALL_LIMIT,
    });
    if (lib.error) report("lib", "tests load", false, lib.error);
    for (const o of lib.outcomes) {
      report("lib", `${o.file} › ${o.name}`, o.ok, o.message, o.skipped);
    }
  }
  return results;
}

type Report = (group: string, name: string, ok: boolean, detail?: string) => void;

async function checkStubsCommitted(root: string, scratch: string, slugs: string[], report: Report) {
  const ci = readEnv("CI");
  const strict = ci !== undefined && ci !== "" && ci !== "false";
  for (const slug of slugs) {
    const rel = `lessons/${slug}/exercises.ts`;
    const [mine, fresh] = await Promise.all([
      Deno.readTextFile(join(root, rel)).catch(() => ""),
      Deno.readTextFile(join(scratch, slug, "exercises.ts")).catch(() => ""),
    ]);
    const name = `${rel} is generated from its solution`;
    if (mine === fresh) report("stubs", name, true);
    else if (strict) {
      report(
        "stubs",
        name,
        false,
        "the committed stub differs from the solution's: run `deno task stubs` and commit",
      );
    } else {
      console.log(
        `  note: ${rel} differs from its generated stub; taken to be your work (strict in CI).`,
      );
    }
  }
}

/**
 * Keeps `lib/course/test_times.json` (the source of each lesson's default `--timeout`) true:
 * fails when a lesson's slowest reference test used more than {@linkcode TIMES_TOLERANCE} times
 * its recorded CPU time. With `recordIn`, writes the measured figures there instead.
 */
async function checkTestTimes(
  lessons: Lesson[],
  outcomes: Outcome[],
  report: Report,
  recordIn?: string,
): Promise<void> {
  const measured: Record<string, number> = {};
  for (const l of lessons) {
    const times = outcomes.flatMap((o) =>
      o.file.includes(l.slug) && o.seconds !== undefined ? [o.seconds] : []
    );
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
    const recorded = slowestTest(l.slug);
    if (t === undefined) continue;
    if (recorded === undefined) {
      console.log(
        `  note: ${l.slug} is not in lib/course/test_times.json (its default --timeout is ` +
          `60 s); \`deno task test --record-times\` adds it.`,
      );
      continue;
    }
    const ok = t <= TIMES_TOLERANCE * recorded;
    report(
      "lessons",
      `lesson ${l.number}'s slowest reference test is within its recorded time`,
      ok,
      ok ? undefined : `it took ${t.toFixed(2)} s of CPU, more than ${TIMES_TOLERANCE} ` +
        `times the ${recorded} s recorded in lib/course/test_times.json, from which the ` +
        `lesson's default --timeout (${defaultTimeout(l)} s) is derived. Make the test ` +
        `faster, or run \`deno task test --record-times\` and commit the file.`,
    );
  }
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
export function summary(results: CheckLine[]): string {
  const count = (rs: CheckLine[]) => {
    const failed = rs.filter((r) => !r.ok).length;
    const skipped = rs.filter((r) => r.ok && r.skipped).length;
    return { failed, skipped, passed: rs.length - failed - skipped };
  };
  const lines = [...new Set(results.map((r) => r.group))].map((g) => {
    const { failed, skipped, passed } = count(results.filter((r) => r.group === g));
    return `  ${g.padEnd(12)} ${passed}/${passed + failed} ok${
      skipped ? `, ${skipped} skipped` : ""
    }`;
  });
  const { failed, skipped, passed } = count(results);
  return [...lines, `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`]
    .join("\n");
}

if (import.meta.main) {
  let options;
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        lesson: { type: "string" },
        only: { type: "string" },
        "record-times": { type: "boolean" },
      },
    });
    if (values.lesson !== undefined && !/^\d+$/.test(values.lesson)) {
      throw new Error(`--lesson takes a number, got "${values.lesson}"`);
    }
    if (values.only !== undefined && !["exercises", "lib", "repo"].includes(values.only)) {
      throw new Error(`--only takes exercises, lib or repo, got "${values.only}"`);
    }
    options = {
      lesson: values.lesson === undefined ? undefined : Number(values.lesson),
      only: values.only as Part | undefined,
      recordTimes: values["record-times"] === true,
    };
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  console.log(USUALLY);
  const started = performance.now();
  const root = resolve(new URL("../../..", import.meta.url).pathname);
  let results: CheckLine[];
  try {
    results = await runCheck(root, options);
  } catch (e) {
    console.error((e as Error).message);
    console.log("0 passed, 1 failed");
    Deno.exit(1);
  }
  console.log(`\nCourse check finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(summary(results));
  Deno.exit(results.every((r) => r.ok) ? 0 : 1);
}
