/**
 * Text for a terminal: lesson Markdown made readable (code fences and bold markers dropped, TeX
 * in Unicode), long lines wrapped at word boundaries under their label, and the one spinner.
 *
 * @example
 * ```ts
 * import { terminalMarkdown, wrap } from "@lib/course/terminal_text.ts";
 * terminalMarkdown("**Sum** $\\pi_u$"); // ["Sum π_u"]
 * wrap(["  where:  lessons/06_webgpu/exercises.ts:12 (function matmul)"], 50);
 * ```
 * @module
 */
import { stripVTControlCharacters as visible } from "node:util";

/** TeX commands and their Unicode, as `command=symbol` pairs. */
const TEX = Object.fromEntries(
  String.raw`
    \pi=π \beta=β \alpha=α \eta=η \cdot=· \mid=| \to=→ \ge=≥ \le=≤ \approx=≈ \sum=Σ \sqrt=√
    \top=ᵀ \log=log \mathbb{E}=E \lambda=λ \sigma=σ \Sigma=Σ \mu=μ \theta=θ \gamma=γ \delta=δ
    \epsilon=ε \varepsilon=ε \tau=τ \omega=ω \infty=∞ \in=∈ \times=× \neq=≠ \propto=∝ \odot=⊙
    \otimes=⊗ \leftarrow=← \rightarrow=→ \langle=⟨ \rangle=⟩`.trim().split(/\s+/)
    .map((pair) => pair.split("=") as [string, string]),
);

/**
 * Markdown made readable in a terminal, line by line: code blocks indented and their fences
 * dropped, bold markers dropped, TeX (`$...$`, `$$...$$`) in Unicode where it can be.
 *
 * @example
 * ```ts
 * import { terminalMarkdown } from "@lib/course/terminal_text.ts";
 * const fence = "`".repeat(3);
 * terminalMarkdown(`**Sum** $\\pi_u$:\n${fence}ts\nconst s = 1;\n${fence}`);
 * // ["Sum π_u:", "    const s = 1;"]
 * ```
 */
export function terminalMarkdown(markdown: string): string[] {
  const out: string[] = [];
  let code = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) {
      code = !code;
      continue;
    }
    if (code) out.push("    " + line);
    else if (line.trim() === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    else out.push(plain(line));
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** Markdown and TeX made readable in a terminal: bold markers dropped, common symbols in Unicode. */
function plain(markdown: string): string {
  return markdown.replace(/\*\*([^*]+)\*\*/g, "$1").replace(
    /\$\$([^$]+)\$\$|\$([^$]+)\$/g,
    (_, display: string | undefined, inline: string | undefined) => {
      let out = display ?? inline ?? "";
      out = out.replace(/\\(?:left|right|[Bb]igg?)(?![a-zA-Z])|\\!/g, "")
        .replace(/\\sqrt\s*\{(\w+)\}|\\sqrt\s+(\w)/g, (_, a, b) => `√${a ?? b}`)
        .replace(/\\sqrt\s*\{([^{}]*)\}/g, "√($1)")
        .replace(/\\quad(?![a-zA-Z])|\\[,;]/g, " ");
      for (const [k, v] of Object.entries(TEX)) {
        const escaped = k.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
        out = out.replace(new RegExp(`${escaped}(?![a-zA-Z])`, "g"), v);
      }
      out = out
        .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)")
        .replace(/\\(?:operatorname|mathrm|mathbf|mathit|text|textrm)\{([^{}]*)\}/g, "$1")
        .replace(/\\(exp|log|ln|max|min|arg|sin|cos|tanh|det|dim|sup|inf)(?![a-zA-Z])/g, "$1");
      out = out
        .replace(/\^ᵀ/g, "ᵀ") // p^\top reads p^ᵀ: drop the caret
        .replace(/([_^])\{([^{}]{2,})\}/g, "$1($2)"); // p_{t-1} reads p_(t-1), not p_t-1
      return out.replace(/[{}]/g, "").replace(/\s+/g, " ").trim();
    },
  );
}

/**
 * Wraps each line longer than `width` columns at word boundaries (ANSI colour codes take no
 * room). A continuation line is indented like its line, or under the value of a report label
 * (`  problem: `, `  where:  `); a word longer than the room is left whole.
 *
 * @example
 * ```ts
 * import { wrap } from "@lib/course/terminal_text.ts";
 * wrap(["  text:   one two three"], 20); // ["  text:   one two", "          three"]
 * ```
 */
export function wrap(lines: string[], width: number): string[] {
  const out: string[] = [];
  for (const line of lines.flatMap((l) => l.split("\n"))) {
    if (visible(line).length <= width) {
      out.push(line);
      continue;
    }
    const plain = visible(line);
    // Continuation lines keep at least half the width for text.
    const hang = Math.min(
      plain.match(/^ {2}[a-z?]+:? +(?=\S)/)?.[0].length ?? plain.match(/^ */)![0].length,
      Math.floor(width / 2),
    );
    const room = width - hang;
    let rest = line;
    let first = true;
    while (visible(rest).length > (first ? width : room)) {
      const cut = breakAt(rest, first ? width : room);
      if (cut < 0) break;
      out.push((first ? "" : " ".repeat(hang)) + rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
      first = false;
    }
    out.push((first ? "" : " ".repeat(hang)) + rest);
  }
  return out;
}

/** The index in `text` of the last space that leaves at most `room` visible columns before it. */
function breakAt(text: string, room: number): number {
  let shown = 0;
  let space = -1;
  for (let i = 0; i < text.length; i++) {
    // deno-lint-ignore no-control-regex
    const code = text.slice(i).match(/^\x1b\[[0-9;]*m/);
    if (code) {
      i += code[0].length - 1;
      continue;
    }
    if (shown > room) break;
    if (text[i] === " " && shown > 0) space = i;
    shown++;
  }
  return space;
}

/** The spinner's frames, in order. */
export const SPINNER_FRAMES: readonly string[] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Calls `draw` with the next spinner frame every `ms` milliseconds; stop it with `clearInterval`.
 *
 * @example
 * ```ts
 * import { spin } from "@lib/course/terminal_text.ts";
 * clearInterval(spin((frame) => console.log(frame)));
 * ```
 */
export function spin(draw: (frame: string) => void, ms = 100): ReturnType<typeof setInterval> {
  let i = 0;
  return setInterval(() => draw(SPINNER_FRAMES[i++ % SPINNER_FRAMES.length]), ms);
}

/**
 * Runs `work` behind a spinner labelled `label`, drawn with `write` (none: no spinner).
 *
 * @example
 * ```ts
 * import { withSpinner } from "@lib/course/terminal_text.ts";
 * await withSpinner(undefined, "Checking", () => Promise.resolve(1)); // 1
 * ```
 */
export async function withSpinner<T>(
  write: ((text: string) => void) | undefined,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!write) return await work();
  const id = spin((frame) => write(`\r${frame} ${label} ...`));
  try {
    return await work();
  } finally {
    clearInterval(id);
    write("\r\x1b[2K");
  }
}
