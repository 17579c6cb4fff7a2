/**
 * `--show-solution`: each function of an exercise cut out of the learner's file and the
 * reference with a TypeScript parser (`@babel/parser`), the markers dropped, compared line by
 * line with `diff` (leading and trailing spaces ignored).
 *
 * @example
 * ```ts
 * import { functionDiff } from "@lib/course/solution_diff.ts";
 * const { lines } = functionDiff("function f() {\n  return 1;\n}", "function f() {\n  return 2;\n}");
 * // ["  function f() {", "-   return 1;", "+   return 2;", "  }"] (coloured on a terminal)
 * ```
 * @module
 */
import { parse } from "@babel/parser";
import { isMarker } from "./author/markers.ts";
import { diffTrimmedLines } from "diff";
import pc from "picocolors";
import { join } from "node:path";
import type { Exercise, Lesson } from "@lib/course/lessons.ts";

/** A function cut out of a file: its text and the line (1-based) it starts on. */
export interface FoundFunction {
  text: string;
  line: number;
}

/**
 * Finds the top-level function `name` (a `function` declaration or a `const name = ...`) in
 * TypeScript source; undefined when it is not there; throws when the source cannot be parsed.
 *
 * @example
 * ```ts
 * import { extractFunction } from "@lib/course/solution_diff.ts";
 * extractFunction("const x = 1;\nexport function f(a: { b: number }) {\n  return a.b;\n}\n", "f")?.line; // 2
 * ```
 */
export function extractFunction(source: string, name: string): FoundFunction | undefined {
  const ast = parse(source, {
    sourceType: "module",
    plugins: ["typescript"],
    errorRecovery: true,
  });
  for (const statement of ast.program.body) {
    const node = statement.type === "ExportNamedDeclaration" && statement.declaration
      ? statement.declaration
      : statement;
    const found = (node.type === "FunctionDeclaration" && node.id?.name === name) ||
      (node.type === "VariableDeclaration" &&
        node.declarations.some((d) => d.id.type === "Identifier" && d.id.name === name));
    if (found && statement.start != null && statement.end != null) {
      return {
        text: source.slice(statement.start, statement.end),
        line: source.slice(0, statement.start).split("\n").length,
      };
    }
  }
  return undefined;
}

/**
 * The reference's text without the `// BEGIN SOLUTION` / `// END SOLUTION` marker lines.
 *
 * @example
 * ```ts
 * import { withoutMarkers } from "@lib/course/solution_diff.ts";
 * withoutMarkers("{\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}"); // "{\n  return 1;\n}"
 * ```
 */
export function withoutMarkers(text: string): string {
  return text.split("\n").filter((l) => !isMarker(l)).join("\n");
}

/**
 * A function diff: every line of both versions, prefixed `- ` (only in yours), `+ ` (only in the
 * reference) or two spaces, coloured; and how many lines are only in one of the two.
 */
export interface FunctionDiff {
  lines: string[];
  changed: number;
}

/**
 * A full line diff of two versions of a function (leading and trailing spaces ignored).
 *
 * @example
 * ```ts
 * import { functionDiff } from "@lib/course/solution_diff.ts";
 * functionDiff("a\nb", "a\nc").changed; // 2
 * ```
 */
export function functionDiff(yours: string, reference: string): FunctionDiff {
  const lines: string[] = [];
  let changed = 0;
  for (const part of diffTrimmedLines(ensureNewline(yours), ensureNewline(reference))) {
    for (const line of part.value.replace(/\n$/, "").split("\n")) {
      if (part.added || part.removed) changed++;
      if (part.added) lines.push(pc.green(`+ ${line}`));
      else if (part.removed) lines.push(pc.red(`- ${line}`));
      else lines.push(pc.dim(`  ${line}`));
    }
  }
  return { lines, changed };
}

/**
 * The report of `--show-solution` for one exercise: each function's diff, and where each lives.
 *
 * @example
 * ```ts
 * import { solutionReport } from "@lib/course/solution_diff.ts";
 * // console.log((await solutionReport(".", lesson, lesson.exercises[0])).join("\n"));
 * ```
 */
export async function solutionReport(
  root: string,
  lesson: Lesson,
  exercise: Exercise,
): Promise<string[]> {
  const [mine, reference] = await Promise.all([
    Deno.readTextFile(join(root, lesson.paths.exercises)).catch(() => undefined),
    Deno.readTextFile(join(root, lesson.paths.solution)),
  ]);
  const out = [pc.bold(`Exercise ${exercise.id}, ${exercise.title}: your code and the reference`)];
  out.push(pc.dim(`  ${pc.red("- only in yours")}   ${pc.green("+ only in the reference")}`));
  for (const fn of exercise.functions) {
    const ref = extractFunction(reference, fn);
    if (!ref) {
      out.push("", pc.yellow(`(the reference has no function \`${fn}\`: ask the course authors)`));
      continue;
    }
    const refText = withoutMarkers(ref.text);
    let yours: FoundFunction | undefined;
    let problem: string | undefined;
    if (mine === undefined) problem = `${lesson.paths.exercises} is missing`;
    else {
      try {
        yours = extractFunction(mine, fn);
        if (!yours) problem = `there is no function \`${fn}\` in ${lesson.paths.exercises}`;
      } catch (e) {
        problem = `${lesson.paths.exercises} does not parse (${(e as Error).message})`;
      }
    }
    out.push("", pc.bold(`${fn}`));
    out.push(`  yours:     ${lesson.paths.exercises}${yours ? `:${yours.line}` : ""}`);
    out.push(`  reference: ${lesson.paths.solution}:${ref.line}`);
    out.push("");
    if (!yours) {
      out.push(pc.yellow(`  (${problem}; the reference alone:)`));
      out.push(...refText.split("\n").map((l) => pc.green(`+ ${l}`)));
      continue;
    }
    const diff = functionDiff(withoutMarkers(yours.text), refText); // pasted markers are no difference
    if (diff.changed === 0) {
      out.push(pc.green("  Your code is the same as the reference (spaces aside):"));
    }
    out.push(...diff.lines);
  }
  return out;
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : text + "\n";
}

/**
 * What is asked before an exercise's reference is shown while the exercise does not pass yet:
 * by `deno task lesson N --show-solution`, and by the course site's "Show the reference anyway".
 *
 * @example
 * ```ts
 * import { solutionQuestion } from "@lib/course/solution_diff.ts";
 * solutionQuestion("1.2"); // "Exercise 1.2 does not pass yet, and the reference gives the answer away. Show it anyway?"
 * ```
 */
export function solutionQuestion(id: string): string {
  return `Exercise ${id} does not pass yet, and the reference gives the answer away. Show it anyway?`;
}
