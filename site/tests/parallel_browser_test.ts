// Real-browser test of lesson 5's data-parallel demo (site/client/live_workers.ts) in Debian's
// Chromium: the page is cross-origin isolated, the demo trains in Web Workers and shows how
// many, and the engine's Worker run with 2 Workers gives the losses of the 1-Worker run (the
// same batches and starting weights) to float32 rounding. Without Chromium it says so and skips.
import { assert, assertEquals } from "./assert.ts";
import { chromiumPath, patience, withBrowser } from "./browser.ts";

const browser = chromiumPath();
if (!browser) {
  console.log(
    "SKIPPED: site parallel browser test: no Chromium at /usr/bin/chromium (install Debian's " +
      "`chromium`, or set CHROMIUM_PATH).",
  );
}

/** Steps compared between the 2-Worker and the 1-Worker runs. */
const STEPS = 3;

Deno.test({
  name: "browser: lesson 5's demo trains in Web Workers, with the one-Worker run's losses",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withBrowser(async ({ page, base, errors }) => {
      await page.goto(`${base}/lessons/5`);
      const { isolated, cores } = await page.evaluate(() => ({
        isolated: globalThis.crossOriginIsolated,
        cores: navigator.hardwareConcurrency,
      }));
      assert(
        isolated,
        "the lesson page is cross-origin isolated (COOP/COEP), so Workers share memory",
      );

      // The demo: the worker count is shown, and it trains.
      await page.selectOption("#train-preset", "tiny");
      await page.click("#train-start");
      await page.waitForSelector("#train-workers", { timeout: patience(120_000) });
      const shown = Number(await page.locator("#train-workers").textContent());
      const expected = Math.max(1, Math.min(4, cores));
      assertEquals(shown, expected, `the demo shows ${expected} Workers for ${cores} cores`);
      await page.waitForFunction(
        () => /Training: step ([3-9]|\d\d)/.test(document.body.innerText),
        undefined,
        { timeout: patience(240_000) },
      );
      await page.click("#train-pause");
      await page.click("#train-reset");

      // 2 Workers against 1, through the engine the demo uses.
      const runs = await page.evaluate(async (steps: number) => {
        const info = await (await fetch("/_engine/reference.json")).json();
        const engine = await import(`/_engine/${info.file}`);
        const losses = async (workers: number) => {
          const live = await engine.startWorkerTraining("tiny", { workers });
          const out: number[] = [];
          try {
            for (let i = 0; i < steps; i++) {
              await live.run(1);
              out.push(live.loss);
            }
          } finally {
            live.dispose();
          }
          return { workers: live.workers as number, losses: out };
        };
        return { two: await losses(2), one: await losses(1) };
      }, STEPS);
      assertEquals(runs.two.workers, 2, "the engine's run used 2 Workers");
      assertEquals(runs.one.workers, 1);
      for (let i = 0; i < STEPS; i++) {
        const [a, b] = [runs.two.losses[i], runs.one.losses[i]];
        assert(
          Number.isFinite(a) && Math.abs(a - b) <= 1e-5 * Math.abs(b) + 1e-6,
          `step ${i + 1}: loss ${a} with 2 Workers, ${b} with 1 (float32 rounding expected)`,
        );
      }
      console.log(
        `  ${cores} cores: demo shows ${shown} Workers; losses 2 Workers ${runs.two.losses} ` +
          `vs 1 Worker ${runs.one.losses}`,
      );
      assertEquals(errors, [], "the console has no errors");
    });
  },
});
