/**
 * The course's layers and the direction of its imports, checked on the source (`mod_test.ts`
 * runs it on the repository). Every `.ts`/`.tsx` file's imports (static, `export ... from`,
 * `import type`, and `import("...")` with a literal) are resolved through `deno.json`'s
 * `imports` and `scopes`, then checked:
 *
 * ```text
 *   tools       lessons/NN/demo.ts and the other entry points beside the lessons
 *               (lessons/05_training/train.ts, lessons/06_webgpu/bench.ts, ...), site/, tests
 *     │  import `@exercises/...` (the import map picks the reference or the learner's copy)
 *     ▼
 *   exercises   solutions/NN/exercises.ts (reference), lessons/NN/exercises.ts (learner's)
 *     │  import earlier lessons through `@exercises/` only
 *     ▼
 *   lib         building blocks: tf, rng, model, train, bench, data, webgpu, course, ...
 *                 import lib only
 * ```
 *
 * - a file of `lib/` imports lib only: neither `@exercises/`, `solutions/`, `lessons/`, `site/`
 *   nor a test. There is no exception: a tool's entry point lives beside the lesson that owns it
 *   and passes the lessons' parts into lib, and a test of lib that needs the lessons' code lives
 *   in `tests/lib/` (lib's own tests import lib only);
 * - nothing reaches `solutions/` or `lessons/` by a path: exercise code is reached through the
 *   bare specifier `@exercises/` only, so that the import map chooses whose code runs. The one
 *   exception: a lesson's tests may take the reference of an earlier lesson, or of an earlier
 *   exercise of the same lesson, as a fixture (`tests/lessons/05_*` importing `solutions/01_*`
 *   or `solutions/04_*`, `tests/lessons/04_*` the wiring of `solutions/04_*`, by path), so that
 *   each test checks its own exercise only (a test that checked the reference by mistake would
 *   pass on the stubs, which the course check fails);
 * - inside `solutions/`, `@exercises/` resolves to `solutions/` (the reference reads the
 *   reference: `deno.json`'s `scopes`);
 * - no import cycle, type-only imports included.
 *
 * @example
 * ```ts
 * import { checkLayers } from "@lib/layers/mod.ts";
 * const { violations, cycles } = await checkLayers(".");
 * violations.length + cycles.length; // 0 on a clean tree
 * ```
 * @module
 */
import { parse } from "@babel/parser";
import { dirname, join, normalize, relative } from "node:path";

/** Where a file sits. */
export type Layer = "lib" | "test" | "solutions" | "lessons" | "tool" | "site";

/** One import of one file. */
export interface ImportEdge {
  /** The importing file, relative to the root (`lib/train/trainer.ts`). */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the root, or undefined outside the project (npm, node). */
  to?: string;
}

/** `deno.json`'s import map. */
export interface ImportMapConfig {
  /** Specifier (or prefix ending in `/`) to target. */
  imports?: Record<string, string>;
  /** Folder prefix (`./solutions/`) to a map applying to the files in it. */
  scopes?: Record<string, Record<string, string>>;
}

/**
 * The layer of a file (a path relative to the root), or undefined for files outside the layers
 * (root scripts).
 *
 * @example
 * ```ts
 * import { layerOf } from "@lib/layers/mod.ts";
 * layerOf("lib/train/trainer.ts"); // "lib"
 * layerOf("lib/train/cli.ts"); // "lib"
 * layerOf("lessons/05_training/train.ts"); // "tool"
 * layerOf("lessons/01_bigram_data/demo.ts"); // "tool"
 * ```
 */
export function layerOf(path: string): Layer | undefined {
  if (/(^|\/)[^/]*_test\.tsx?$/.test(path) || path.startsWith("tests/")) return "test";
  if (/^lib\/.*\/_test_[^/]*\.ts$/.test(path)) return "test";
  if (path.startsWith("lib/")) return "lib";
  if (path.startsWith("solutions/")) return "solutions";
  if (/^lessons\/[^/]+\/exercises\.ts$/.test(path)) return "lessons";
  if (path.startsWith("lessons/")) return "tool";
  if (path.startsWith("site/")) return "site";
  return undefined;
}

/**
 * The specifiers a module imports: static imports and re-exports (type-only ones too) and
 * dynamic `import("...")` calls with a literal.
 *
 * @example
 * ```ts
 * import { importSpecifiers } from "@lib/layers/mod.ts";
 * importSpecifiers('import type { A } from "./a.ts";\nconst b = await import("./b.ts");');
 * // ["./a.ts", "./b.ts"]
 * ```
 */
export function importSpecifiers(source: string, jsx = false): string[] {
  const ast = parse(source, {
    sourceType: "module",
    plugins: jsx ? ["jsx", "typescript"] : ["typescript"],
  });
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Record<string, unknown> & { type?: string };
    const literal = (x: unknown) =>
      x && typeof x === "object" && (x as { type?: string }).type === "StringLiteral"
        ? (x as { value: string }).value
        : undefined;
    if (
      n.type === "ImportDeclaration" || n.type === "ExportNamedDeclaration" ||
      n.type === "ExportAllDeclaration"
    ) {
      const s = literal(n.source);
      if (s !== undefined) found.push(s);
    } else if (n.type === "ImportExpression") {
      const s = literal(n.source);
      if (s !== undefined) found.push(s);
    } else if (n.type === "CallExpression" && (n.callee as { type?: string })?.type === "Import") {
      const s = literal((n.arguments as unknown[])[0]);
      if (s !== undefined) found.push(s);
    }
    for (const [key, value] of Object.entries(n)) {
      if (key !== "loc" && key !== "start" && key !== "end") visit(value);
    }
  };
  visit(ast.program);
  return found;
}

/**
 * Resolves `specifier`, imported by `from` (relative to the root), through the import map:
 * the file relative to the root, or undefined outside the project.
 *
 * @example
 * ```ts
 * import { resolveSpecifier } from "@lib/layers/mod.ts";
 * const config = {
 *   imports: { "@exercises/": "./lessons/" },
 *   scopes: { "./solutions/": { "@exercises/": "./solutions/" } },
 * };
 * resolveSpecifier("@exercises/01_a/exercises.ts", "solutions/04_b/exercises.ts", config);
 * // "solutions/01_a/exercises.ts"
 * ```
 */
export function resolveSpecifier(
  specifier: string,
  from: string,
  config: ImportMapConfig,
): string | undefined {
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    return normalize(join(dirname(from), specifier));
  }
  const scopes = Object.entries(config.scopes ?? {})
    .filter(([scope]) => ("./" + from).startsWith(scope))
    .sort(([a], [b]) => b.length - a.length)
    .map(([, map]) => map);
  for (const map of [...scopes, config.imports ?? {}]) {
    const keys = Object.keys(map).sort((a, b) => b.length - a.length);
    for (const key of keys) {
      const hit = key.endsWith("/") ? specifier.startsWith(key) : specifier === key;
      if (!hit) continue;
      const target = map[key] + specifier.slice(key.length);
      return target.startsWith("./") ? normalize(target) : undefined;
    }
  }
  return undefined;
}

/**
 * What is wrong with one import, or undefined when it points the right way.
 *
 * @example
 * ```ts
 * import { edgeViolation } from "@lib/layers/mod.ts";
 * edgeViolation({ from: "lib/x.ts", specifier: "@exercises/01_a/exercises.ts", to: "lessons/01_a/exercises.ts" });
 * // "lib/x.ts imports @exercises/01_a/exercises.ts: a lib building block imports lib only ..."
 * ```
 */
export function edgeViolation(edge: ImportEdge): string | undefined {
  const { from, specifier, to } = edge;
  if (to === undefined) return undefined;
  const source = layerOf(from);
  const target = layerOf(to);
  const where = `${from} imports ${specifier}`;
  const viaExercises = specifier.startsWith("@exercises/");
  const exercise = target === "solutions" || target === "lessons";
  if (from.startsWith("lib/") && source === "test" && (viaExercises || exercise)) {
    return `${where}: no file of lib/, tests included, reaches the lessons; a test that needs ` +
      `their code lives in tests/lib/`;
  }
  if (source === "lib") {
    if (target !== "lib") {
      return `${where}: a lib building block imports lib only (this is ${
        target ?? to
      }); a tool assembles the lessons' parts and passes them in`;
    }
    return undefined;
  }
  if (source === "test" && target === "solutions" && !viaExercises && earlierFixture(from, to)) {
    return undefined;
  }
  if (exercise && !viaExercises && source !== target) {
    return `${where}: exercise code is reached through \`@exercises/\` only, so that the import map chooses whose code runs`;
  }
  if (exercise && !viaExercises && source === target && from.split("/")[1] !== to.split("/")[1]) {
    return `${where}: an earlier lesson is reached through \`@exercises/\` only`;
  }
  if (source === "solutions" && target === "lessons") {
    return `${where}: the reference must read the reference (deno.json's scopes point \`@exercises/\` at solutions/ there)`;
  }
  if (
    (source === "solutions" || source === "lessons") && (target === "tool" || target === "site")
  ) {
    return `${where}: exercises import lib and earlier exercises only`;
  }
  return undefined;
}

/** `tests/lessons/MM_*` importing `solutions/NN_*` with NN <= MM. */
function earlierFixture(from: string, to: string): boolean {
  const mine = from.match(/^tests\/lessons\/(\d\d)_/)?.[1];
  const theirs = to.match(/^solutions\/(\d\d)_/)?.[1];
  return mine !== undefined && theirs !== undefined && Number(theirs) <= Number(mine);
}

/**
 * The import cycles among the project's files (strongly connected components of more than one
 * file, or a file importing itself), each as a list of files.
 *
 * @example
 * ```ts
 * import { importCycles } from "@lib/layers/mod.ts";
 * importCycles([
 *   { from: "a.ts", specifier: "./b.ts", to: "b.ts" },
 *   { from: "b.ts", specifier: "./a.ts", to: "a.ts" },
 * ]); // [["a.ts", "b.ts"]]
 * ```
 */
export function importCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.to === undefined) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  // Tarjan's algorithm, iterative.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: [string, Iterator<string>][] = [];
    const open = (v: string) => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      work.push([v, (next.get(v) ?? new Set<string>()).values()]);
    };
    open(start);
    while (work.length > 0) {
      const [v, it] = work[work.length - 1];
      const step = it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || next.get(v)?.has(v)) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/**
 * Every import of every `.ts`/`.tsx` file under `lib/`, `lessons/`, `solutions/`, `site/` and
 * `tests/`, resolved through `root/deno.json`.
 *
 * @example
 * ```ts
 * import { importGraph } from "@lib/layers/mod.ts";
 * const edges = await importGraph(".");
 * ```
 */
export async function importGraph(root: string): Promise<ImportEdge[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as ImportMapConfig;
  const edges: ImportEdge[] = [];
  for (const dir of ["lib", "lessons", "solutions", "site", "tests"]) {
    for (const file of await sourceFiles(join(root, dir))) {
      const from = relative(root, file);
      const text = await Deno.readTextFile(file);
      let specifiers: string[];
      try {
        specifiers = importSpecifiers(text, file.endsWith(".tsx"));
      } catch (error) {
        throw new Error(`${from}: cannot parse its imports (${(error as Error).message})`);
      }
      for (const specifier of specifiers) {
        edges.push({ from, specifier, to: resolveSpecifier(specifier, from, config) });
      }
    }
  }
  return edges;
}

/**
 * The repository's wrong-way imports and import cycles (both empty on a clean tree).
 *
 * @example
 * ```ts
 * import { checkLayers } from "@lib/layers/mod.ts";
 * const { violations, cycles } = await checkLayers(".");
 * ```
 */
export async function checkLayers(
  root: string,
): Promise<{ edges: ImportEdge[]; violations: string[]; cycles: string[][] }> {
  const edges = await importGraph(root);
  const violations = edges.map(edgeViolation).filter((v): v is string => v !== undefined);
  return { edges, violations, cycles: importCycles(edges) };
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && entry.name !== "node_modules" && !entry.name.startsWith(".")) {
      out.push(...await sourceFiles(path));
    } else if (entry.isFile && /\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}
