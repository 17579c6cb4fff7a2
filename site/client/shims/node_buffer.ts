/**
 * The browser stand-in for `node:buffer`. Library code imports it only for Deno-only work
 * (writing checkpoints); in the page, using it throws a clear error instead of the whole module
 * failing to load. The bundler (site/glue/bundle.ts) maps `node:buffer` here for browser bundles.
 *
 * @example
 * ```ts
 * import { Buffer } from "./node_buffer.ts";
 * try { Buffer.from("x"); } catch (e) { console.log((e as Error).message); }
 * ```
 * @module
 */

/**
 * Throws: `Buffer` does not exist in the browser.
 *
 * @example
 * ```ts
 * import { Buffer } from "./node_buffer.ts";
 * // Buffer.from(...) throws "node:buffer is not available in the browser ..."
 * ```
 */
export const Buffer = {
  from(..._args: unknown[]): never {
    throw new Error("node:buffer is not available in the browser (a Deno-only code path ran)");
  },
};
