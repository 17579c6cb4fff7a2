/**
 * The site's path to the course's backend choice in the browser: everything comes from
 * `lib/tf/browser.ts` (the browser entry point of `lib/tf`), so that the site and the terminal
 * choose backends with one set of rules (`lib/tf/choose.ts`).
 *
 * @example
 * ```ts
 * const { startBackend } = await import("./tf.ts");
 * const info = await startBackend("auto"); // { name: "webgl", notes: ["webgpu skipped: ..."] }
 * ```
 * @module
 */
export * from "@lib/tf/browser.ts";
