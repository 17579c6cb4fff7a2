/**
 * Lesson Markdown to HTML, on the server: `marked` for the Markdown, KaTeX for `$...$` and
 * `$$...$$` (through `marked-katex-extension`), highlight.js for fenced code (through
 * `marked-highlight`) and GitHub's heading anchors (through `marked-gfm-heading-id`, the same
 * anchors as `anchorOf` in `lib/course/lessons.ts`). Raw HTML such as the hints' `<details>` is
 * kept: the README is the course's own text. Display math written over several lines,
 * `$$a =\n b$$` (as GitHub accepts it), is first put on lines of its own so that the KaTeX
 * extension sees it before Markdown eats its backslashes. Code in a language highlight.js does
 * not know is highlighted as a close relative where there is one (`wgsl` as `rust`, see
 * {@linkcode LANGUAGE_ALIASES}), else left plain.
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

/**
 * Languages highlight.js does not know, highlighted as a close relative: WGSL (lesson 6's
 * WebGPU kernels) shares Rust's `fn`, `let`, `var`, `->`, `struct` and `@attributes`.
 *
 * @example
 * ```ts
 * import { LANGUAGE_ALIASES } from "./markdown.ts";
 * LANGUAGE_ALIASES.wgsl; // "rust"
 * ```
 */
export const LANGUAGE_ALIASES: Readonly<Record<string, string>> = { wgsl: "rust" };

/**
 * The highlight.js language for a fence's language name: itself when highlight.js knows it,
 * its alias, or `plaintext`.
 *
 * @example
 * ```ts
 * import { highlightLanguage } from "./markdown.ts";
 * highlightLanguage("ts"); // "ts"
 * highlightLanguage("wgsl"); // "rust"
 * highlightLanguage("klingon"); // "plaintext"
 * ```
 */
export function highlightLanguage(lang: string): string {
  const name = lang.trim().toLowerCase();
  if (name && hljs.getLanguage(name)) return name;
  const alias = Object.hasOwn(LANGUAGE_ALIASES, name) ? LANGUAGE_ALIASES[name] : undefined;
  return alias && hljs.getLanguage(alias) ? alias : "plaintext";
}

const marked = new Marked(
  markedHighlight({
    langPrefix: "hljs language-",
    highlight(code: string, lang: string) {
      return hljs.highlight(code, { language: highlightLanguage(lang) }).value;
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

/** Where the site shows `lessons/paper_spec.md` (see `routes/spec.tsx`). */
export const SPEC_URL = "/spec";

/**
 * Points a lesson README's links to the paper spec (`[spec](../paper_spec.md)`, with or without
 * a `#section` anchor, inline or as a reference definition) at the site's spec page (`/spec`,
 * `/spec#section`), so the same README works on GitHub, in an editor and on the site. Fenced
 * code is left alone.
 *
 * @example
 * ```ts
 * import { specLinkUrls } from "./markdown.ts";
 * specLinkUrls("[spec §3](../paper_spec.md#3-training)"); // "[spec §3](/spec#3-training)"
 * ```
 */
export function specLinkUrls(markdown: string): string {
  return outsideFences(
    markdown,
    (text) =>
      text
        .replace(
          /(\]\(\s*<?)(?:\.\/)?\.\.\/paper_spec\.md(#[^)\s>]*)?(?=>?[\s)])/g,
          (_, open: string, anchor = "") => `${open}${SPEC_URL}${anchor}`,
        )
        .replace(
          /^([ \t]{0,3}\[[^\]]+\]:[ \t]*<?)(?:\.\/)?\.\.\/paper_spec\.md(#\S*?)?(?=>?(?:\s|$))/gm,
          (_, open: string, anchor = "") => `${open}${SPEC_URL}${anchor}`,
        ),
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
  return outsideFences(markdown, (text) =>
    text.replace(
      /(^|\n)([ \t]*)\$\$([^$]+?)\$\$[ \t]*(?=\n|$)/g,
      (whole, start: string, indent: string, body: string) =>
        body.includes("\n") ? `${start}${indent}$$\n${body.trim()}\n${indent}$$` : whole,
    ));
}

/** Applies `fn` to the Markdown outside fenced code blocks (```` ``` ```` or `~~~`). */
function outsideFences(markdown: string, fn: (text: string) => string): string {
  const parts = markdown.split(
    /(^[ \t]*(?:`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*(?:`{3,}|~{3,})[ \t]*$)/m,
  );
  return parts.map((part, i) => i % 2 === 1 ? part : fn(part)).join("");
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
  return hljs.highlight(code, { language: highlightLanguage(lang) }).value;
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
