import assert from "node:assert/strict";
import { WORKERS_MIN, workersSteps } from "@lib/bench/parallel.ts";

Deno.test("workersSteps raises the bench's step counts to the Workers' minimum, never lowers them", () => {
  assert.deepEqual(workersSteps({ warmup: 2, steps: 5 }), WORKERS_MIN);
  assert.deepEqual(workersSteps({ warmup: 25, steps: 40 }), { warmup: 25, steps: 40 });
  assert.deepEqual(workersSteps({ warmup: 0, steps: 12 }), {
    warmup: WORKERS_MIN.warmup,
    steps: 12,
  });
});
