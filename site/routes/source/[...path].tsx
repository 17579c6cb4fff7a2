/**
 * Read-only view of a course file, highlighted, with line numbers that link to themselves
 * (`#L12`): `/source/lessons/01_bigram_data/exercises.ts#L12`.
 * Only files under `lessons/`, `solutions/`, `tests/` and `lib/` with a `.ts`, `.md` or `.json`
 * name are shown; anything else, and any path that could leave the course (`..`, encoded or
 * not, absolute paths, links pointing out), is a 404. The reference solutions show only the
 * code of exercises that passed (see {@linkcode shownText}).
 *
 * @example
 * ```ts
 * // GET /source/lessons/01_bigram_data/exercises.ts renders this page.
 * ```
 * @module
 */
import { extname, relative } from "node:path";
import { listLessons } from "@lib/course/lessons.ts";
import { readProgress } from "@lib/course/progress.ts";
import type { Handlers, PageProps } from "../../glue/types.ts";
import { resolveInside, safeJoin } from "../../glue/static.ts";
import { highlightCode } from "../../utils/markdown.ts";
import { hideUnshownSolutions, solutionShown } from "../../utils/solutions.ts";

/** The folders whose files can be viewed. */
export const VIEWABLE_FOLDERS = ["lessons", "solutions", "tests", "lib"];
/** The extensions that can be viewed. */
export const VIEWABLE_EXTENSIONS = [".ts", ".md", ".json"];

/** What the handler passes to the page. */
export interface SourceData {
  /** The path relative to the course root. */
  path: string;
  /** The highlighted file, one HTML string per line (each with its spans closed). */
  lines: string[];
  /** True when reference code of exercises that do not pass yet was left out. */
  hidden?: boolean;
}

/**
 * Splits highlight.js output into lines, each self-contained: a span still open at the end of a
 * line (a multi-line comment or string) is closed there and reopened on the next line.
 *
 * @example
 * ```ts
 * import { highlightedLines } from "./[...path].tsx";
 * highlightedLines('<span class="s">"a\nb"</span>\nx');
 * // ['<span class="s">"a</span>', '<span class="s">b"</span>', "x"]
 * ```
 */
export function highlightedLines(html: string): string[] {
  const open: string[] = [];
  return html.split("\n").map((line) => {
    const out = open.join("") + line;
    for (const tag of line.match(/<span[^>]*>|<\/span>/g) ?? []) {
      if (tag === "</span>") open.pop();
      else open.push(tag);
    }
    return out + "</span>".repeat(open.length);
  });
}

/**
 * The real path of a viewable course file named by a URL path (still percent-encoded), or
 * undefined.
 *
 * @example
 * ```ts
 * import { viewablePath } from "./[...path].tsx";
 * await viewablePath(".", "..%2Fetc%2Fpasswd"); // undefined
 * ```
 */
export async function viewablePath(root: string, urlPath: string): Promise<string | undefined> {
  const joined = safeJoin(root, urlPath);
  if (!joined || !isViewable(relative(root, joined))) return undefined;
  const real = await resolveInside(root, joined);
  // A link may point elsewhere in the course: the file it names must be viewable too.
  if (!real || !isViewable(relative(await Deno.realPath(root), real))) return undefined;
  return real;
}

function isViewable(rel: string): boolean {
  const parts = rel.split(/[\\/]/);
  return parts.length >= 2 && VIEWABLE_FOLDERS.includes(parts[0]) &&
    VIEWABLE_EXTENSIONS.includes(extname(rel));
}

/**
 * The text of a viewable file as the learner may see it: a lesson's reference solution
 * (`solutions/NN_x/exercises.ts`, whatever link led there) with the code of each exercise that
 * has not passed yet hidden (see `hideUnshownSolutions`); any other file of `solutions/` only
 * once every exercise of its lesson passes. Undefined: not shown at all.
 *
 * @example
 * ```ts
 * import { shownText } from "./[...path].tsx";
 * // await shownText(".", "/course/solutions/01_bigram_data/exercises.ts"); // { text, hidden: true }
 * ```
 */
export async function shownText(
  root: string,
  real: string,
): Promise<{ text: string; hidden: boolean } | undefined> {
  const text = await Deno.readTextFile(real);
  const rel = relative(await Deno.realPath(root), real).replaceAll("\\", "/");
  const [top, slug] = rel.split("/");
  if (top !== "solutions") return { text, hidden: false };
  const lesson = (await listLessons(root)).find((l) => l.slug === slug);
  if (!lesson) return undefined;
  const record = (await readProgress(root)).lessons[lesson.slug];
  if (rel === lesson.paths.solution) {
    try {
      const shown = hideUnshownSolutions(text, lesson, record);
      return { text: shown, hidden: shown !== text };
    } catch {
      return undefined; // markers that do not parse: nothing of it is shown
    }
  }
  return lesson.exercises.every((e) => solutionShown(record, e))
    ? { text, hidden: false }
    : undefined;
}

/** Reads and highlights the file, or answers 404. */
export const handler: Handlers<SourceData> = {
  async GET(req, ctx) {
    const raw = new URL(req.url).pathname.replace(/^\/source\//, "");
    const real = await viewablePath(ctx.state.root, raw);
    if (!real) return ctx.renderNotFound();
    const path = decodeURIComponent(raw);
    const shown = await shownText(ctx.state.root, real);
    if (!shown) return ctx.renderNotFound();
    const lang = extname(path) === ".md" ? "markdown" : extname(path) === ".json" ? "json" : "ts";
    ctx.state.title = path;
    return ctx.render({
      path,
      lines: highlightedLines(highlightCode(shown.text, lang)),
      hidden: shown.hidden,
    });
  },
};

/**
 * The file view.
 *
 * @example
 * ```tsx
 * // Rendered by the server from the handler's data.
 * ```
 */
export default function SourcePage({ data }: PageProps<SourceData>) {
  return (
    <main id="main" class="source">
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href="/">Course map</a> › <code>{data.path}</code>
      </nav>
      <h1>
        <code>{data.path}</code>
      </h1>
      <p>
        {data.lines.length}{" "}
        lines. This is a read-only view: edit the file in your editor, then reload this page. Each
        line number is a link (<code>#L12</code>) to that line.
      </p>
      {data.hidden && (
        <p class="note solution-hidden">
          The reference code of the exercises that do not pass yet is hidden: each shows here once
          its exercise passes (<code>deno task lesson N --show-solution</code>{" "}
          shows one now, after asking).
        </p>
      )}
      <pre class="source-code"><code class="hljs">{data.lines.map((line, i) => (
        <span class="line" id={`L${i + 1}`}><a class="ln" href={`#L${i + 1}`} aria-label={`line ${i + 1}`}>{i + 1}</a><span dangerouslySetInnerHTML={{ __html: `${line}\n` }} /></span>
      ))}</code></pre>
    </main>
  );
}
