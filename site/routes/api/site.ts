/**
 * `GET /api/site`: `{ "pid": N }`, this site's process id. `deno task lesson N` asks it before
 * it links to the site (see `lib/course/site_address.ts`), so a `.course/site.json` left by a
 * site that was killed never yields a dead link.
 *
 * @example
 * ```ts
 * // await (await fetch("http://127.0.0.1:8000/api/site")).json(); // { pid: 12345 }
 * ```
 * @module
 */
import type { Handlers } from "../../glue/types.ts";

/** Answers the process id. */
export const handler: Handlers = {
  GET() {
    return Response.json({ pid: Deno.pid }, { headers: { "cache-control": "no-store" } });
  },
};
