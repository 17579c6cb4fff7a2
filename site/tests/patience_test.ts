import { assertEquals } from "./assert.ts";
import { patience } from "./browser.ts";

Deno.test("patience: the browser's waits grow with the machine's load, never shrink", () => {
  assertEquals(patience(60_000, 0.3, 2), 60_000);
  assertEquals(patience(60_000, 2, 2), 60_000);
  assertEquals(patience(60_000, 12, 2), 360_000);
  assertEquals(patience(1_000, 5, 1), 5_000);
});
