/**
 * Whose code a tool runs: the reference (`solutions/`) or the learner's (`lessons/`). A tool that
 * runs taught code (`deno task train`, `deno task bench`) imports it through `@exercises/`, and
 * the import map the process starts with decides which copy that is, exactly as for the tests
 * and the demos (`lib/course/run_tests.ts` writes the map). `deno.json` points `@exercises/` at
 * `lessons/`; {@linkcode runWithSource} starts the tool again with a map pointing at the copy
 * asked for when the running one is not it.
 *
 * @example
 * ```ts
 * import { describeSource, sourceFromArgs } from "@lib/code_source/mod.ts";
 * const { source, rest } = sourceFromArgs(["--mine", "--steps", "20"], "solutions");
 * describeSource(source); // "your code (lessons/)"
 * rest; // ["--steps", "20"]
 * ```
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { readEnv } from "@lib/tf/mod.ts";
import { writeImportMap } from "@lib/course/run_tests.ts";

/** The copy of the exercises a tool runs. */
export type CodeSource = "solutions" | "lessons";

/** The flag that asks for the learner's code, and the one that asks for the reference. */
export const SOURCE_FLAGS = { lessons: "--mine", solutions: "--solutions" } as const;

/** The environment variable that carries the map of a restarted tool to its own children. */
export const IMPORT_MAP_ENV = "COURSE_IMPORT_MAP";

const ROOT = fromFileUrl(new URL("../..", import.meta.url));

/**
 * Takes `--mine` (the learner's code) and `--solutions` (the reference) out of `args`.
 *
 * @example
 * ```ts
 * import { sourceFromArgs } from "@lib/code_source/mod.ts";
 * sourceFromArgs(["--preset", "tiny"], "solutions").source; // "solutions"
 * ```
 */
export function sourceFromArgs(
  args: string[],
  fallback: CodeSource,
): { source: CodeSource; rest: string[] } {
  const mine = args.includes(SOURCE_FLAGS.lessons);
  const reference = args.includes(SOURCE_FLAGS.solutions);
  if (mine && reference) throw new Error("--mine and --solutions cannot go together: pick one");
  const source = mine ? "lessons" : reference ? "solutions" : fallback;
  const rest = args.filter((a) => a !== SOURCE_FLAGS.lessons && a !== SOURCE_FLAGS.solutions);
  return { source, rest };
}

/**
 * The copy `@exercises/` resolves to in this process: `solutions`, `lessons`, or `undefined` for
 * another folder (the course check's generated stubs).
 *
 * @example
 * ```ts
 * import { sourceInUse } from "@lib/code_source/mod.ts";
 * sourceInUse(); // "lessons" under deno.json's own map
 * ```
 */
export function sourceInUse(): CodeSource | undefined {
  const dir = exercisesDir();
  for (const source of ["solutions", "lessons"] as const) {
    if (dir === new URL(`../../${source}/`, import.meta.url).href) return source;
  }
  return undefined;
}

/**
 * One line saying whose code runs, for a tool's first line of output.
 *
 * @example
 * ```ts
 * import { describeSource } from "@lib/code_source/mod.ts";
 * describeSource("solutions"); // "the reference code (solutions/)"
 * ```
 */
export function describeSource(source: CodeSource | undefined): string {
  if (source === "solutions") return "the reference code (solutions/)";
  if (source === "lessons") return "your code (lessons/)";
  const dir = exercisesDir();
  return dir ? `the code in ${dir}` : "the code it was bundled with";
}

/** Where `@exercises/` resolves; undefined in a bundle run without an import map. */
function exercisesDir(): string | undefined {
  try {
    return import.meta.resolve("@exercises/");
  } catch {
    return undefined;
  }
}

/**
 * The line a tool prints first: whose code runs, and how to run the other.
 *
 * @example
 * ```ts
 * import { sourceLine } from "@lib/code_source/mod.ts";
 * sourceLine("solutions"); // "Code: the reference code (solutions/) · --mine runs your code (lessons/)"
 * ```
 */
export function sourceLine(source: CodeSource | undefined = sourceInUse()): string {
  const other = source === "lessons"
    ? `${SOURCE_FLAGS.solutions} runs ${describeSource("solutions")}`
    : `${SOURCE_FLAGS.lessons} runs ${describeSource("lessons")}`;
  return `Code: ${describeSource(source)} · ${other}`;
}

/**
 * Makes the process run `source`'s code: returns `undefined` when `@exercises/` already resolves
 * there (go on in this process), else starts `deno run -A --import-map=MAP entry ...args` with a
 * map pointing at `source`, waits, and returns its exit code. The child finds the map's path in
 * `COURSE_IMPORT_MAP` (for processes of its own).
 *
 * @example
 * ```ts
 * import { runWithSource } from "@lib/code_source/mod.ts";
 * // const code = await runWithSource("solutions", import.meta.url, Deno.args);
 * // if (code !== undefined) Deno.exit(code);
 * ```
 */
export async function runWithSource(
  source: CodeSource,
  entry: string | URL,
  args: string[],
): Promise<number | undefined> {
  if (sourceInUse() === source) return undefined;
  if (readEnv(IMPORT_MAP_ENV)) {
    throw new Error(`started with ${readEnv(IMPORT_MAP_ENV)}, @exercises/ is still not ${source}/`);
  }
  return await runEntry(ROOT, source, fromFileUrl(entry), args);
}

/**
 * Runs `deno run -A [--import-map=MAP] entry ...args` with `@exercises/` pointing at `source`
 * (a map written under `root/.course/` for the reference; `deno.json`'s own for the learner's),
 * stdio inherited, and returns its exit code. SIGINT and SIGTERM sent to this process are passed on
 * to the child, which this process waits for. The child finds the map in `COURSE_IMPORT_MAP` and
 * the source in `COURSE_DEMO_SOURCE`. `deno task demo` and {@linkcode runWithSource} start their
 * tools this way.
 *
 * @example
 * ```ts
 * import { runEntry } from "@lib/code_source/mod.ts";
 * // await runEntry(".", "solutions", "lessons/01_bigram_data/demo.ts", []);
 * ```
 */
export async function runEntry(
  root: string,
  source: CodeSource,
  entry: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<number> {
  const map = source === "solutions" ? await writeImportMap(root, source) : undefined;
  // Ctrl-C (or a SIGINT/SIGTERM sent to this process alone) goes on to the child, and this
  // process waits for it: the child's clean stop (a checkpoint, the summary) ends before the
  // shell's prompt comes back, and no child is left running on its own.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const forwards: [Deno.Signal, () => void][] = [];
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...(map ? [`--import-map=${map}`] : []), entry, ...args],
      cwd: options.cwd ?? Deno.cwd(),
      env: {
        ...options.env,
        ...(map ? { [IMPORT_MAP_ENV]: map, COURSE_DEMO_SOURCE: source } : {}),
      },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    for (const signal of signals) {
      const forward = () => {
        try {
          child.kill(signal);
        } catch {
          // it has just ended
        }
      };
      Deno.addSignalListener(signal, forward);
      forwards.push([signal, forward]);
    }
    return (await child.status).code;
  } finally {
    for (const [signal, forward] of forwards) Deno.removeSignalListener(signal, forward);
    if (map) await Deno.remove(map).catch(() => {});
  }
}

/**
 * The `--import-map` argument a tool passes to a `deno` child so that it runs the same copy of
 * the exercises (none under `deno.json`'s own map).
 *
 * @example
 * ```ts
 * import { importMapArgs } from "@lib/code_source/mod.ts";
 * importMapArgs(); // [] unless started by runWithSource
 * ```
 */
export function importMapArgs(): string[] {
  const map = readEnv(IMPORT_MAP_ENV);
  return map ? [`--import-map=${map}`] : [];
}

/**
 * The one line a tool prints when `--mine` cannot load the learner's code (a file that does not
 * compile, or is missing): the file, the first line of the error, and the lesson command that
 * says more.
 *
 * @example
 * ```ts
 * import { cannotLoadMessage } from "@lib/code_source/mod.ts";
 * const error = new Error("Module not found \"file:///c/lessons/05_training/exercises.ts\".");
 * cannotLoadMessage("deno task train", error); // "error: deno task train --mine cannot load ... deno task lesson 5 ..."
 * ```
 */
export function cannotLoadMessage(command: string, error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const first = e.message.split("\n")[0].replace(/\.$/, "");
  const file = `${e.stack}\n${e.message}`.match(/lessons\/(\d\d)_\w+\/exercises\.ts/);
  const lesson = file ? ` ${Number(file[1])}` : "";
  return `error: ${command} --mine cannot load your code (${file?.[0] ?? "lessons/"}): ` +
    `${first}. \`deno task lesson${lesson}\` says what is wrong (\`--reset\` restores a ` +
    "missing file); without --mine the reference code runs.";
}
