/**
 * A one-line Markdown snippet (an objective, a title) rendered with math and code, without a
 * wrapping paragraph.
 *
 * @example
 * ```tsx
 * import { InlineMarkdown } from "./inline_markdown.tsx";
 * <InlineMarkdown text="Estimate $\pi_u$" />;
 * ```
 * @module
 */
import { renderInlineMarkdown } from "../utils/markdown.ts";

/**
 * The snippet as HTML inside a `<span>`.
 *
 * @example
 * ```tsx
 * import { InlineMarkdown } from "./inline_markdown.tsx";
 * <InlineMarkdown text="**bold**" />;
 * ```
 */
export function InlineMarkdown({ text }: { text: string }) {
  return <span dangerouslySetInnerHTML={{ __html: renderInlineMarkdown(text) }} />;
}
