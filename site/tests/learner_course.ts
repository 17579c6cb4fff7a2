/**
 * A learner's course for the site's tests: a copy of `lessons/` in a temporary folder (so a
 * test never touches the learner's own files), with some lessons written out from their
 * solutions, and {@linkcode snapshot} to prove that the site left the files as they were.
 *
 * @example
 * ```ts
 * import { learnerCourse, snapshot } from "./learner_course.ts";
 * const root = await learnerCourse(["01_bigram_data"]);
 * const before = await snapshot(`${root}/lessons`);
 * await Deno.remove(root, { recursive: true });
 * ```
 * @module
 */
import { join } from "node:path";
import { COURSE_ROOT } from "../main.ts";

/**
 * A temporary course folder holding a copy of `lessons/`, the lessons `written` (folder names)
 * with the reference's exercise file and the others with their stubs. The caller removes it.
 *
 * @example
 * ```ts
 * import { learnerCourse } from "./learner_course.ts";
 * const root = await learnerCourse(["01_bigram_data"]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function learnerCourse(written: string[] = []): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "course_site_learner_" });
  const copy = await new Deno.Command("cp", {
    args: ["-r", join(COURSE_ROOT, "lessons"), root],
  }).output();
  if (!copy.success) throw new Error(`could not copy lessons/ to ${root}`);
  for (const slug of written) {
    await Deno.copyFile(
      join(COURSE_ROOT, "solutions", slug, "exercises.ts"),
      join(root, "lessons", slug, "exercises.ts"),
    );
  }
  return root;
}

/**
 * Every file under `dir`, by path relative to it, with its text.
 *
 * @example
 * ```ts
 * import { snapshot } from "./learner_course.ts";
 * (await snapshot("lessons")).has("01_bigram_data/exercises.ts"); // true
 * ```
 */
export async function snapshot(
  dir: string,
  base = dir,
  out = new Map<string, string>(),
): Promise<Map<string, string>> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await snapshot(path, base, out);
    else if (entry.isFile) out.set(path.slice(base.length + 1), await Deno.readTextFile(path));
  }
  return out;
}
