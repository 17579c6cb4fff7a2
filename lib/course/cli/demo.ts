/**
 * `deno task demo N [--solutions] [demo options]`: runs `lessons/NN_slug/demo.ts` with the
 * learner's code (or the reference); other arguments go to the demo.
 *
 * @example
 * ```sh
 * deno task demo 1
 * deno task demo 1 --solutions
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { findLesson, listLessons } from "@lib/course/lessons.ts";
import { runEntry } from "@lib/code_source/mod.ts";

const USAGE = "Usage: deno task demo N [--solutions] [options of the demo]";

/**
 * Runs the demo of the lesson named in `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "@lib/course/cli/demo.ts";
 * await main(["1", "--solutions"], ".");
 * ```
 */
export async function main(args: string[], root: string): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first === "-h" || first === "--help") {
    console.log(`${USAGE}\n\nLessons with a demo:`);
    for (const l of await listLessons(root)) console.log(`  ${l.number}  ${l.title}`);
    return first === undefined ? 2 : 0;
  }
  let slug: string;
  try {
    slug = findLesson(await listLessons(root), first).slug;
  } catch (e) {
    console.error((e as Error).message.replaceAll("deno task lesson", "deno task demo"));
    return 2;
  }
  const demo = join("lessons", slug, "demo.ts");
  try {
    await Deno.stat(join(root, demo));
  } catch {
    console.error(`Lesson ${first} has no terminal demo yet (${demo} is missing).`);
    return 1;
  }
  const solutions = rest.includes("--solutions");
  const passOn = rest.filter((a) => a !== "--solutions");
  if (!solutions) {
    // Your exercise files are one program: a deleted one stops every demo with a raw error.
    for (const l of await listLessons(root)) {
      const file = join("lessons", l.slug, "exercises.ts");
      const shipped = await Deno.stat(join(root, "solutions", l.slug, "exercises.ts"))
        .then(() => true, () => false);
      if (shipped && !(await Deno.stat(join(root, file)).then(() => true, () => false))) {
        console.error(
          `${file} is missing: \`deno task lesson ${l.number} --reset\` restores it, or ` +
            `\`deno task demo ${first} --solutions\` runs the reference.`,
        );
        return 1;
      }
    }
  }
  const dir = join(root, ".course", "runtime");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  return await runEntry(root, solutions ? "solutions" : "lessons", demo, passOn, {
    cwd: root,
    env: { XDG_RUNTIME_DIR: dir },
  });
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, resolve(new URL("../../..", import.meta.url).pathname)));
}
