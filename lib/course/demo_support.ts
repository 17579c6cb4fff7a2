/**
 * What every lesson demo shares: whose code it runs, and a missing exercise (exit 1) or a bad
 * option (exit 2) turned into one clear paragraph, never a stack trace.
 *
 * @example
 * ```ts
 * import { runDemo } from "@lib/course/demo_support.ts";
 * await runDemo(1, async () => console.log("hello"));
 * ```
 * @module
 */
import { NotImplementedError } from "@lib/testing/mod.ts";
import { describeSource, sourceInUse } from "@lib/code_source/mod.ts";

/**
 * Whose code a demo runs: the copy `@exercises/` resolves to in this process.
 *
 * @example
 * ```ts
 * import { codeLabel } from "@lib/course/demo_support.ts";
 * console.log(`Running ${codeLabel()}.`); // "Running your code (lessons/)."
 * ```
 */
export function codeLabel(): string {
  return describeSource(sourceInUse());
}

/**
 * Whose code a demo runs, as a possessive for its labels: "your" (lessons/), "the reference's"
 * (solutions/), or "the bundled" when the copy is neither.
 *
 * @example
 * ```ts
 * import { whose } from "@lib/course/demo_support.ts";
 * console.log(`${whose()} kernels`); // "your kernels" with `deno task demo 6`
 * ```
 */
export function whose(): string {
  const source = sourceInUse();
  return source === "lessons" ? "your" : source === "solutions" ? "the reference's" : "the bundled";
}

/**
 * Runs `demo` for lesson `lesson`; on failure prints why and exits with code 1 (2 for a bad
 * option).
 *
 * @example
 * ```ts
 * import { runDemo } from "@lib/course/demo_support.ts";
 * await runDemo(2, async () => {});
 * ```
 */
export async function runDemo(lesson: number, demo: () => Promise<void>): Promise<void> {
  try {
    await demo();
  } catch (error) {
    if (error instanceof NotImplementedError) {
      // The missing function may belong to an earlier lesson: its file is in the stack.
      const owner = error.lesson ?? lesson;
      console.error(
        `This demo runs your code, and \`${error.exercise}\` (lesson ${owner}) is not written yet. ` +
          `Finish it (\`deno task lesson ${owner}\` says what is missing), or watch the reference ` +
          `at work with \`deno task demo ${lesson} --solutions\`.`,
      );
    } else if (isOptionError(error)) {
      // The command line, not the code that runs: say so, and where the options are listed.
      const message = (error as Error).message.split("\n")[0].replace(/\.$/, "");
      console.error(
        `deno task demo ${lesson}: ${message}. \`deno task demo ${lesson} --help\` lists its options.`,
      );
      Deno.exit(2);
    } else {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      console.error(`The demo of lesson ${lesson} stopped: ${message} (running ${codeLabel()}).`);
    }
    Deno.exit(1);
  }
}

/**
 * Whether `error` is about the demo's command line: one of `parseArgs`'s errors (an unknown
 * option, a missing value, an extra argument), or a demo's own check of an option's value, whose
 * message starts with the option's name ("--steps must be ...").
 */
function isOptionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) ||
    /^--[a-z]/.test(error.message);
}
