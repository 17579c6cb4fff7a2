/**
 * `deno task stubs`: regenerates each lesson's `lessons/NN_slug/exercises.ts` from its solution,
 * after a dated backup of a file that differs; `--check` only lists those (exit 1 if any).
 *
 * @example
 * ```sh
 * deno task stubs --check
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { solutionSlugs, stubFor } from "@lib/course/author/stubs.ts";
import { backupFile } from "@lib/course/reset.ts";

/**
 * Runs the command; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "@lib/course/author/stubs_cli.ts";
 * await main(["--check"], ".");
 * ```
 */
export async function main(args: string[], root: string): Promise<number> {
  let checkOnly = false;
  try {
    const { values } = parseArgs({ args, options: { check: { type: "boolean" } } });
    checkOnly = values.check ?? false;
  } catch (e) {
    console.error(`${(e as Error).message}\nUsage: deno task stubs [--check]`);
    return 2;
  }
  let stale = 0;
  for (const slug of await solutionSlugs(root)) {
    const rel = join("lessons", slug, "exercises.ts");
    const stub = await stubFor(root, slug);
    let current: string | undefined;
    try {
      current = await Deno.readTextFile(join(root, rel));
    } catch { /* missing: write it */ }
    if (current === stub) continue;
    stale++;
    if (checkOnly) {
      console.log(`${rel} differs from the stub generated from solutions/${slug}/exercises.ts`);
      continue;
    }
    if (current !== undefined) console.log(`saved your ${rel} to ${await backupFile(root, rel)}`);
    await Deno.mkdir(join(root, "lessons", slug), { recursive: true });
    await Deno.writeTextFile(join(root, rel), stub);
    console.log(`wrote ${rel}`);
  }
  if (stale === 0) console.log("every stub is up to date");
  return checkOnly && stale > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args, Deno.cwd()));
