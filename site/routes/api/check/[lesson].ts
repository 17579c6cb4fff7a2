/**
 * `POST /api/check/N`: the page's "Check this lesson" button. Runs `deno task lesson N` in the
 * course folder (the terminal's own command, so the check is the same and is recorded the same
 * way) and streams its output as newline-delimited JSON (see `CheckMessage`), ending with its exit
 * code. One check runs at a time: a second request while one runs gets 409 and says which.
 *
 * Only for a site served on this machine only, and only from this site's own pages: see
 * `actionRefused` (403 otherwise).
 *
 * @example
 * ```ts
 * // await fetch("/api/check/1", { method: "POST", headers: { "x-course-check": "1" } });
 * ```
 * @module
 */
import { listLessons } from "@lib/course/lessons.ts";
import type { Handlers } from "../../../glue/types.ts";
import { lessonFromParam } from "../../lessons/[lesson].tsx";
import { actionRefused, refusal, workspaceFor } from "../../../utils/workspace.ts";

/** Starts the check, or says why not. */
export const handler: Handlers = {
  async POST(req, ctx) {
    const refused = actionRefused(req, ctx.state);
    if (refused) return refused;
    const lesson = lessonFromParam(await listLessons(ctx.state.root), ctx.params.lesson);
    if (!lesson) return refusal(404, `There is no lesson "${ctx.params.lesson}".`);
    const started = workspaceFor(ctx.state.root).check(lesson.number);
    if ("busy" in started) {
      const seconds = Math.round((Date.now() - started.busy.started) / 1000);
      return refusal(
        409,
        `A check is already running (lesson ${started.busy.lesson}, started ${seconds} s ago): ` +
          `one at a time. Its result shows here when it ends.`,
      );
    }
    return new Response(started.stream, {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  },
};
