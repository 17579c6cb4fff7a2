/**
 * The paper spec, `lessons/paper_spec.md`: the paper's setup, equations and hyperparameters, and
 * where each comes from. The lesson READMEs cite it as "spec §N" and link it as
 * `../paper_spec.md`, which the lesson pages point here. Rendered like a lesson (math typeset
 * with KaTeX, the spec's plain-text names such as `W_K^1` included, code highlighted, GitHub's
 * heading anchors, so `/spec#3-training` works, each heading linking to itself, and its own
 * "§N" mentions linked), with its sections in the table of contents.
 *
 * @example
 * ```ts
 * // GET /spec renders this page.
 * ```
 * @module
 */
import { join } from "node:path";
import type { Handlers, PageProps } from "../glue/types.ts";
import {
  headingAnchors,
  linkSpecSections,
  renderMarkdown,
  specSectionAnchors,
  typesetPlainMath,
} from "../utils/markdown.ts";
import { tocEntries } from "../components/toc.tsx";
import PageToc from "../islands/page_toc.tsx";

/** The spec's path, relative to the course root. */
export const SPEC_PATH = "lessons/paper_spec.md";

/** A section heading of the spec, for the list of sections. */
export interface SpecSection {
  /** The heading's anchor (its `id`). */
  id: string;
  /** The heading's HTML (it may hold code or math). */
  html: string;
  /** 2 for a section, 3 for a subsection. */
  level: number;
}

/** What the handler passes to the page. */
export interface SpecData {
  /** The spec's title (its first heading), as HTML. */
  title: string;
  /** The spec without its title, as HTML. */
  html: string;
  /** Its sections and subsections, in order. */
  sections: SpecSection[];
}

/**
 * The `<h2>` and `<h3>` headings of rendered Markdown, with their anchors.
 *
 * @example
 * ```ts
 * import { specSections } from "./spec.tsx";
 * specSections('<h2 id="3-training">3. Training</h2>'); // [{ id: "3-training", html: "3. Training", level: 2 }]
 * ```
 */
export function specSections(html: string): SpecSection[] {
  return tocEntries(html);
}

/** Reads and renders the spec; a 404 when the course has none. */
export const handler: Handlers<SpecData> = {
  async GET(_req, ctx) {
    let markdown: string;
    try {
      markdown = await Deno.readTextFile(join(ctx.state.root, SPEC_PATH));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return ctx.renderNotFound();
      throw error;
    }
    const heading = markdown.match(/^# (.*)\n/);
    const body = typesetPlainMath(heading ? markdown.slice(heading[0].length) : markdown);
    const html = linkSpecSections(
      headingAnchors(renderMarkdown(body)),
      specSectionAnchors(markdown),
      "",
    );
    const title = heading ? renderMarkdown(heading[1]).replace(/^<p>|<\/p>\n?$/g, "") : "";
    ctx.state.title = "The paper spec";
    return ctx.render({ title, html, sections: specSections(html) });
  },
};

/**
 * The spec page.
 *
 * @example
 * ```tsx
 * // Rendered by the server from the handler's data.
 * ```
 */
export default function SpecPage({ data }: PageProps<SpecData>) {
  return (
    <main id="main" class="spec with-toc">
      <PageToc entries={data.sections} />
      <div class="page-body">
        <nav aria-label="Breadcrumb" class="breadcrumb">
          <a href="/">Course map</a> › Paper spec
        </nav>
        <h1>The paper spec</h1>
        {data.title && <p class="lede" dangerouslySetInnerHTML={{ __html: data.title }} />}
        <p>
          The lessons cite this page as “spec §N”. Its source is{" "}
          <a href={`/source/${SPEC_PATH}`}>
            <code>{SPEC_PATH}</code>
          </a>.
        </p>
        <article class="lesson-text" dangerouslySetInnerHTML={{ __html: data.html }} />
      </div>
    </main>
  );
}
