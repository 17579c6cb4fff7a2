/**
 * `/lessons` (and `/lessons/`, redirected here first): there is no list of lessons apart from
 * the course map, so this sends the browser to `/`.
 *
 * @example
 * ```ts
 * // GET /lessons answers 302 with Location: /
 * ```
 * @module
 */
import type { Handlers } from "../../glue/types.ts";

/** Redirects to the course map. */
export const handler: Handlers = {
  GET() {
    return new Response(null, { status: 302, headers: { location: "/" } });
  },
};
