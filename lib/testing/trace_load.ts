/**
 * Preloaded by the course runner (`deno test --preload`) before each test file: marks in the
 * trace file (`COURSE_TRACE`) that Deno starts loading a test file, so that the runner can tell
 * a file whose top-level code never ends (an endless loop outside any function) from a test that
 * never ends. Does nothing without `COURSE_TRACE`.
 *
 * @example
 * ```sh
 * COURSE_TRACE=.course/tmp/t deno test --preload=lib/testing/trace_load.ts tests/lessons/
 * ```
 * @module
 */
const path = Deno.permissions.querySync({ name: "env", variable: "COURSE_TRACE" }).state ===
    "granted"
  ? Deno.env.get("COURSE_TRACE")
  : undefined;
if (path && Deno.permissions.querySync({ name: "write", path }).state === "granted") {
  Deno.writeTextFileSync(path, JSON.stringify({ load: true }) + "\n", { append: true });
}
