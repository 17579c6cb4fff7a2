/**
 * The reference code of each exercise function, read from the lesson's solution file: the lines
 * between `// BEGIN SOLUTION` and `// END SOLUTION`, under the nearest `function NAME` above
 * (parsed by `lib/course/author/markers.ts`, as for `deno task stubs`), with their common
 * indentation removed.
 *
 * @example
 * ```ts
 * import { solutionRegions } from "./solutions.ts";
 * const src = "export function two(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}\n";
 * solutionRegions(src).get("two"); // "return 2;"
 * ```
 * @module
 */
import { markedRegions } from "@lib/course/author/markers.ts";

/**
 * Maps each function name to its solution code. A function with several regions gets them
 * joined by a `// ...` line. An unclosed region is an error.
 *
 * @example
 * ```ts
 * import { solutionRegions } from "./solutions.ts";
 * solutionRegions("const x = 1;\n").size; // 0
 * ```
 */
export function solutionRegions(source: string): Map<string, string> {
  const regions = new Map<string, string>();
  for (const { fn, body } of markedRegions(source)) {
    const code = dedent(body);
    const before = regions.get(fn);
    regions.set(fn, before === undefined ? code : `${before}\n// ...\n${code}`);
  }
  return regions;
}

/**
 * Removes the indentation shared by all non-blank lines, and blank lines at both ends.
 *
 * @example
 * ```ts
 * import { dedent } from "./solutions.ts";
 * dedent(["    a", "      b"]); // "a\n  b"
 * ```
 */
export function dedent(lines: string[]): string {
  const widths = lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length);
  const cut = widths.length ? Math.min(...widths) : 0;
  return lines.map((l) => l.slice(cut)).join("\n").replace(/^\n+|\s+$/g, "");
}
