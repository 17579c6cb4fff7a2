/**
 * The page shell around every page (Fresh's `_app.tsx`): language, title, styles (KaTeX's and
 * highlight.js' from their npm packages, then the site's), a skip link and the site header.
 *
 * @example
 * ```tsx
 * // Used by the server for every page; a page renders only its <main>.
 * ```
 * @module
 */
import type { AppProps } from "../glue/types.ts";

/** The course's name, shown in the header and in every title. */
export const COURSE_NAME = "Birth of a Transformer";

/**
 * Wraps a page in the document.
 *
 * @example
 * ```tsx
 * import App from "./_app.tsx";
 * <App Component={() => <main />} state={{ root: "." }} url={new URL("http://x/")} />;
 * ```
 */
export default function App({ Component, state }: AppProps) {
  const title = state.title ? `${state.title} · ${COURSE_NAME}` : COURSE_NAME;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/_vendor/katex/katex.min.css" />
        <link rel="stylesheet" href="/_vendor/hljs/github.min.css" />
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to the content</a>
        <header class="site-header">
          <nav aria-label="Site">
            <a class="brand" href="/">{COURSE_NAME}</a>
            <span class="tagline">a hands-on course on how induction heads form</span>
          </nav>
        </header>
        <Component />
        <footer class="site-footer">
          <p>
            Served by <code>deno task site</code>. Lesson text comes from{" "}
            <code>lessons/NN_*/README.md</code>; check your work in the terminal with{" "}
            <code>deno task lesson N</code>.
          </p>
        </footer>
      </body>
    </html>
  );
}
