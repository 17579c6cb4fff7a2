/**
 * A lesson's checks on its page: each exercise's state at the last check, and under one that
 * does not pass the terminal's own lines for it (`problem:`, `where:` linked to the line,
 * `text:`, `stuck?`); then the "Check this lesson" button and the place its output streams to.
 * The list is a `data-live` part: the page swaps in a fresh rendering when
 * `.course/progress.json` changes (see `glue/live.ts`).
 *
 * @example
 * ```tsx
 * import { CheckStatus } from "./check_status.tsx";
 * // <CheckStatus view={view} functionLines={{ f: 12 }} workspace />
 * ```
 * @module
 */
import type { Kind } from "@lib/course/status.ts";
import { Difficulty } from "./difficulty.tsx";
import { type LessonView, linkedLines } from "../utils/check_status.ts";
import { ago } from "@lib/course/report.ts";

/** The badge's CSS suffix of each case (the colours of `styles.css`' `.badge-*`). */
const BADGE: Record<Kind, string> = {
  "passed": "passed",
  "fallback only": "passed",
  "failing": "failing",
  "not started": "not-started",
  "waits": "not-started",
  "no tests": "no-tests",
  "not checked": "unknown",
};

/**
 * The exercises' states and next steps, and the Check button (when `workspace`).
 *
 * @example
 * ```tsx
 * import { CheckStatus } from "./check_status.tsx";
 * // <CheckStatus view={await lessonView(root, lesson, lessons, progress)} functionLines={{}} />
 * ```
 */
export function CheckStatus(
  { view, functionLines, workspace = false, now = new Date() }: {
    view: LessonView;
    functionLines: Record<string, number>;
    workspace?: boolean;
    now?: Date;
  },
) {
  const { status } = view;
  const { lesson } = status;
  const total = lesson.exercises.length;
  return (
    <div class="check-status">
      <div id="check-status" data-live>
        <p class="check-summary">
          <progress max={total} value={status.done} aria-label="Exercises that pass" />{" "}
          {status.done} of {total} exercises pass
          {status.checked
            ? ` · checked ${ago(status.checked, now)}` +
              (status.changedSince ? ", your files changed since" : "")
            : " · not checked yet"}
        </p>
        <ul class="exercise-status">
          {view.exercises.map(({ status: s, label, steps }) => {
            const e = s.exercise;
            return (
              <li id={`status-${e.id.replace(".", "-")}`} data-kind={s.kind}>
                <a href={`#${e.anchor}`}>{e.id} {e.title}</a> <Difficulty level={e.difficulty} />
                {" "}
                <span class="minutes">{e.minutes} min</span>{" "}
                <span class={`badge badge-${BADGE[s.kind]}`}>{label}</span>{" "}
                <span class="functions">
                  {e.functions.map((fn) =>
                    functionLines[fn]
                      ? (
                        <a
                          key={fn}
                          href={`/source/${lesson.paths.exercises}#L${functionLines[fn]}`}
                        >
                          <code>{fn}</code>
                        </a>
                      )
                      : <code key={fn}>{fn}</code>
                  )}
                </span>
                {steps.length > 0 && (
                  <pre
                    class="check-steps"
                    dangerouslySetInnerHTML={{ __html: linkedLines(steps) }}
                  />
                )}
              </li>
            );
          })}
        </ul>
        {view.summary.length > 0 && (
          <pre
            class="check-steps"
            dangerouslySetInnerHTML={{ __html: linkedLines(view.summary) }}
          />
        )}
      </div>
      {workspace && (
        <div class="check-run">
          <button type="button" id="check-button" data-check={String(lesson.number)}>
            Check lesson {lesson.number}
          </button>{" "}
          <span id="check-message" role="status" aria-live="polite">
            runs <code>deno task lesson {lesson.number}</code>{" "}
            here; this page updates by itself after each check, from here or from your terminal.
          </span>
          <pre id="check-output" class="check-output" hidden />
        </div>
      )}
    </div>
  );
}
