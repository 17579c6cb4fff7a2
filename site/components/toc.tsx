/**
 * "On this page": the table of contents of a lesson or of the spec, built from the rendered
 * page's `<h2>` sections and `<h3>` subsections (a lesson's exercises among them). On a wide
 * screen it sits in the right margin and stays in view while the page scrolls; on a narrow one
 * it is a folded list at the top of the page (see `static/styles.css`). The island
 * `islands/page_toc.tsx` shows it and marks the section being read.
 *
 * @example
 * ```tsx
 * import { TocList, tocEntries } from "./toc.tsx";
 * <TocList entries={tocEntries('<h2 id="goals">Goals</h2>')} />;
 * ```
 * @module
 */

/** One entry of the table of contents. */
export interface TocEntry {
  /** The heading's anchor (its `id`). */
  id: string;
  /** The heading's HTML without its self-link (it may hold code or math). */
  html: string;
  /** 2 for a section, 3 for a subsection. */
  level: number;
}

/**
 * The `<h2>` and `<h3>` headings of rendered HTML, in order, with their anchors; each heading's
 * own `#` link (see `headingAnchors` in `utils/markdown.ts`) is left out.
 *
 * @example
 * ```ts
 * import { tocEntries } from "./toc.tsx";
 * tocEntries('<h2 id="3-training">3. Training</h2>'); // [{ id: "3-training", html: "3. Training", level: 2 }]
 * ```
 */
export function tocEntries(html: string): TocEntry[] {
  return [...html.matchAll(/<h([23]) id="([^"]+)">([\s\S]*?)<\/h\1>/g)].map((m) => ({
    id: m[2],
    html: m[3].replace(/\s*<a class="heading-anchor"[^>]*>#<\/a>$/, ""),
    level: Number(m[1]),
  }));
}

/**
 * The list of links, one per entry; the entry `current` (an anchor) is marked
 * `aria-current="true"`.
 *
 * @example
 * ```tsx
 * import { TocList } from "./toc.tsx";
 * <TocList entries={[{ id: "goals", html: "Goals", level: 2 }]} current="goals" />;
 * ```
 */
export function TocList({ entries, current }: { entries: TocEntry[]; current?: string }) {
  return (
    <ol class="toc-list">
      {entries.map((e) => (
        <li class={`toc-${e.level}`}>
          <a
            href={`#${e.id}`}
            aria-current={e.id === current ? "true" : undefined}
            dangerouslySetInnerHTML={{ __html: e.html }}
          />
        </li>
      ))}
    </ol>
  );
}
