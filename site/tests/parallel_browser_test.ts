// Real-browser tests of lessons 5 and 6's data-parallel demos (site/client/live_workers.ts) in
// Debian's Chromium: the page is cross-origin isolated, the demos train in Web Workers and show
// how many, and 2 Workers give the losses of 1 Worker (the same batches and starting weights)
// to float32 rounding: lesson 5 through the engine's Worker run, lesson 6 through its demo's
// own Worker choice, whose Reset ends every Worker and leaves no tensor on the page. A page
// served without COOP/COEP (no SharedArrayBuffer) still trains, on its main thread, and says
// why. No check depends on speed. Without Chromium it says so and skips.
import { assert, assertEquals, assertMatch } from "./assert.ts";
import type { Page } from "playwright-core";
import {
  chromiumPath,
  pageTensors,
  patience,
  survivors,
  waitForStatus,
  withBrowser,
  workerUrls,
} from "./browser.ts";

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
      const expected = cores > 1 ? Math.min(4, cores) : 0; // 0: the page's main thread
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

/** The in-context and global losses of the demo's table rows, full floats, by step. */
function tableLosses(page: Page): Promise<[number, number, number][]> {
  return page.locator("#train-table tbody tr").evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll("td")];
      return [0, 1, 2].map((i) =>
        Number(i === 0 ? cells[0].textContent : cells[i].getAttribute("data-value"))
      ) as [number, number, number];
    })
  );
}

/** Evaluations compared between lesson 6's 2-Worker and 1-Worker runs (steps 0, 10, 20). */
const EVALS = 3;

Deno.test({
  name: "browser: lesson 6's demo on wasm trains in 2 Web Workers with 1 Worker's losses; " +
    "Reset ends every Worker and leaves no tensors",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withBrowser(async ({ page, base, errors }) => {
      await page.goto(`${base}/lessons/6`);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      // The page's own wasm backend (the demo starts it too) may start threads that stay for
      // the page's life: start it first, so that only the run's Workers count.
      await page.evaluate(async () => {
        const info = await (await fetch("/_engine/reference.json")).json();
        await (await import(`/_engine/${info.file}`)).startBackend("wasm");
      });
      const tensorsBefore = await pageTensors(page);
      const runs: { workers: number; losses: [number, number, number][]; started: number }[] = [];
      for (const workers of [2, 1]) {
        const before = workerUrls(page);
        await page.selectOption("#train-preset", "tiny");
        await page.selectOption("#train-backend", "wasm");
        await page.selectOption("#train-workers-choice", String(workers));
        await page.click("#train-start");
        await page.waitForSelector("#train-workers", { timeout: patience(120_000) });
        const shown = Number(await page.locator("#train-workers").textContent());
        const why = (await page.locator("#train-workers-why").textContent()) ?? "";
        if (cores <= 1) {
          // One core: no Workers, whatever was asked, and the page says why.
          assertEquals(shown, 0, "one core: the run trains on the page's main thread");
          assertMatch(why, /main thread: .*1 core/, "and the demo says why");
        } else {
          assertEquals(shown, workers, `the demo shows the ${workers} Workers asked for`);
          assertMatch(why, workers > 1 ? /split over them/ : /off the page's main thread/);
        }
        await page.waitForFunction(
          (n: number) => document.querySelectorAll("#train-table tbody tr").length >= n,
          EVALS,
          { timeout: patience(240_000) },
        );
        await page.click("#train-pause");
        await waitForStatus(page, /Paused|Done/);
        const losses = (await tableLosses(page)).slice(0, EVALS);
        const during = workerUrls(page);
        // Counted one by one: the shard Workers share one blob: URL.
        const started = page.workers().filter((w) => !before.has(w.url())).length;
        await page.click("#train-reset");
        await waitForStatus(page, /Reset/);
        // The coordinator and its shard Workers (none with one Worker), and no more: each
        // trains on one thread, without a pool of wasm threads of its own.
        if (shown > 0) {
          assertEquals(
            started,
            shown > 1 ? shown + 1 : 1,
            `${shown} Workers shown, ${started} started`,
          );
        }
        assertEquals(
          await survivors(page, before, during),
          [],
          "Reset ends every Worker the run started (and their tensors with them)",
        );
        assertEquals(await pageTensors(page), tensorsBefore, "Reset leaves no tensor in the page");
        runs.push({ workers: shown, losses, started });
      }
      const [two, one] = runs;
      for (let i = 0; i < EVALS; i++) {
        const [step, a, g] = two.losses[i];
        const [step1, b, h] = one.losses[i];
        assertEquals(step, step1, "the same evaluations");
        for (const [x, y, what] of [[a, b, "in-context"], [g, h, "global"]] as const) {
          assert(
            Number.isFinite(x) && Math.abs(x - y) <= 1e-5 * Math.abs(y) + 1e-6,
            `step ${step}: ${what} loss ${x} with 2 Workers, ${y} with 1 (float32 rounding expected)`,
          );
        }
      }
      console.log(
        `  ${cores} cores: Workers shown ${two.workers} then ${one.workers} (started ` +
          `${two.started}, ${one.started}, all ended by Reset); in-context losses at steps ` +
          `${two.losses.map((r) => r[0])}: ${two.losses.map((r) => r[1])} vs ` +
          `${one.losses.map((r) => r[1])}`,
      );
      assertEquals(errors, [], "the console has no errors");
    });
  },
});

/**
 * Starts the demo of `lesson` (the page already open) on wasm, checks that it trains on the
 * page's main thread (0 Workers shown) and that the reason shown matches `why`, trains a few
 * steps and resets; returns the reason.
 */
async function trainsOnPage(page: Page, lesson: number, why: RegExp): Promise<string> {
  await page.selectOption("#train-preset", "tiny");
  if (lesson === 6) await page.selectOption("#train-backend", "wasm");
  await page.click("#train-start");
  await page.waitForSelector("#train-workers", { timeout: patience(120_000) });
  assertEquals(Number(await page.locator("#train-workers").textContent()), 0, "no Workers");
  const said = (await page.locator("#train-workers-why").textContent()) ?? "";
  assertMatch(said, why, "the demo says why it trains on the page's main thread");
  await waitForStatus(
    page,
    /Training: step ([3-9]|\d\d) .* on wasm on the page's main thread/,
    240_000,
  );
  await page.click("#train-pause");
  await waitForStatus(page, /Paused|Done/);
  await page.click("#train-reset");
  await waitForStatus(page, /Reset/);
  return `lesson ${lesson}: ${said}`;
}

Deno.test({
  name: "browser: a page without cross-origin isolation trains on its main thread and says why",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withBrowser(async ({ page, base, errors }) => {
      const said: string[] = [];
      for (const lesson of [5, 6]) {
        const res = await page.goto(`${base}/lessons/${lesson}`);
        assertEquals(res?.headers()["cross-origin-embedder-policy"], undefined, "no COEP sent");
        const { isolated, shared } = await page.evaluate(() => ({
          isolated: globalThis.crossOriginIsolated,
          shared: typeof SharedArrayBuffer,
        }));
        assertEquals([isolated, shared], [false, "undefined"], "no isolation, no shared memory");
        said.push(await trainsOnPage(page, lesson, /main thread: .*not cross-origin isolated/));
      }
      console.log(`  ${said.join(" | ")}`);
      assertEquals(errors, [], "the console has no errors");
    }, { isolated: false });
  },
});

Deno.test({
  name: "browser: on one core the demo trains on the page's main thread and says why",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withBrowser(async ({ page, base, errors }) => {
      // The page sees one core (its Workers, none here, would see the machine's).
      await page.addInitScript(() =>
        Object.defineProperty(Navigator.prototype, "hardwareConcurrency", { get: () => 1 })
      );
      await page.goto(`${base}/lessons/5`);
      const { isolated, cores } = await page.evaluate(() => ({
        isolated: globalThis.crossOriginIsolated,
        cores: navigator.hardwareConcurrency,
      }));
      assertEquals([isolated, cores], [true, 1], "an isolated page that sees one core");
      console.log(`  ${await trainsOnPage(page, 5, /main thread: .*reports 1 core/)}`);
      assertEquals(errors, [], "the console has no errors");
    });
  },
});
