import assert from "node:assert/strict";
import pc from "picocolors";
import { spin, SPINNER_FRAMES, terminalMarkdown, wrap } from "@lib/course/terminal_text.ts";
import { stripVTControlCharacters as stripAnsi } from "node:util";

Deno.test("terminalMarkdown", () => {
  assert.deepEqual(
    terminalMarkdown(
      "**Bold** $\\pi_b(\\cdot \\mid i) \\le \\frac{1}{2}$\n\n\n```ts\nlet x;\n```\n",
    ),
    ["Bold π_b(· | i) ≤ (1)/(2)", "", "    let x;"],
  );
  assert.equal(terminalMarkdown("$\\left(x\\,y\\right)$")[0], "(x y)");
  assert.equal(
    terminalMarkdown("$W_K^1 = \\sum_t p_t p_{t-1}^\\top$ and $\\beta_{t,s}$, $x_{1}$")[0],
    "W_K^1 = Σ_t p_t p_(t-1)ᵀ and β_(t,s), x_1",
  );
  assert.equal(
    terminalMarkdown("$1/\\sqrt d$, $\\frac{1}{\\sqrt{d}}$, $\\sqrt{2/d}$, $\\Big(x\\Big)$")[0],
    "1/√d, (1)/(√d), √(2/d), (x)",
  );
});

Deno.test("wrap: at word boundaries, under the label, colours not counted", () => {
  const where = "  where:  lessons/06_webgpu/exercises.ts:123 (function softmaxKernel)";
  // 80 columns fit it whole; 50 break before "(function", never inside the path.
  assert.deepEqual(wrap([where], 80), [where]);
  assert.deepEqual(wrap([where], 50), [
    "  where:  lessons/06_webgpu/exercises.ts:123",
    "          (function softmaxKernel)",
  ]);
  const hint = "  Subtract each row's maximum before exp, so that no value overflows to Infinity.";
  const lines = wrap([pc.dim(hint)], 40);
  assert.ok(lines.length > 2);
  for (const line of lines.map(stripAnsi)) {
    assert.ok(line.length <= 40, line);
    assert.match(line, /^ {2}\S/); // the hint's own indent, no word cut
  }
  assert.equal(lines.map(stripAnsi).map((l) => l.trim()).join(" "), hint.trim());
  // A word longer than the room stays whole; a multi-line text is wrapped line by line.
  assert.deepEqual(wrap(["x".repeat(30)], 20), ["x".repeat(30)]);
  assert.deepEqual(wrap(["  text:   one two three\nfour"], 20), [
    "  text:   one two",
    "          three",
    "four",
  ]);
});

Deno.test("spin: draws the frames in order, every interval, until cleared", async () => {
  const drawn: string[] = [];
  const id = spin((frame) => drawn.push(frame), 5);
  while (drawn.length < SPINNER_FRAMES.length + 2) await new Promise((r) => setTimeout(r, 5));
  clearInterval(id);
  const seen = drawn.length;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(drawn.length, seen, "no frame after clearInterval");
  assert.deepEqual(drawn.slice(0, SPINNER_FRAMES.length + 2), [
    ...SPINNER_FRAMES,
    SPINNER_FRAMES[0],
    SPINNER_FRAMES[1],
  ]);
});
