/**
 * Exercise stubs generated from the reference solutions, the single source: each region between
 * `// BEGIN SOLUTION` and `// END SOLUTION` becomes `throw notImplemented("name")`.
 *
 * @example
 * ```ts
 * import { makeStub } from "@lib/course/author/stubs.ts";
 * const stub = makeStub(
 *   "export function two(): number {\n  // BEGIN SOLUTION\n  return 2;\n  // END SOLUTION\n}\n",
 *   "01_demo",
 * );
 * stub.includes('throw notImplemented("two")'); // true
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { markedRegions } from "./markers.ts";

const IMPORT = 'import { notImplemented } from "@lib/testing/mod.ts";';

/**
 * Turns a solution file's text into the learner's stub.
 *
 * @example
 * ```ts
 * import { makeStub } from "@lib/course/author/stubs.ts";
 * makeStub("export const x = 1;\n", "01_demo"); // a banner, then the same code
 * ```
 */
export function makeStub(source: string, slug: string): string {
  const lines = source.split("\n");
  let regions;
  try {
    regions = markedRegions(source);
  } catch (error) {
    throw new Error(`${slug}: ${(error as Error).message}`);
  }
  if (regions.length === 0) {
    throw new Error(`${slug}: the solution file has no BEGIN SOLUTION region`);
  }
  const out: string[] = [];
  let next = 0;
  for (const r of regions) {
    out.push(...lines.slice(next, r.begin), `${r.indent}throw notImplemented("${r.fn}");`);
    next = r.end + 1;
  }
  out.push(...lines.slice(next));
  const number = Number(slug.slice(0, 2));
  const banner = [
    `// Your exercise file for lesson ${number}: replace each \`throw notImplemented(...)\` with your`,
    `// code. Check it with \`deno task lesson ${number}\`; \`deno task lesson ${number} --reset\` restores`,
    "// this stub after saving a dated backup of your file.",
    `// (Generated from solutions/${slug}/exercises.ts by \`deno task stubs\`.)`,
    "",
  ];
  const firstImport = out.findIndex((l) => l.startsWith("import "));
  if (!out.includes(IMPORT)) {
    if (firstImport >= 0) out.splice(firstImport, 0, IMPORT);
    else out.splice(0, 0, IMPORT, "");
  }
  return [...banner, ...out].join("\n");
}

/**
 * Writes the stubs of every lesson under `outDir` (`outDir/NN_slug/exercises.ts`) and returns
 * the slugs written.
 *
 * @example
 * ```ts
 * import { generateStubs } from "@lib/course/author/stubs.ts";
 * await generateStubs(".", ".course/pristine");
 * ```
 */
export async function generateStubs(root: string, outDir: string): Promise<string[]> {
  const slugs = await solutionSlugs(root);
  for (const slug of slugs) {
    const stub = await stubFor(root, slug);
    const path = join(outDir, slug, "exercises.ts");
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, stub);
  }
  return slugs;
}

/**
 * The stub text of one lesson, generated from its solution file.
 *
 * @example
 * ```ts
 * import { stubFor } from "@lib/course/author/stubs.ts";
 * const text = await stubFor(".", "01_bigram_data");
 * ```
 */
export async function stubFor(root: string, slug: string): Promise<string> {
  return makeStub(await Deno.readTextFile(join(root, "solutions", slug, "exercises.ts")), slug);
}

/**
 * The lesson folders that have a solution file.
 *
 * @example
 * ```ts
 * import { solutionSlugs } from "@lib/course/author/stubs.ts";
 * await solutionSlugs("."); // ["01_bigram_data", ...]
 * ```
 */
export async function solutionSlugs(root: string): Promise<string[]> {
  const slugs: string[] = [];
  for await (const e of Deno.readDir(join(root, "solutions"))) {
    if (e.isDirectory && /^\d\d_/.test(e.name)) slugs.push(e.name);
  }
  return slugs.sort();
}
