import assert from "node:assert/strict";
import { BIRTH_THRESHOLD, BirthWatch } from "./birth.ts";

Deno.test("BirthWatch: the first evaluation at or above 0.95 is the birth, once", () => {
  const w = new BirthWatch();
  assert.equal(w.threshold, BIRTH_THRESHOLD);
  assert.equal(w.see({ step: 0, inContextAcc: 0.01, elapsedMs: 0 }), false);
  assert.equal(w.see({ step: 170, inContextAcc: 0.949, elapsedMs: 40_000 }), false);
  assert.match(w.summary(), /not born by step 170 .*best 0\.949 at step 170/);
  assert.equal(w.see({ step: 180, inContextAcc: 0.95, elapsedMs: 44_000 }), true);
  assert.equal(w.see({ step: 190, inContextAcc: 0.97, elapsedMs: 46_000 }), false);
  assert.deepEqual(w.born, { step: 180, acc: 0.95, seconds: 44 });
  assert.equal(
    w.summary(),
    "Induction head born at step 180 (in-context accuracy 0.950 >= 0.95), 44.0 s into the run.",
  );
});

Deno.test("BirthWatch: NaN never counts, and a resumed run born at its start says 'at or before'", () => {
  const w = new BirthWatch();
  assert.equal(w.see({ step: 0, inContextAcc: NaN, elapsedMs: 0 }), false);
  const r = new BirthWatch();
  r.see({ step: 200, inContextAcc: 0.97, elapsedMs: 50_000 });
  assert.match(r.summary(), /born at or before step 200/);
});
