/**
 * The one parser of the `// BEGIN SOLUTION` / `// END SOLUTION` markers of a solution file (for
 * the stubs, the site's folded reference and `--show-solution`). A region belongs to the nearest
 * `function NAME` above its BEGIN line.
 *
 * @example
 * ```ts
 * import { markedRegions } from "@lib/course/author/markers.ts";
 * const src = "export function two(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}\n";
 * markedRegions(src)[0]; // { fn: "two", indent: "  ", begin: 1, end: 3, body: ["  return 2;"] }
 * ```
 * @module
 */

const BEGIN = /^(\s*)\/\/ BEGIN SOLUTION\s*$/;
const END = /^\s*\/\/ END SOLUTION\s*$/;
const FUNCTION = /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*(\w+)/;

/** One marked region: its function, the BEGIN line's indent, the markers' 0-based lines, the body. */
export interface MarkedRegion {
  fn: string;
  indent: string;
  begin: number;
  end: number;
  body: string[];
}

/**
 * Whether `line` is a BEGIN or END SOLUTION marker.
 *
 * @example
 * ```ts
 * import { isMarker } from "@lib/course/author/markers.ts";
 * isMarker("    // END SOLUTION"); // true
 * ```
 */
export function isMarker(line: string): boolean {
  return BEGIN.test(line) || END.test(line);
}

/**
 * Every marked region of `source`, in order. Throws, naming the line, on a nested BEGIN, a BEGIN
 * outside a function, an END without BEGIN and a region never closed.
 *
 * @example
 * ```ts
 * import { markedRegions } from "@lib/course/author/markers.ts";
 * markedRegions("const x = 1;\n"); // []
 * ```
 */
export function markedRegions(source: string): MarkedRegion[] {
  const regions: MarkedRegion[] = [];
  let fn: string | undefined;
  let open: MarkedRegion | undefined;
  for (const [i, line] of source.split("\n").entries()) {
    const begin = line.match(BEGIN);
    if (begin) {
      if (open) throw new Error(`nested BEGIN SOLUTION at line ${i + 1}`);
      if (!fn) throw new Error(`BEGIN SOLUTION outside a function at line ${i + 1}`);
      open = { fn, indent: begin[1], begin: i, end: -1, body: [] };
      continue;
    }
    if (END.test(line)) {
      if (!open) throw new Error(`END SOLUTION without BEGIN at line ${i + 1}`);
      open.end = i;
      regions.push(open);
      open = undefined;
      continue;
    }
    if (open) open.body.push(line);
    else fn = line.match(FUNCTION)?.[1] ?? fn;
  }
  if (open) throw new Error(`BEGIN SOLUTION at line ${open.begin + 1} is never closed`);
  return regions;
}
