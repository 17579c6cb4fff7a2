/**
 * `POST /api/check/N`: the page's "Check this lesson" button. Runs `deno task lesson N` in the
 * course folder (the terminal's own command, so the check is the same and is recorded the same
 * way) and streams its output as newline-delimited JSON (see `CheckMessage`), ending with its exit
 * code. One check runs at a time: a second request while one runs gets 409 and says which.
 *
 * Only for a site served on this machine only (started without `--host`, or with a loopback
 * one): a shared site answers 403. A request from another web page is refused too (403): it must
 * carry the header `x-course-check` (which a cross-site form cannot send, and a cross-site
 * `fetch` cannot send without a preflight this site never grants) and, when it has an `Origin`,
 * come from this site.
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
import { workspaceFor } from "../../../utils/workspace.ts";

/** The header a check request must carry. */
export const CHECK_HEADER = "x-course-check";

/** Starts the check, or says why not. */
export const handler: Handlers = {
  async POST(req, ctx) {
    const refuse = (status: number, message: string) =>
      Response.json({ error: message }, { status, headers: { "cache-control": "no-store" } });
    if (!ctx.state.workspace) {
      return refuse(
        403,
        "This site is shared on the network (--host), so it does not run checks: run " +
          "`deno task lesson N` in a terminal, or serve the site on this machine only.",
      );
    }
    const origin = req.headers.get("origin");
    if (!req.headers.has(CHECK_HEADER) || (origin && origin !== new URL(req.url).origin)) {
      return refuse(403, "Refused: a check can only be started from this site's own pages.");
    }
    const lesson = lessonFromParam(await listLessons(ctx.state.root), ctx.params.lesson);
    if (!lesson) return refuse(404, `There is no lesson "${ctx.params.lesson}".`);
    const started = workspaceFor(ctx.state.root).check(lesson.number);
    if ("busy" in started) {
      const seconds = Math.round((Date.now() - started.busy.started) / 1000);
      return refuse(
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
