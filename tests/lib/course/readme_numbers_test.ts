/**
 * The lessons' READMEs quote what the shipped code prints: a block of demo output in a README is
 * checked against the function that prints it, on the cached runs the demo reads (run with
 * `@exercises/` at solutions/, as the course check runs lib's tests: `--solutions`' output).
 * @module
 */
import assert from "node:assert/strict";
import { whose } from "@lib/course/demo_support.ts";
import {
  fullLines,
  globalLines,
  groupLines,
  runTable,
} from "../../../lessons/09_beyond_simplified/experiment.ts";
import { FULL_FILE, readRuns, RUNS_FILE } from "../../../lessons/09_beyond_simplified/runs.ts";

/** The first fenced `text` block after the heading `heading` of a README, as lines (as written:
 * a block in a list item keeps its indentation). */
async function textBlock(readme: URL, heading: string): Promise<string[]> {
  const text = await Deno.readTextFile(readme);
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`${readme.pathname} has no heading "${heading}"`);
  const start = text.indexOf("```text\n", at);
  // the closing fence, indented like the opening one when the block sits in a list item
  const close = /\n *```/.exec(text.slice(start + 8));
  const end = close ? start + 8 + close.index : -1;
  if (start < 0 || end < 0) throw new Error(`no \`\`\`text block under "${heading}"`);
  return text.slice(start + 8, end).split("\n");
}

Deno.test("lesson 9's README: the 'Loss on all targets' block is demo 9 --solutions' output", async () => {
  const readme = new URL("../../../lessons/09_beyond_simplified/README.md", import.meta.url);
  const block = await textBlock(readme, "### Global bigrams in W_F");
  const results = [...await readRuns(RUNS_FILE), ...await readRuns(FULL_FILE)];
  const printed = [
    "Loss on all targets, with W_F (300 steps)",
    ...groupLines(runTable(results), "global"),
    ...globalLines(results, whose()),
  ];
  assert.deepEqual(block, printed, "copy the block from `deno task demo 9 --solutions --replot`");
});

/** The lines less the indentation they all share. */
function dedent(lines: string[]): string[] {
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.search(/\S/)));
  return lines.map((l) => l.slice(indent));
}

Deno.test("lesson 9's README: the full transformer's block is demo 9 --solutions' output", async () => {
  const readme = new URL("../../../lessons/09_beyond_simplified/README.md", import.meta.url);
  // the block sits in a list item, where `deno fmt` moves its lines to the item's indentation:
  // compared without their common indentation
  const block = dedent(await textBlock(readme, "### The full transformer"));
  const printed = dedent(fullLines(await readRuns(FULL_FILE)));
  assert.deepEqual(block, printed, "copy the block from `deno task demo 9 --solutions`");
});
