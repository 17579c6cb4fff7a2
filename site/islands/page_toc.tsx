/// <reference lib="dom" />
/**
 * "On this page", the island: the table of contents of `components/toc.tsx`, which marks the
 * section being read. An `IntersectionObserver` hears each heading of the list cross a line a
 * quarter of the way down the window (from below or above, by scrolling or by a jump to an
 * anchor); the section read is then the last heading above that line
 * ({@linkcode currentHeading}). Its link, in both forms of the list, gets
 * `aria-current="true"` (screen readers say "current") and a marked style. The server renders
 * the list with no mark; without JavaScript it is a plain list of links.
 *
 * @example
 * ```tsx
 * import PageToc from "./page_toc.tsx";
 * <PageToc entries={[{ id: "goals", html: "Goals", level: 2 }]} />;
 * ```
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { type TocEntry, TocList } from "../components/toc.tsx";

/** Where the reading line is, as a fraction of the window's height from its top. */
export const READING_LINE = 0.25;

/**
 * The index of the section being read: the last heading whose top (in window coordinates,
 * `tops` in the page's order) is at or above the reading line `line`; -1 before the first.
 *
 * @example
 * ```ts
 * import { currentHeading } from "./page_toc.tsx";
 * currentHeading([-900, -40, 120, 700], 225); // 2
 * currentHeading([300, 700], 225); // -1
 * ```
 */
export function currentHeading(tops: number[], line: number): number {
  let current = -1;
  tops.forEach((top, i) => {
    if (top <= line) current = i;
  });
  return current;
}

/**
 * The table of contents, marking the section being read (see the module's description).
 *
 * @example
 * ```tsx
 * import PageToc from "./page_toc.tsx";
 * <PageToc entries={[{ id: "goals", html: "Goals", level: 2 }]} />;
 * ```
 */
export default function PageToc({ entries }: { entries: TocEntry[] }) {
  const [current, setCurrent] = useState<string>();
  useEffect(() => {
    const headings = entries.map((e) => document.getElementById(e.id))
      .filter((h): h is HTMLElement => h !== null);
    if (headings.length === 0 || typeof IntersectionObserver === "undefined") return;
    const update = () => {
      const line = globalThis.innerHeight * READING_LINE;
      const i = currentHeading(headings.map((h) => h.getBoundingClientRect().top), line);
      setCurrent(i < 0 ? undefined : headings[i].id);
    };
    // The observed area runs from far above the page down to the reading line, so a heading
    // crossing the line either way is seen, even on a jump that skips frames of scrolling.
    const observer = new IntersectionObserver(update, {
      rootMargin: `1000000px 0px -${(1 - READING_LINE) * 100}% 0px`,
    });
    for (const h of headings) observer.observe(h);
    update();
    return () => observer.disconnect();
  }, [entries]);
  if (entries.length === 0) return null;
  return (
    <>
      <nav class="page-toc" aria-label="On this page">
        <p class="toc-title">On this page</p>
        <TocList entries={entries} current={current} />
      </nav>
      <details class="toc-inline">
        <summary>On this page</summary>
        <nav aria-label="On this page (list)">
          <TocList entries={entries} current={current} />
        </nav>
      </details>
    </>
  );
}
