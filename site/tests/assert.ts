/**
 * The assertions the site's tests use, written on `node:assert` (no `jsr:` here), with the
 * names of Deno's standard library so a later switch to `@std/assert` is a one-line change.
 *
 * @example
 * ```ts
 * import { assertEquals } from "./assert.ts";
 * assertEquals(1 + 1, 2);
 * ```
 * @module
 */
import nodeAssert from "node:assert/strict";

/**
 * Fails unless `value` is truthy.
 *
 * @example
 * ```ts
 * import { assert } from "./assert.ts";
 * assert(true);
 * ```
 */
export function assert(value: unknown, message?: string): asserts value {
  if (message === undefined) nodeAssert.ok(value);
  else nodeAssert.ok(value, message);
}

/**
 * Fails unless `actual` deeply equals `expected`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "./assert.ts";
 * assertEquals([1], [1]);
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (message === undefined) nodeAssert.deepStrictEqual(actual, expected);
  else nodeAssert.deepStrictEqual(actual, expected, message);
}

/**
 * Fails unless `text` contains `part`.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "./assert.ts";
 * assertStringIncludes("hello", "ell");
 * ```
 */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    throw new Error(
      message ??
        `expected the text to include ${JSON.stringify(part)}; text starts: ${
          JSON.stringify(text.slice(0, 300))
        }`,
    );
  }
}

/**
 * Fails unless `text` matches `pattern`.
 *
 * @example
 * ```ts
 * import { assertMatch } from "./assert.ts";
 * assertMatch("abc", /b/);
 * ```
 */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  if (message === undefined) nodeAssert.match(text, pattern);
  else nodeAssert.match(text, pattern, message);
}

/**
 * Fails unless `fn` throws an error of class `type` whose message includes `includes`.
 *
 * @example
 * ```ts
 * import { assertThrows } from "./assert.ts";
 * assertThrows(() => { throw new Error("boom"); }, Error, "boom");
 * ```
 */
export function assertThrows(
  fn: () => unknown,
  type: new (...args: never[]) => Error = Error,
  includes?: string,
): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof type)) {
    throw new Error(`expected ${type.name} to be thrown, got ${thrown}`);
  }
  if (includes && !thrown.message.includes(includes)) {
    throw new Error(
      `expected the error message to include ${JSON.stringify(includes)}: ${thrown.message}`,
    );
  }
}
