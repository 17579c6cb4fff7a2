import assert from "node:assert/strict";
import { extractFunction, functionDiff, withoutMarkers } from "@lib/course/solution_diff.ts";
import { stripVTControlCharacters as stripAnsi } from "node:util";

const SOURCE = `import x from "y";
/** Doc. */
export function tricky(a: { b: number }): { c: string } {
  const s = "}"; // a brace in a string
  const r = /}/; // and in a regex
  return { c: \`\${a.b}}\` };
}

function plain() {
  return 1;
}

export const arrow = (n: number) => {
  return n + 1;
};
`;

Deno.test("extractFunction: braces in types, strings, regexes and templates", () => {
  const f = extractFunction(SOURCE, "tricky");
  assert.equal(f?.line, 3);
  assert.ok(f?.text.startsWith("export function tricky("));
  assert.ok(f?.text.endsWith("return { c: `${a.b}}` };\n}"));
  assert.equal(extractFunction(SOURCE, "plain")?.text, "function plain() {\n  return 1;\n}");
  assert.match(extractFunction(SOURCE, "arrow")?.text ?? "", /^export const arrow = .*\n\};$/s);
  assert.equal(extractFunction(SOURCE, "missing"), undefined);
});

Deno.test("extractFunction: a file that does not parse throws the parser's position", () => {
  const broken =
    "export function ok() {\n  return 1;\n}\nexport function bad() {\n  return (;\n}\n";
  assert.throws(() => extractFunction(broken, "ok"), /Unexpected token \(5:10\)/);
});

Deno.test("functionDiff: every line of both, changes marked, spaces ignored", () => {
  const yours = 'function f() {\n    throw notImplemented("f");\n}';
  const reference = withoutMarkers(
    "function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}",
  );
  assert.equal(reference, "function f() {\n  return 1;\n}");
  const diff = functionDiff(yours, reference);
  assert.deepEqual(diff.lines.map(stripAnsi), [
    "  function f() {",
    '-     throw notImplemented("f");',
    "+   return 1;",
    "  }",
  ]);
  assert.equal(diff.changed, 2);
  assert.equal(functionDiff("function f() {\n      return 1;\n}", reference).changed, 0);
});
