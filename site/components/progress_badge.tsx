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
  const extras = [
    progress?.hintsSeen
      ? `${progress.hintsSeen} hint${progress.hintsSeen > 1 ? "s" : ""} read`
      : "",
    progress?.solutionShown ? "solution shown" : "",
  ].filter(Boolean).join(", ");
  const more = extras ? <span class="badge-extra">{extras}</span> : null;
  if (!progress?.lastChecked) {
    return <span class="badge badge-unknown">not checked yet{more}</span>;
  }
  const counts = progress.total > 0 ? ` ${progress.passed}/${progress.total}` : "";
  const kind = progress.state.replace(" ", "-");
  return <span class={`badge badge-${kind}`}>{progress.state + counts}{more}</span>;
}
