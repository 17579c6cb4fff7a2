/**
 * The links to the previous and the next lesson, shown at the top and at the bottom of a
 * lesson page.
 *
 * @example
 * ```tsx
 * import { Pager } from "./pager.tsx";
 * <Pager label="Lessons" next={{ number: 2, title: "Attention" }} />;
 * ```
 * @module
 */

/** A lesson as the pager names it. */
export interface PagerLesson {
  /** Its number. */
  number: number;
  /** Its title. */
  title: string;
}

/**
 * The pager: `← Lesson N-1: title` on the left, `Lesson N+1: title →` on the right.
 *
 * @example
 * ```tsx
 * import { Pager } from "./pager.tsx";
 * <Pager label="Lessons" previous={{ number: 1, title: "Data" }} />;
 * ```
 */
export function Pager(
  { label, previous, next, top }: {
    label: string;
    previous?: PagerLesson;
    next?: PagerLesson;
    top?: boolean;
  },
) {
  return (
    <nav aria-label={label} class={`pager${top ? " pager-top" : ""}`}>
      {previous
        ? (
          <a href={`/lessons/${previous.number}`} rel="prev">
            ← Lesson {previous.number}: {previous.title}
          </a>
        )
        : <span />}
      {next
        ? (
          <a href={`/lessons/${next.number}`} rel="next">
            Lesson {next.number}: {next.title} →
          </a>
        )
        : <span />}
    </nav>
  );
}
