/**
 * The course's matrix names written as a reader expects them: `W_K¹`, `W_K^1` or `W_F` in a
 * demo's text become W with its subscript and superscript (`<sub>`, `<sup>` in HTML; shifted
 * `<tspan>`s in SVG), so that no demo shows a raw `W_K^1`.
 *
 * @example
 * ```tsx
 * import { MatrixText } from "./matrix_name.tsx";
 * <MatrixText text="W_K¹ probe" />; // W<sub>K</sub><sup>1</sup> probe
 * ```
 * @module
 */
import type { ComponentChildren } from "preact";

const NAME = /(W_[A-Z](?:\^?\d|[¹²])?)(?![A-Za-z0-9])/;
const SUPERSCRIPTS: Record<string, string> = { "¹": "1", "²": "2" };
/** Ends the superscript, so the text after it is back on the baseline. */
const ZERO_WIDTH_SPACE = "\u200b";

/**
 * Splits `text` into plain parts and matrix names `[sub, sup]`.
 *
 * @example
 * ```ts
 * import { matrixParts } from "./matrix_name.tsx";
 * matrixParts("W_K¹, W_F"); // [["K", "1"], ", ", ["F", undefined]]
 * ```
 */
export function matrixParts(text: string): (string | [string, string | undefined])[] {
  return text.split(new RegExp(NAME.source, "g")).filter((p) => p !== "").map((part) => {
    const m = part.match(/^W_([A-Z])(?:\^?(\d)|([¹²]))?$/);
    return m ? [m[1], m[2] ?? (m[3] ? SUPERSCRIPTS[m[3]] : undefined)] : part;
  });
}

/**
 * `text` with its matrix names typeset, for HTML (default) or inside an SVG `<text>`.
 *
 * @example
 * ```tsx
 * import { MatrixText } from "./matrix_name.tsx";
 * <MatrixText text="W_O² probe" />;
 * <svg><text><MatrixText text="W_K¹ released" svg /></text></svg>;
 * ```
 */
export function MatrixText({ text, svg }: { text: string; svg?: boolean }): ComponentChildren {
  return matrixParts(text).map((part) => {
    if (typeof part === "string") return part;
    const [sub, sup] = part;
    if (svg) {
      return (
        <>
          W<tspan dy="3" font-size="75%">{sub}</tspan>
          {sup ? <tspan dy="-8" font-size="75%">{sup}</tspan> : null}
          <tspan dy={sup ? 5 : -3}>{ZERO_WIDTH_SPACE}</tspan>
        </>
      );
    }
    return (
      <>
        W<sub>{sub}</sub>
        {sup ? <sup>{sup}</sup> : null}
      </>
    );
  });
}
