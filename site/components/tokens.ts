/**
 * How a character token is shown in the demos: the newline and the space get visible stand-ins.
 *
 * @example
 * ```ts
 * import { showChar } from "./tokens.ts";
 * showChar(" "); // "␣"
 * ```
 * @module
 */

/**
 * A visible form of one character.
 *
 * @example
 * ```ts
 * import { showChar } from "./tokens.ts";
 * showChar("\n"); // "⏎"
 * ```
 */
export function showChar(c: string): string {
  return c === "\n" ? "⏎" : c === " " ? "␣" : c;
}
