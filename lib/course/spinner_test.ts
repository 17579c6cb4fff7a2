import assert from "node:assert/strict";
import { spin, SPINNER_FRAMES } from "./spinner.ts";

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
