/**
 * `POST /api/solution/N?exercise=N.M`: the lesson page's "Show the reference anyway", for an
 * exercise that does not pass yet. The page asks first, with the terminal's own question
 * (`solutionQuestion`); this records in `.course/progress.json` that the solution was shown, as
 * `deno task lesson N --show-solution` does after asking, and from then on the site shows it.
 * Only for a site served on this machine only, from its own pages (see `actionRefused`).
 *
 * @example
 * ```ts
 * // await fetch("/api/solution/1?exercise=1.2", { method: "POST", headers: { "x-course-check": "1" } });
 * ```
 * @module
 */
import { listLessons } from "@lib/course/lessons.ts";
import { recordSolutionShown, updateProgress } from "@lib/course/progress.ts";
import type { Handlers } from "../../../glue/types.ts";
import { lessonFromParam } from "../../lessons/[lesson].tsx";
import { actionRefused, refusal } from "../../../utils/workspace.ts";

/** Records the solution as shown, or says why not. */
export const handler: Handlers = {
  async POST(req, ctx) {
    const refused = actionRefused(req, ctx.state);
    if (refused) return refused;
    const lesson = lessonFromParam(await listLessons(ctx.state.root), ctx.params.lesson);
    if (!lesson) return refusal(404, `There is no lesson "${ctx.params.lesson}".`);
    const id = new URL(req.url).searchParams.get("exercise") ?? "";
    const exercise = lesson.exercises.find((e) => e.id === id);
    if (!exercise) {
      return refusal(404, `Lesson ${lesson.number} has no exercise "${id.slice(0, 20)}".`);
    }
    const { notice } = await updateProgress(
      ctx.state.root,
      (p) => recordSolutionShown(p, lesson, exercise.id),
    );
    return Response.json({ shown: exercise.id, notice }, {
      headers: { "cache-control": "no-store" },
    });
  },
};
