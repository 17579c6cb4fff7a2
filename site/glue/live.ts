/// <reference lib="dom" />
/**
 * The browser side of the learner's workspace, loaded by pages with `data-live` parts (the
 * server adds it, see `server.ts`). It listens to `/api/events` (server-sent events): when the
 * learner's checks change, it fetches the page again and swaps each `data-live` element for the
 * server's new rendering of it (as Fresh's partials do), so the state shown is the server's,
 * without a reload and without touching the demos. It also drives the "Check this lesson"
 * button (`POST /api/check/N`, its output streamed into the page) and "Show the reference
 * anyway" (after the terminal's question).
 *
 * @example
 * ```ts
 * // In the page (written by server.ts):
 * // <script type="module" src="/_islands/glue/live.js"></script>
 * ```
 * @module
 */
import type { CheckMessage } from "../utils/workspace.ts";

/**
 * Replaces each `data-live` element of `doc` with the element of the same id in `fresh` (a newer
 * rendering of the page); returns how many were replaced.
 *
 * @example
 * ```ts
 * import { swapLive } from "./live.ts";
 * // swapLive(document, new DOMParser().parseFromString(html, "text/html"));
 * ```
 */
export function swapLive(doc: Document, fresh: Document): number {
  let swapped = 0;
  for (const old of Array.from(doc.querySelectorAll<HTMLElement>("[data-live][id]"))) {
    const next = fresh.getElementById(old.id);
    if (!next) continue;
    // Folded parts the reader opened stay open.
    const open = new Set(
      Array.from(old.querySelectorAll("details[open][id]")).map((d) => d.id),
    );
    const copy = doc.importNode(next, true) as HTMLElement;
    for (const d of Array.from(copy.querySelectorAll("details[id]"))) {
      if (open.has(d.id)) d.setAttribute("open", "");
    }
    old.replaceWith(copy);
    swapped++;
  }
  return swapped;
}

let refreshing: Promise<void> | undefined;
let again = false;

/** Fetches the page again and swaps its live parts (one fetch at a time, the last one wins). */
async function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        const res = await fetch(location.pathname + location.search, { cache: "no-store" });
        if (!res.ok) return;
        const html = await res.text();
        swapLive(document, new DOMParser().parseFromString(html, "text/html"));
        document.dispatchEvent(new CustomEvent("course:refreshed"));
      } catch {
        // The server is gone: the event stream reconnects when it is back.
      }
    } while (again);
  })();
  await refreshing;
  refreshing = undefined;
}

function checkButtons(): HTMLButtonElement[] {
  return Array.from(document.querySelectorAll<HTMLButtonElement>("button[data-check]"));
}

/** Shows a check running elsewhere (another tab, or this one) on every Check button. */
function showRunning(lesson: number | undefined): void {
  for (const button of checkButtons()) {
    button.disabled = lesson !== undefined;
    button.textContent = lesson === undefined
      ? `Check lesson ${button.dataset.check}`
      : `Checking lesson ${lesson}…`;
  }
}

function say(text: string, kind: "info" | "error" | "ok" = "info"): void {
  const status = document.getElementById("check-message");
  if (!status) return;
  status.textContent = text;
  status.dataset.kind = kind;
}

/** Runs a lesson's check on the server and streams its output into the page. */
async function runCheck(lesson: string): Promise<void> {
  const output = document.getElementById("check-output");
  if (output) {
    output.textContent = "";
    output.hidden = false;
  }
  say(`Checking lesson ${lesson}: running \`deno task lesson ${lesson}\` on the server…`);
  showRunning(Number(lesson));
  let res: Response;
  try {
    res = await fetch(`/api/check/${encodeURIComponent(lesson)}`, {
      method: "POST",
      headers: { "x-course-check": "1" },
    });
  } catch (error) {
    say(`The check could not be started: ${(error as Error).message}.`, "error");
    showRunning(undefined);
    return;
  }
  if (!res.ok || !res.body) {
    const why = await res.json().then((b) => b.error as string, () => res.statusText);
    say(`${why} (HTTP ${res.status})`, "error");
    if (res.status !== 409) showRunning(undefined);
    return;
  }
  let code: number | undefined;
  let buffer = "";
  const handle = (line: string) => {
    if (!line.trim()) return;
    const m = JSON.parse(line) as CheckMessage;
    if (m.type === "output" && output) output.textContent += m.text;
    if (m.type === "done") code = m.code;
    if (m.type === "error") say(m.message, "error");
  };
  try {
    for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      lines.forEach(handle);
    }
    handle(buffer);
  } catch (error) {
    say(`The connection to the server was lost: ${(error as Error).message}.`, "error");
  }
  if (code === 0) say(`Lesson ${lesson}: every exercise passes.`, "ok");
  else if (code !== undefined) {
    say(
      `Lesson ${lesson} checked: not every exercise passes yet (exit code ${code}). ` +
        `The terminal's report is below; each exercise's state is above.`,
      "error",
    );
  }
  showRunning(undefined);
  await refresh();
}

/**
 * "Show the reference anyway": asks the terminal's question, records the solution as shown
 * (`POST /api/solution/N?exercise=N.M`) and reloads the page at the exercise, now with it.
 */
async function showSolution(button: HTMLButtonElement): Promise<void> {
  const { lesson, exercise, question } = button.dataset;
  if (!lesson || !exercise || !confirm(question ?? "Show the reference solution?")) return;
  button.disabled = true;
  const url = `/api/solution/${encodeURIComponent(lesson)}?exercise=${
    encodeURIComponent(exercise)
  }`;
  const why = await fetch(url, { method: "POST", headers: { "x-course-check": "1" } }).then(
    async (res) => res.ok ? undefined : (await res.json()).error as string,
    (error: Error) => `the site did not answer (${error.message})`,
  );
  if (why) {
    button.disabled = false;
    button.insertAdjacentText("afterend", ` Not shown: ${why}`);
    return;
  }
  location.reload();
}

function start(): void {
  document.addEventListener("click", (event) => {
    const target = event.target as Element | null;
    const button = target?.closest?.("button[data-check]");
    if (button instanceof HTMLButtonElement && !button.disabled) {
      void runCheck(button.dataset.check ?? "");
    }
    const show = target?.closest?.("button.show-solution");
    if (show instanceof HTMLButtonElement && !show.disabled) void showSolution(show);
  });
  const events = new EventSource("/api/events");
  events.addEventListener("progress", () => void refresh());
  events.addEventListener("check", (event) => {
    const { lesson, running } = JSON.parse((event as MessageEvent).data);
    showRunning(running ? lesson : undefined);
  });
  let opened = false;
  events.addEventListener("open", () => {
    // Reconnected: the state may have changed while the page was away (sleep, a restart).
    if (opened) void refresh();
    opened = true;
    document.documentElement.dataset.live = "listening";
  });
}

if (typeof document !== "undefined") start();
