/**
 * An exercise's last checked state as a small badge, in words (not only colour), with the
 * hints read and whether the solution was shown, as `.course/progress.json` records them.
 *
 * @example
 * ```tsx
 * import { ProgressBadge } from "./progress_badge.tsx";
 * <ProgressBadge progress={undefined} />; // "not checked yet"
 * ```
 * @module
 */
import type { ExerciseProgress } from "@lib/course/progress.ts";
import { badge } from "@lib/course/status.ts";

/**
 * The badge; "not checked yet" when the exercise has never been checked.
 *
 * @example
 * ```tsx
 * import { ProgressBadge } from "./progress_badge.tsx";
 * <ProgressBadge progress={undefined} />;
 * ```
 */
export function ProgressBadge({ progress }: { progress: ExerciseProgress | undefined }) {
  const { label, kind, extras } = badge(progress);
  return (
    <span class={`badge badge-${kind}`}>
      {label}
      {extras ? <span class="badge-extra">{extras}</span> : null}
    </span>
  );
}
