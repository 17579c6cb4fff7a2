/**
 * `deno run -A lib/course/cli/import_map.ts solutions|lessons|DIR`: writes an import map that
 * points `@exercises/` at that copy of the exercises and prints its path, for running
 * `deno test --import-map=PATH` by hand.
 *
 * @example
 * ```sh
 * deno test -A --import-map=$(deno run -A lib/course/cli/import_map.ts solutions) tests/lessons/
 * ```
 * @module
 */
import { writeImportMap } from "@lib/course/run_tests.ts";

if (import.meta.main) {
  const [which = "solutions"] = Deno.args;
  const target = which === "solutions" || which === "lessons" ? which : { dir: which };
  console.log(await writeImportMap(Deno.cwd(), target));
}
