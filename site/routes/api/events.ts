/**
 * `GET /api/events`: server-sent events that tell an open page when to refresh what it shows
 * of the learner's checks: `progress` when `.course/progress.json` changed (a check ran, in the
 * terminal or from the page), `check` when the Check button's run starts or ends (its `data`:
 * `{"lesson": N, "running": true}`). The page then fetches itself again and swaps its
 * `data-live` parts (see `glue/live.ts`); the server renders them, so nothing is decided twice.
 *
 * @example
 * ```ts
 * // const events = new EventSource("/api/events");
 * // events.addEventListener("progress", () => location.reload());
 * ```
 * @module
 */
import type { Handlers } from "../../glue/types.ts";
import { type LiveEvent, workspaceFor } from "../../utils/workspace.ts";

/** Streams the events until the page goes away. */
export const handler: Handlers = {
  GET(req, ctx) {
    const headers = {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
    };
    if (req.method === "HEAD") return new Response(null, { headers });
    const workspace = workspaceFor(ctx.state.root);
    const encoder = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (event: LiveEvent) => {
          const { type, ...data } = event;
          controller.enqueue(encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`));
        };
        controller.enqueue(encoder.encode("retry: 2000\n: listening\n\n"));
        const running = workspace.running;
        if (running) send({ type: "check", lesson: running.lesson, running: true });
        stop = workspace.subscribe(send);
      },
      cancel() {
        stop();
      },
    });
    return new Response(body, { headers });
  },
};
