// Where lessons 5 and 6's demos train (site/client/live_workers.ts's whyNoWorkers, the island's
// gpuStaysOnPage): in Web Workers only with Workers, shared memory and more than one core, and
// never on a GPU backend; otherwise the demo names the reason on the page.
import { assertEquals, assertMatch } from "./assert.ts";
import { whyNoWorkers } from "../client/live_workers.ts";
import { gpuStaysOnPage } from "../islands/train_demo.tsx";

Deno.test("the demos train in Workers only with Workers, shared memory and 2+ cores", () => {
  assertEquals(whyNoWorkers({ workers: true, shared: true, cores: 2 }), undefined);
  assertEquals(whyNoWorkers({ workers: true, shared: true, cores: 16 }), undefined);
  assertMatch(whyNoWorkers({ workers: true, shared: true, cores: 1 }) ?? "", /reports 1 core/);
  assertMatch(
    whyNoWorkers({ workers: true, shared: false, cores: 8 }) ?? "",
    /not cross-origin isolated.*SharedArrayBuffer.*COOP\/COEP/,
  );
  assertMatch(whyNoWorkers({ workers: false, shared: true, cores: 8 }) ?? "", /no Web Workers/);
  // Deno is not a cross-origin-isolated page: no isolation is the reason.
  assertMatch(whyNoWorkers() ?? "", /not cross-origin isolated/);
});

Deno.test("a GPU backend trains on the page's main thread and says why; CPU ones may not", () => {
  for (const gpu of ["webgpu", "webgl"]) {
    assertMatch(gpuStaysOnPage(gpu) ?? "", new RegExp(`^${gpu} computes on the GPU`));
  }
  for (const cpu of ["wasm", "cpu"]) assertEquals(gpuStaysOnPage(cpu), undefined);
});
