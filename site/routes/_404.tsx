/**
 * The page for any unknown address (Fresh's `_404.tsx`): says what was asked for and where the
 * lessons are.
 *
 * @example
 * ```tsx
 * // Rendered by the server with status 404.
 * ```
 * @module
 */
import type { PageProps } from "../glue/types.ts";

/**
 * The 404 page.
 *
 * @example
 * ```tsx
 * import NotFound from "./_404.tsx";
 * <NotFound data={undefined} params={{}} url={new URL("http://x/nope")} state={{ root: "." }} />;
 * ```
 */
export default function NotFound({ url }: PageProps) {
  return (
    <main id="main" class="not-found">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{url.pathname}</code>.
      </p>
      <ul>
        <li>
          <a href="/">The course map</a> lists every lesson and your progress.
        </li>
        <li>
          Lessons live at <code>/lessons/N</code>, for example <a href="/lessons/1">/lessons/1</a>.
        </li>
        <li>
          Course files can be read at <code>/source/PATH</code>, for example{" "}
          <a href="/source/lessons/01_bigram_data/exercises.ts">
            /source/lessons/01_bigram_data/exercises.ts
          </a>.
        </li>
      </ul>
    </main>
  );
}
