import assert from "node:assert/strict";
import { summary } from "@lib/course/check.ts";

Deno.test("summary: one line per group, then the closing line CI reads", () => {
  const text = summary([
    { group: "solutions", name: "a", ok: true },
    { group: "solutions", name: "b", ok: false, detail: "x" },
    { group: "lib", name: "c", ok: true },
  ]);
  const lines = text.split("\n");
  assert.equal(lines.at(-1), "2 passed, 1 failed");
  assert.match(lines[0], /solutions\s+1\/2 ok/);
  assert.match(lines[1], /lib\s+1\/1 ok/);
});

Deno.test("deno task test --lesson rejects a bad value with usage", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/course/check.ts", "--lesson", "abc"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--lesson takes a number, got "abc"\nUsage:/);
});
