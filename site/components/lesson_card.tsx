/**
 * One lesson on the course map: its number and title, objectives, and each exercise with its
 * difficulty, time box and last checked state.
 *
 * @example
 * ```tsx
 * import { parseLesson } from "@lib/course/lessons.ts";
 * import { LessonCard } from "./lesson_card.tsx";
 * <LessonCard lesson={parseLesson("09_x", "# Lesson 9: X\n")} progress={undefined} />;
 * ```
 * @module
 */
import type { Lesson } from "@lib/course/lessons.ts";
import type { LessonProgress } from "@lib/course/progress.ts";
import { Difficulty } from "./difficulty.tsx";
import { ProgressBadge } from "./progress_badge.tsx";
import { InlineMarkdown } from "./inline_markdown.tsx";

/**
 * The card.
 *
 * @example
 * ```tsx
 * import { parseLesson } from "@lib/course/lessons.ts";
 * import { LessonCard } from "./lesson_card.tsx";
 * <LessonCard lesson={parseLesson("09_x", "# Lesson 9: X\n")} progress={undefined} />;
 * ```
 */
export function LessonCard(
  { lesson, progress }: { lesson: Lesson; progress: LessonProgress | undefined },
) {
  const minutes = lesson.exercises.reduce((sum, e) => sum + e.minutes, 0);
  const passed = lesson.exercises.filter((e) => progress?.exercises[e.id]?.state === "passed");
  const headingId = `lesson-${lesson.number}`;
  return (
    <article class="lesson-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <a href={`/lessons/${lesson.number}`}>
          Lesson {lesson.number}: {lesson.title}
        </a>
      </h3>
      <p class="lesson-summary">
        {lesson.exercises.length} exercises · about {minutes} min · {progress?.lastChecked
          ? `${passed.length} of ${lesson.exercises.length} passed (checked ${
            formatTime(progress.lastChecked)
          })`
          : (
            <span>
              not checked yet: run <code>deno task lesson {lesson.number}</code>
            </span>
          )}
      </p>
      {lesson.objectives.length > 0 && (
        <>
          <h4>You will</h4>
          <ul class="objectives">
            {lesson.objectives.map((o) => (
              <li>
                <InlineMarkdown text={o} />
              </li>
            ))}
          </ul>
        </>
      )}
      {lesson.exercises.length > 0 && (
        <table class="exercises">
          <caption class="visually-hidden">Exercises of lesson {lesson.number}</caption>
          <thead>
            <tr>
              <th scope="col">Exercise</th>
              <th scope="col">Difficulty</th>
              <th scope="col">Time</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {lesson.exercises.map((e) => (
              <tr>
                <td>
                  <a href={`/lessons/${lesson.number}#${e.anchor}`}>{e.id} {e.title}</a>
                </td>
                <td>
                  <Difficulty level={e.difficulty} />
                </td>
                <td>{e.minutes} min</td>
                <td>
                  <ProgressBadge progress={progress?.exercises[e.id]} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

/**
 * A check's time (ISO 8601) as "2026-01-02 03:04" in UTC.
 *
 * @example
 * ```ts
 * import { formatTime } from "./lesson_card.tsx";
 * formatTime("2026-01-02T03:04:05.000Z"); // "2026-01-02 03:04 UTC"
 * ```
 */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
