/**
 * The browser stand-in for `node:path`. Library code imports it only for Deno-only work
 * (writing logs and files); in the page, using it throws a clear error instead of the whole
 * module failing to load. The bundler (site/glue/bundle.ts) maps `node:path` here for browser
 * bundles.
 *
 * @example
 * ```ts
 * import { dirname } from "./node_path.ts";
 * try { dirname("a/b"); } catch (e) { console.log((e as Error).message); }
 * ```
 * @module
 */

function unavailable(name: string): never {
  throw new Error(`node:path ${name} is not available in the browser (a Deno-only code path ran)`);
}

/**
 * Throws (no file paths in the browser).
 *
 * @example
 * ```ts
 * import { dirname } from "./node_path.ts";
 * // dirname("a/b") throws
 * ```
 */
export function dirname(_path: string): never {
  return unavailable("dirname");
}

/**
 * Throws (no file paths in the browser).
 *
 * @example
 * ```ts
 * import { join } from "./node_path.ts";
 * // join("a", "b") throws
 * ```
 */
export function join(..._parts: string[]): never {
  return unavailable("join");
}
