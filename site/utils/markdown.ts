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

/** Fence languages that are shell commands. */
const SHELL_LANGUAGES = new Set(["sh", "shell", "bash", "zsh", "console", "shell-session"]);

/**
 * Whether a fenced block is shell commands: its language says so, or it has none and every line
 * is a command the course tells the reader to type (`deno task ...`, `npx ...`, `$ ...`).
 *
 * @example
 * ```ts
 * import { isShell } from "./markdown.ts";
 * isShell("sh", "ls"); // true
 * isShell("", "deno task lesson 1"); // true
 * isShell("", "x_t = w_E(z_t)"); // false
 * ```
 */
export function isShell(lang: string, code: string): boolean {
  const name = lang.trim().toLowerCase();
  if (name) return SHELL_LANGUAGES.has(name);
  const lines = code.split("\n").filter((l) => l.trim());
  return lines.length > 0 &&
    lines.every((l) => /^\s*(\$ |#|(deno|npx|npm|git|cd|ls|cat|export|chromium)\b)/.test(l));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Highlights shell commands with highlight.js' classes: the prompt (`$`), each command's name,
 * its options (`--preset`, `-h`), quoted strings, variables and comments. (highlight.js' `bash`
 * takes words such as `log` in `--log` for built-ins.)
 *
 * @example
 * ```ts
 * import { highlightShell } from "./markdown.ts";
 * highlightShell("deno task train --preset cpu  # 1 min");
 * // '<span class="hljs-built_in">deno</span> task train <span class="hljs-attr">--preset</span> cpu  <span class="hljs-comment"># 1 min</span>'
 * ```
 */
export function highlightShell(code: string): string {
  return code.split("\n").map((line) => {
    let out = "";
    let commandNext = true;
    const tokens = line.match(/\s+|#.*$|"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s"'#]+|#/g) ?? [];
    for (const token of tokens) {
      const text = escapeHtml(token);
      if (/^\s+$/.test(token)) {
        out += text;
        continue;
      }
      if (token.startsWith("#") && (out === "" || /\s$/.test(out))) {
        out += `<span class="hljs-comment">${text}</span>`;
      } else if (token === "$" && out.trim() === "") {
        out += `<span class="hljs-meta">${text}</span>`;
        continue;
      } else if (commandNext && /^\w+=/.test(token)) {
        out += `<span class="hljs-variable">${text}</span>`;
        continue;
      } else if (/^["']/.test(token)) out += `<span class="hljs-string">${text}</span>`;
      else if (/^(&&|\|\|?|;)$/.test(token)) {
        out += `<span class="hljs-operator">${text}</span>`;
        commandNext = true;
        continue;
      } else if (/^--?[A-Za-z]/.test(token)) out += `<span class="hljs-attr">${text}</span>`;
      else if (/^\$\w+/.test(token)) out += `<span class="hljs-variable">${text}</span>`;
      else if (commandNext) {
        out += `<span class="hljs-built_in">${text}</span>`;
      } else out += text;
      commandNext = false;
    }
    return out;
  }).join("\n");
}

const marked = new Marked(
  markedHighlight({
    langPrefix: "hljs language-",
    highlight(code: string, lang: string) {
      if (isShell(lang, code)) return highlightShell(code);
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
 * and the course's shared figures (`![map](../figures/induction_head.svg)`, and plain links into
 * a `figures/` folder) at `/_lessons/figures/`, so the same README works on GitHub, in an editor
 * and on the site.
 *
 * @example
 * ```ts
 * import { lessonImageUrls } from "./markdown.ts";
 * lessonImageUrls("![a](figures/a.svg)", "05_training"); // "![a](/_lessons/05_training/figures/a.svg)"
 * lessonImageUrls("[map](../figures/m.svg)", "02_attention"); // "[map](/_lessons/figures/m.svg)"
 * ```
 */
export function lessonImageUrls(markdown: string, slug: string): string {
  const base = `http://course/_lessons/${slug}/`;
  return markdown.replace(
    /(!?\[[^\]]*\]\()(?![a-z]+:|\/|#)([^)\s]+)\)/gi,
    (link, open: string, href: string) =>
      open.startsWith("!") || /^(\.\.\/)?figures\//.test(href)
        ? `${open}${new URL(href, base).pathname})`
        : link,
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
 * Points a lesson README's links to another lesson's README (`[lesson 0](../00_tfjs_primer/README.md)`,
 * with or without a `#section` anchor) at that lesson's page (`/lessons/0`, `/lessons/0#section`).
 * Fenced code is left alone.
 *
 * @example
 * ```ts
 * import { lessonLinkUrls } from "./markdown.ts";
 * lessonLinkUrls("[primer](../00_tfjs_primer/README.md#background)"); // "[primer](/lessons/0#background)"
 * ```
 */
export function lessonLinkUrls(markdown: string): string {
  return outsideFences(
    markdown,
    (text) =>
      text.replace(
        /(\]\(\s*<?)(?:\.\/)?\.\.\/(\d\d)_[a-z0-9_]+\/README\.md(#[^)\s>]*)?(?=>?[\s)])/g,
        (_, open: string, number: string, anchor = "") =>
          `${open}/lessons/${Number(number)}${anchor}`,
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

/**
 * Gives every `<h2>` to `<h4>` that has an `id` a link to itself (a `#` after the text, shown
 * faintly until the heading is hovered or the link focused), so that any section can be linked.
 *
 * @example
 * ```ts
 * import { headingAnchors } from "./markdown.ts";
 * headingAnchors('<h2 id="a">A</h2>');
 * // '<h2 id="a">A <a class="heading-anchor" href="#a" aria-label="Link to this section">#</a></h2>'
 * ```
 */
export function headingAnchors(html: string): string {
  return html.replace(
    /<h([2-4]) id="([^"]+)">([\s\S]*?)<\/h\1>/g,
    (_, level: string, id: string, inner: string) =>
      `<h${level} id="${id}">${inner} <a class="heading-anchor" href="#${id}" ` +
      `aria-label="Link to this section">#</a></h${level}>`,
  );
}

/**
 * The anchor of each numbered section of the paper spec (`## 3. Training` → `"3"`,
 * `### 3.2 Measured dynamics` → `"3.2"`), as the spec page's headings get them.
 *
 * @example
 * ```ts
 * import { specSectionAnchors } from "./markdown.ts";
 * specSectionAnchors("## 3. Training\n### 3.2 Measured dynamics [MEAS]\n").get("3.2");
 * // "32-measured-dynamics-meas"
 * ```
 */
export function specSectionAnchors(specMarkdown: string): Map<string, string> {
  const anchors = new Map<string, string>();
  const headings: string[] = [];
  let fence = false;
  for (const line of specMarkdown.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fence = !fence;
    else if (!fence && /^#{2,3} \d/.test(line)) headings.push(line);
  }
  const html = renderMarkdown(headings.join("\n\n"));
  for (const m of html.matchAll(/<h[23] id="([^"]+)">(\d+(?:\.\d+)?)\.? /g)) {
    if (!anchors.has(m[2])) anchors.set(m[2], m[1]);
  }
  return anchors;
}

/**
 * Links each mention of a spec section in rendered HTML, "spec §3.2" or a bare "§3.2", to that
 * section (`/spec#32-...`; with `base` `""`, to `#32-...` on the spec page itself). Mentions
 * inside links, code and math, and of sections the spec does not have, are left alone.
 *
 * @example
 * ```ts
 * import { linkSpecSections } from "./markdown.ts";
 * linkSpecSections("<p>see spec §3</p>", new Map([["3", "3-training"]]));
 * // '<p>see <a class="spec-ref" href="/spec#3-training">spec §3</a></p>'
 * ```
 */
export function linkSpecSections(
  html: string,
  anchors: Map<string, string>,
  base: string = SPEC_URL,
): string {
  let skip = 0; // depth inside <a>, <code>, <pre> and KaTeX's MathML annotation
  return html.replace(/<(\/?)(a|code|pre|annotation|math)\b[^>]*>|<[^>]+>|[^<]+/g, (
    token: string,
    close?: string,
    tag?: string,
  ) => {
    if (tag) {
      skip += close ? -1 : 1;
      return token;
    }
    if (token.startsWith("<") || skip > 0) return token;
    return token.replace(
      /(spec(?:'s|’s)? )?§(\d+(?:\.\d+)?)(?![\d])/g,
      (mention: string, _spec: string | undefined, section: string) => {
        // A numbered item inside a section (§8.10) links to its section (§8).
        const id = anchors.get(section) ?? anchors.get(section.split(".")[0]);
        return id ? `<a class="spec-ref" href="${base}#${id}">${mention}</a>` : mention;
      },
    );
  });
}

/**
 * Typesets the plain-text notation of the spec and of the lessons' headings: outside code, links,
 * display math and lines that already hold a `$`, each subscripted name (`W_K^1`, `p_{t−1}^T`, `w_E(k)`, `π_b`, `β1_{t,s}`) becomes
 * inline math (`$W_K^1$`), so that KaTeX draws W with its sub- and superscript. Names with a
 * longer plain subscript (`n_layers`, `d_model`) are code identifiers and stay as they are.
 *
 * @example
 * ```ts
 * import { typesetPlainMath } from "./markdown.ts";
 * typesetPlainMath("W_K^1 ≈ Σ_t p_t p_{t−1}^T, not `w_k`"); // "$W_K^1$ ≈ $Σ_t$ $p_t$ $p_{t-1}^T$, not `w_k`"
 * ```
 */
export function typesetPlainMath(markdown: string): string {
  const name =
    /(?<![\w\\$.\/-])([A-Za-zα-ωΣΠ][0-9]?)_(\{[^{}\s`$|]+\}|[A-Za-z0-9])(\^(?:\{[^{}\s`$|]+\}|[A-Za-z0-9]))?(?![\w{])/g;
  let display = false; // inside display math written over several lines
  return outsideFences(markdown, (text) =>
    text.split("\n").map((line) => {
      if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) display = !display;
      // Kept: lines with math or an image (alt text is plain), link definitions, HTML, and
      // exercise headings (their anchors are the course's: `anchorOf` in lib/course/lessons.ts).
      if (display || /\$|!\[/.test(line) || /^\s*(\[[^\]]+\]:|<|### Exercise )/.test(line)) {
        return line;
      }
      // Code spans and link targets are kept; the text between them is typeset.
      return line.split(/(`[^`]*`|\]\([^)]*\))/).map((part, i) =>
        i % 2 === 1 ? part : part.replace(name, (m) => `$${m.replace(/−/g, "-")}$`)
      ).join("");
    }).join("\n"));
}
