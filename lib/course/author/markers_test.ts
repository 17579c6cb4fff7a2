import assert from "node:assert/strict";
import { isMarker, markedRegions } from "./markers.ts";

const SOURCE = [
  "export function one(): number {",
  "  // BEGIN SOLUTION",
  "  return 1;",
  "  // END SOLUTION",
  "}",
  "export async function* two() {",
  "    // BEGIN SOLUTION",
  "    yield 2;",
  "    // END SOLUTION",
  "}",
].join("\n");

Deno.test("markedRegions: each region under its nearest function, with indent and lines", () => {
  assert.deepEqual(markedRegions(SOURCE), [
    { fn: "one", indent: "  ", begin: 1, end: 3, body: ["  return 1;"] },
    { fn: "two", indent: "    ", begin: 6, end: 8, body: ["    yield 2;"] },
  ]);
  assert.deepEqual(markedRegions("const x = 1;\n"), []);
});

Deno.test("markedRegions: malformed markers are named with their line", () => {
  const bad: [string, RegExp][] = [
    ["function f() {\n// BEGIN SOLUTION\n// BEGIN SOLUTION\n", /nested BEGIN SOLUTION at line 3/],
    ["// BEGIN SOLUTION\n// END SOLUTION\n", /outside a function at line 1/],
    ["// END SOLUTION\n", /END SOLUTION without BEGIN at line 1/],
    ["function f() {\n  // BEGIN SOLUTION\n", /BEGIN SOLUTION at line 2 is never closed/],
  ];
  for (const [source, message] of bad) assert.throws(() => markedRegions(source), message);
});

Deno.test("isMarker: only whole marker lines", () => {
  assert.ok(isMarker("  // BEGIN SOLUTION"));
  assert.ok(isMarker("// END SOLUTION  "));
  assert.ok(!isMarker("const s = '// BEGIN SOLUTION';"));
  assert.ok(!isMarker("// BEGIN SOLUTIONS"));
});
