/**
 * Lesson Markdown to HTML, on the server: `marked` for the Markdown, KaTeX for `$...$` and
 * `$$...$$` (through `marked-katex-extension`), highlight.js for fenced code (through
 * `marked-highlight`) and GitHub's heading anchors (through `marked-gfm-heading-id`, the same
 * anchors as `anchorOf` in `lib/course/lessons.ts`). Raw HTML such as the hints' `<details>` is
 * kept: the README is the course's own text. Display math written over several lines,
 * `$$a =\n b$$` (as GitHub accepts it), is first put on lines of its own so that the KaTeX
 * extension sees it before Markdown eats its backslashes.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * renderMarkdown("Energy: $E = mc^2$"); // '<p>Energy: <span class="katex">...</span></p>\n'
 * ```
 * @module
 */
import { Marked } from "marked";
import markedKatex from "marked-katex-extension";
import { markedHighlight } from "marked-highlight";
import { gfmHeadingId } from "marked-gfm-heading-id";
import hljs from "highlight.js";

const marked = new Marked(
  markedHighlight({
    langPrefix: "hljs language-",
    highlight(code: string, lang: string) {
      const language = hljs.getLanguage(lang) ? lang : "plaintext";
      return hljs.highlight(code, { language }).value;
    },
  }),
  markedKatex({ throwOnError: false, nonStandard: true }),
  gfmHeadingId(),
);

/**
 * Renders Markdown (with math and code) to HTML.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * renderMarkdown("# Title"); // '<h1 id="title">Title</h1>\n'
 * ```
 */
export function renderMarkdown(markdown: string): string {
  return marked.parse(splitDisplayMath(markdown), { async: false });
}

/**
 * Points a lesson README's relative image links (`![curves](figures/birth.svg)`) at the URL the
 * site serves that lesson's `figures/` folder from (`/_lessons/05_training/figures/birth.svg`),
 * so the same README works on GitHub, in an editor and on the site.
 *
 * @example
 * ```ts
 * import { lessonImageUrls } from "./markdown.ts";
 * lessonImageUrls("![a](figures/a.svg)", "05_training"); // "![a](/_lessons/05_training/figures/a.svg)"
 * ```
 */
export function lessonImageUrls(markdown: string, slug: string): string {
  return markdown.replace(
    /(!\[[^\]]*\]\()(?![a-z]+:|\/|#)([^)\s]+)\)/gi,
    (_, open: string, href: string) => `${open}/_lessons/${slug}/${href.replace(/^\.\//, "")})`,
  );
}

/**
 * Rewrites display math that spans lines, `$$a\nb$$`, as `$$\na\nb\n$$` (the block form the
 * KaTeX extension reads), outside fenced code blocks.
 *
 * @example
 * ```ts
 * import { splitDisplayMath } from "./markdown.ts";
 * splitDisplayMath("$$a =\n b.$$\n"); // "$$\na =\n b.\n$$\n"
 * ```
 */
export function splitDisplayMath(markdown: string): string {
  const parts = markdown.split(
    /(^[ \t]*(?:`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*(?:`{3,}|~{3,})[ \t]*$)/m,
  );
  return parts
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(
        /(^|\n)([ \t]*)\$\$([^$]+?)\$\$[ \t]*(?=\n|$)/g,
        (whole, start: string, indent: string, body: string) =>
          body.includes("\n") ? `${start}${indent}$$\n${body.trim()}\n${indent}$$` : whole,
      )
    )
    .join("");
}

/**
 * Highlights a whole source file as TypeScript (or another language highlight.js knows).
 *
 * @example
 * ```ts
 * import { highlightCode } from "./markdown.ts";
 * highlightCode("const x = 1;", "ts"); // '<span class="hljs-keyword">const</span> x = ...'
 * ```
 */
export function highlightCode(code: string, lang: string): string {
  const language = hljs.getLanguage(lang) ? lang : "plaintext";
  return hljs.highlight(code, { language }).value;
}

/**
 * Renders one line of Markdown without the wrapping `<p>`.
 *
 * @example
 * ```ts
 * import { renderInlineMarkdown } from "./markdown.ts";
 * renderInlineMarkdown("**a**"); // "<strong>a</strong>"
 * ```
 */
export function renderInlineMarkdown(text: string): string {
  return marked.parseInline(text, { async: false });
}
