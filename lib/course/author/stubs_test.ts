import assert from "node:assert/strict";
import { makeStub, solutionSlugs, stubFor } from "@lib/course/author/stubs.ts";

const SOLUTION = `import { helper } from "@lib/x.ts";

/** Doubles. */
export function double(x: number): number {
  // BEGIN SOLUTION
  return helper(2 * x);
  // END SOLUTION
}

export const kept = 1;

export async function later(
  y: number,
): Promise<number> {
  // BEGIN SOLUTION
  return await Promise.resolve(y);
  // END SOLUTION
}
`;

Deno.test("makeStub: each solution region becomes a throw naming its function", () => {
  const stub = makeStub(SOLUTION, "07_demo");
  assert.ok(
    stub.includes(
      'export function double(x: number): number {\n  throw notImplemented("double");\n}',
    ),
    stub,
  );
  assert.match(stub, /throw notImplemented\("later"\);/);
  assert.equal(stub.includes("return helper(2 * x)"), false);
  assert.equal(stub.includes("BEGIN SOLUTION"), false);
  assert.match(stub, /export const kept = 1;/);
  assert.match(
    stub,
    /import \{ notImplemented \} from "@lib\/testing\/mod.ts";\nimport \{ helper \}/,
  );
  assert.match(stub, /lesson 7/);
});

Deno.test("makeStub: malformed markers are reported with their line", () => {
  assert.throws(() => makeStub("function f() {\n// BEGIN SOLUTION\n}\n", "01_x"), /never closed/);
  assert.throws(
    () => makeStub("// END SOLUTION\n", "01_x"),
    /END SOLUTION without BEGIN at line 1/,
  );
  assert.throws(
    () => makeStub("// BEGIN SOLUTION\n// END SOLUTION\n", "01_x"),
    /outside a function/,
  );
  assert.throws(() => makeStub("export const x = 1;\n", "01_x"), /no BEGIN SOLUTION region/);
});

Deno.test("stubFor: every shipped lesson's stub is generated from its solution", async () => {
  const slugs = await solutionSlugs(".");
  assert.ok(slugs.includes("01_bigram_data"));
  const stub = await stubFor(".", "01_bigram_data");
  assert.match(stub, /throw notImplemented\("sampleSequence"\);/);
});
