// Real-browser tests of the course site with Debian's Chromium (driven by playwright-core):
// every lesson page loads, its table of contents stays in view while the page scrolls and its
// links and heading anchors lead to their sections, its demo starts and actually changes the
// page (canvas pixels, text, curves), the training demo's loss goes down and Reset gives back
// every tensor (on a switch of backend too), and the console stays free of errors and of
// warnings (but one, listed in ALLOWED_WARNINGS); no page scrolls sideways at phone width, nor
// lesson 5's after a run. Screenshots (the map and lessons 4 and 5 with their demos, at 1280
// and 375 px, and every other page) go to .course/screenshots/ (git-ignored; the path is
// printed: look at them after a run). Without Chromium the tests say so and skip.
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { listLessons } from "@lib/course/lessons.ts";
import { COURSE_ROOT } from "../main.ts";
import { DEMOS } from "../components/lesson_demo.tsx";
import {
  chromiumPath,
  pageTensors,
  patience,
  statusText,
  survivors,
  waitForStatus,
  withBrowser,
  workerUrls,
} from "./browser.ts";

/** Where the screenshots go: a git-ignored folder, kept after the run for a reviewer. */
const SCREENSHOTS = join(COURSE_ROOT, ".course", "screenshots");
const browser = chromiumPath();
if (!browser) {
  console.log(
    "SKIPPED: site browser tests: no Chromium at /usr/bin/chromium (install Debian's `chromium`, " +
      "or set CHROMIUM_PATH). The HTTP tests still ran.",
  );
}

/**
 * Console warnings a page may show, each with the reason. Any other warning fails the tests.
 *
 * - Chromium itself logs "No available adapters." whenever `navigator.gpu.requestAdapter()`
 *   finds no WebGPU adapter; page code cannot silence it. The demos' `auto` backend asks once
 *   per page (`site/client/tf.ts`), and tfjs never asks: its WebGPU backend is loaded only
 *   after an adapter was found.
 */
const ALLOWED_WARNINGS = [/^No available adapters\.$/];

/** The warnings not in {@linkcode ALLOWED_WARNINGS}. */
function unexpectedWarnings(warnings: string[]): string[] {
  return warnings.filter((w) => !ALLOWED_WARNINGS.some((allowed) => allowed.test(w)));
}

/** Distinct colours on a canvas (a blank or single-colour canvas has 1 or 0). */
function canvasColours(page: Page, id: string): Promise<number> {
  return page.evaluate((id: string) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement | null;
    if (!canvas) return -1;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return seen.size;
  }, id);
}

/** The red of the heat maps' marks (`site/components/heatmap.tsx`). */
const MARK_RED = [225, 29, 72];

/**
 * Distinct colours on a canvas, and whether one of them is `rgb` (one readback: a second
 * `getImageData` of the same canvas makes Chromium warn).
 */
function canvasColoursWith(
  page: Page,
  id: string,
  rgb: number[],
): Promise<{ colours: number; has: boolean }> {
  return page.evaluate(([id, rgb]: [string, number[]]) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { colours: seen.size, has: seen.has((rgb[0] << 16) | (rgb[1] << 8) | rgb[2]) };
  }, [id, rgb] as [string, number[]]);
}

function canvasPixels(page: Page, id: string): Promise<string> {
  return page.evaluate(
    (id: string) => (document.getElementById(id) as HTMLCanvasElement).toDataURL(),
    id,
  );
}

function numberIn(text: string | null): number {
  const m = (text ?? "").match(/-?\d+(\.\d+)?/);
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

/**
 * The table of contents of a lesson at desktop width: it is shown, it stays in view when the
 * page is scrolled far down, and its first exercise link and that heading's own `#` link lead to
 * the heading.
 */
async function checkToc(page: Page): Promise<string> {
  const toc = page.locator("nav.page-toc");
  assert(await toc.isVisible(), "the table of contents is shown at 1280 px");
  assert(!(await page.locator("details.toc-inline").isVisible()), "and not its narrow form");
  await page.evaluate(() => globalThis.scrollTo(0, document.body.scrollHeight * 0.6));
  const box = await toc.boundingBox();
  const height = page.viewportSize()!.height;
  assert(box && box.y >= -1 && box.y < height, `it stays in view when scrolled (top ${box?.y})`);
  const link = toc.locator('a[href^="#exercise-"]').first();
  const href = (await link.getAttribute("href"))!;
  await link.click();
  await page.waitForFunction((h: string) => location.hash === h, href);
  const top = await page.locator(href).evaluate((el) => el.getBoundingClientRect().top);
  assert(top >= -1 && top < height / 2, `${href} is scrolled to the top (${top}px)`);
  const own = page.locator(`${href} > a.heading-anchor`);
  assertEquals(await own.getAttribute("href"), href, "the heading links to itself");
  const links = await toc.locator("a").count();
  const marked = await checkTocMarks(page);
  await page.evaluate(() => globalThis.scrollTo(0, 0));
  return `table of contents: ${links} links, sticky, ${href} reached, ${marked}`;
}

/**
 * The table of contents marks the section being read: two of the page's long sections (each
 * followed by more than a window of text, so its heading can reach the top), scrolled to in
 * turn, down then up, are each marked `aria-current="true"` in both lists (the margin's and
 * the folded one), and only they.
 */
async function checkTocMarks(page: Page): Promise<string> {
  const long = await page.evaluate(() => {
    const ids = [...document.querySelectorAll("nav.page-toc a")]
      .map((a) => a.getAttribute("href")!.slice(1));
    const top = (id: string) => document.getElementById(id)!.getBoundingClientRect().top + scrollY;
    const end = document.documentElement.scrollHeight;
    return ids.filter((id, i) =>
      i + 1 < ids.length && top(ids[i + 1]) - top(id) > innerHeight / 2 &&
      end - top(id) > innerHeight
    ).map((id) => `#${id}`);
  });
  assert(long.length >= 2, `the page has two long sections to scroll to: ${long}`);
  const [a, b] = [long[0], long[long.length - 1]];
  for (const href of [a, b, a]) {
    await page.evaluate(
      (id: string) => document.getElementById(id)!.scrollIntoView({ block: "start" }),
      href.slice(1),
    );
    await page.waitForFunction(
      (h: string) => {
        const current = [...document.querySelectorAll('.toc-list a[aria-current="true"]')]
          .map((l) => l.getAttribute("href"));
        return current.length === 2 && current.every((c) => c === h);
      },
      href,
      { timeout: patience(30_000) },
    );
  }
  return `${a} and ${b} marked as read (aria-current)`;
}

/** Each demo's check: start it, then prove that it did something. */
const DRIVERS: Record<number, (page: Page, shot: () => Promise<void>) => Promise<string>> = {
  0: async (page) => {
    await page.click("#primer-start");
    await page.waitForSelector("#primer-loss", { timeout: patience(60_000) });
    await waitForStatus(page, /lr = 0\.3, seed 0/);
    const error = Number(await page.locator("#primer-error").textContent()); // e.g. 2.15e-6
    assert(error < 1e-3, `at lr 0.3 the fit finds W* (largest error ${error})`);
    const [first, last] = ((await page.locator("#primer-tensors").textContent()) ?? "")
      .split("→").map(numberIn);
    assertEquals(first, last, "the tensor count stays flat over the steps");
    assertEquals(numberIn(await page.locator("#primer-leaks li b").first().textContent()), 60);
    await page.locator("#primer-lr").fill("5");
    await waitForStatus(page, /lr = 2\.5, seed 0/);
    const status = await statusText(page);
    return `fit at lr 0.3 (max error ${error}), tensors flat at ${last}; ${status}`;
  },
  1: async (page) => {
    await page.click("#bigram-start");
    await page.waitForSelector("#bigram-sequences", { timeout: patience(60_000) });
    assert((await canvasColours(page, "bigram-heatmap")) > 20, "the bigram heat map is drawn");
    assert(
      (await page.locator("#bigram-sequences .tok.trig").count()) > 0,
      "triggers are highlighted",
    );
    assert(
      (await page.locator("#bigram-sequences .tok.out2").count()) > 0,
      "in-context outputs are highlighted",
    );
    const before = await page.locator("#bigram-sequences").textContent();
    await page.click("#bigram-resample");
    await waitForStatus(page, /seed 1 /);
    assert(
      (await page.locator("#bigram-sequences").textContent()) !== before,
      "resampling changes the sequences",
    );
    return "sequences sampled and resampled, heat map drawn";
  },
  2: async (page) => {
    await page.click("#attn-start");
    await page.waitForSelector("#attn-heatmap", { timeout: patience(60_000) });
    await waitForStatus(page, /d = 16, T = 32/);
    const narrow = numberIn(await page.locator("#attn-acc").textContent());
    const pixels = await canvasPixels(page, "attn-heatmap");
    await page.locator("#attn-d").fill("128");
    await waitForStatus(page, /d = 128, T = 32/);
    const wide = numberIn(await page.locator("#attn-acc").textContent());
    assert(wide > narrow, `a wider head is sharper: ${wide}% at d = 128 vs ${narrow}% at d = 16`);
    assert(wide >= 95, `at d = 128 almost every row attends to t - 1 (${wide}%)`);
    assert((await canvasPixels(page, "attn-heatmap")) !== pixels, "the heat map is redrawn");
    // The scale slider moves an index into a list of scales and shows the scale itself.
    const scale = page.locator("#attn-scale");
    const shown = page.locator('output[for="attn-scale"]');
    assertEquals([await shown.textContent(), await scale.getAttribute("aria-valuetext")], [
      "1",
      "1",
    ]);
    await scale.focus();
    await page.keyboard.press("ArrowLeft");
    assertEquals(await shown.textContent(), "0.3", "one step down the scale is 0.3");
    assertEquals(await scale.getAttribute("aria-valuetext"), "0.3");
    return `argmax on t-1: ${narrow}% at d=16, ${wide}% at d=128; scale slider 1 → 0.3`;
  },
  3: async (page) => {
    await page.click("#mem-start");
    await waitForStatus(page, /sweep done/, 120_000);
    const points = await page.locator("#mem-chart polyline.curve").first().getAttribute("points");
    const count = (points ?? "").trim().split(/\s+/).length;
    assertEquals(count, 19, "the recall curve has a point per N");
    const desc = (await page.locator("#mem-chart desc").textContent()) ?? "";
    assert(
      numberIn(desc.replace(/^d = \d+ /, "")) < 0.2,
      `recall at N = 2048, d = 64 is low: ${desc}`,
    );
    assert((await canvasColours(page, "mem-heatmap")) > 20, "the score matrix is drawn");
    return `recall curve of 19 points drawn (${desc})`;
  },
  4: async (page) => {
    const counts = async (id: string) =>
      ((await page.locator(id).textContent()) ?? "").split("/").map(Number) as [number, number];
    const ratio = async (id: string) => {
      const [hits, total] = await counts(id);
      assert(total > 5, `${id}: enough positions to judge (${hits} / ${total})`);
      return hits / total;
    };
    await page.click("#ind-start");
    await page.waitForSelector("#ind-attn2", { timeout: patience(60_000) });
    await waitForStatus(page, /your text .*d = 256/);
    const wide = await ratio("#ind-acc");
    assert(
      (await canvasColours(page, "ind-attn1")) > 2 && (await canvasColours(page, "ind-attn2")) > 2,
    );
    await page.selectOption("#ind-d", "32");
    await waitForStatus(page, /d = 32/);
    const narrow = await ratio("#ind-acc");
    assert(
      wide > narrow + 0.2,
      `a wider model copies better: ${wide} at d = 256, ${narrow} at d = 32`,
    );
    await page.selectOption("#ind-d", "256");
    await waitForStatus(page, /d = 256/);
    const before = await canvasPixels(page, "ind-attn2");
    let [hits, total] = [0, 0];
    for (let i = 0; i < 3; i++) {
      await page.click("#ind-sample");
      await waitForStatus(page, new RegExp(`sampled sequence ${i} `));
      await page.waitForSelector("#ind-ctx-acc", { timeout: patience(30_000) });
      const [h, t] = await counts("#ind-ctx-acc");
      [hits, total] = [hits + h, total + t];
    }
    assert(total >= 10, `three sampled sequences have in-context targets (${total})`);
    const task = hits / total;
    // The lesson's README measures 0.67 to 0.90 for a head wired over all 65 tokens at T = 64.
    assert(
      task >= 0.7,
      `on a sampled sequence the wired head predicts the in-context targets (${task})`,
    );
    assert((await canvasPixels(page, "ind-attn2")) !== before, "sampling redraws the maps");
    return `copies ${wide.toFixed(2)} of repeated positions at d=256 vs ${
      narrow.toFixed(2)
    } at d=32; ` +
      `in-context targets of a sampled sequence: ${task.toFixed(2)}`;
  },
  5: async (page, shot) => {
    await page.selectOption("#train-preset", "cpu");
    await page.click("#train-start");
    await waitForStatus(page, /Training: step (3\d|[4-9]\d|\d{3})/, 240_000);
    await page.click("#train-pause");
    await waitForStatus(page, /Paused at step/);
    const losses = await page.locator("#train-table tbody tr td:nth-child(2)").allTextContents();
    const [first, ...later] = losses.map(Number);
    const best = Math.min(...later);
    assert(later.length >= 3, `three evaluations after step 0 (${losses})`);
    assert(
      best < first - 0.3,
      `the in-context loss goes down: ${first} at step 0, then ${later.join(", ")}`,
    );
    const before = await canvasPixels(page, "train-attn2");
    const tensors = numberIn(await page.locator("#train-tensors").textContent());
    await page.click("#train-start");
    await waitForStatus(page, /Training: step (5\d|[6-9]\d|\d{3})/, 240_000);
    await page.click("#train-pause");
    await waitForStatus(page, /Paused at step/);
    assert((await canvasPixels(page, "train-attn2")) !== before, "the attention maps evolve");
    const after = numberIn(await page.locator("#train-tensors").textContent());
    assertEquals(after, tensors, "tf.memory().numTensors stays flat while training");
    await shot();
    await page.click("#train-reset");
    await waitForStatus(page, /Reset/);
    return `in-context loss ${first} at step 0, then ${later.join(", ")}; tensors flat at ${after}`;
  },
  7: async (page, shot) => {
    await page.click("#td-start");
    await waitForStatus(page, /at zero memories/, 120_000);
    await page.click("#td-step-wK1");
    await waitForStatus(page, /No gradient yet/, 120_000);
    await page.click("#td-step-wO2");
    await waitForStatus(page, /W_O²: ‖gradient‖/, 120_000);
    const copy = await page.locator("#td-table tbody tr td:nth-child(5)").allTextContents();
    const [start, afterKeys, afterCopy] = copy.map(Number);
    assertEquals(afterKeys, start, "a W_K¹ step at zero init changes nothing");
    assert(afterCopy > start + 0.3, `the copy probe rises after the W_O² step: ${copy}`);
    await shot();
    return `copy probe ${start} -> ${afterCopy} after one W_O² step; W_K¹ first: no gradient`;
  },
  8: async (page, shot) => {
    await page.click("#data-start");
    await waitForStatus(page, /fixed K=5: 200 sequences/, 120_000);
    const uniform = numberIn(await page.locator("#data-bigram").textContent());
    await page.selectOption("#data-setting", "fixed K=5, outputs ~ pi_b");
    await waitForStatus(page, /outputs ~ pi_b: 200 sequences/, 120_000);
    const bigram = numberIn(await page.locator("#data-bigram").textContent());
    assert(
      bigram > uniform + 5,
      `outputs ~ pi_b: the bigram alone predicts more (${uniform}% -> ${bigram}%)`,
    );
    // Train in the page on the default setting: the tiny preset, a few seconds on wasm.
    await page.selectOption("#data-setting", "fixed K=5");
    await waitForStatus(page, /fixed K=5: 200 sequences/, 120_000);
    const started = Date.now();
    await page.click("#data-train");
    await waitForStatus(page, /Training on fixed K=5: step/, 120_000);
    const status = await waitForStatus(page, /Trained on fixed K=5: 150 steps/, 240_000);
    const seconds = (Date.now() - started) / 1000;
    const model = numberIn(await page.locator("#data-train-model").textContent());
    const alone = numberIn(await page.locator("#data-train-bigram").textContent());
    assert(
      model > alone + 0.1,
      `150 steps on fixed K=5 learn some copying: model ${model} vs bigram alone ${alone}`,
    );
    assertMatch(status, /in-context accuracy .* \(bigram alone/, "the status compares the two");
    await shot();
    return `bigram alone on in-context targets: ${uniform}% (uniform outputs), ${bigram}% (pi_b); ` +
      `trained in the page (150 steps, ${seconds.toFixed(0)} s): model ${model} vs bigram ` +
      `alone ${alone}`;
  },
  9: async (page, shot) => {
    await page.click("#beyond-start");
    // the chosen variant's cached cpu-preset run is drawn before the live one trains
    await page.waitForSelector("#beyond-cached-acc", { timeout: patience(60_000) });
    await waitForStatus(page, /one layer \(W_O\^1 = 0\): step (1\d|[2-9]\d)/, 240_000);
    await page.selectOption("#beyond-variant", "full");
    // the cached full runs' induction heads, side by side: each map is its run's best head,
    // named layer.head, with the induction targets boxed in red
    await page.waitForSelector("#beyond-map-full-fixed", { timeout: patience(60_000) });
    const maps = (await page.locator("#beyond-maps").textContent()) ?? "";
    assertMatch(maps, /fixed triggers: head (\d)\.(\d) \(layer \1, head \2\), the highest/);
    assertMatch(maps, /fixed triggers: head \d\.\d \(layer\.head\), induction score 0\.\d\d/);
    assertMatch(maps, /random triggers: head (\d)\.(\d) \(layer \1, head \2\), the highest/);
    for (const key of ["full-fixed", "full-random"]) {
      const { colours, has } = await canvasColoursWith(page, `beyond-map-${key}`, MARK_RED);
      assert(colours > 10, `${key}'s map is drawn (${colours} colours)`);
      assert(has, `${key}'s map boxes the induction targets in red`);
    }
    await waitForStatus(page, /full transformer.*: step (1\d|[2-9]\d)/, 240_000);
    await page.waitForSelector("#beyond-heads", { timeout: patience(60_000) });
    const heads = (await page.locator("#beyond-heads").textContent()) ?? "";
    assert(/1\.1 \d\.\d\d/.test(heads), `the induction score of each head is shown: ${heads}`);
    // and its highest-scoring head's attention, live
    await page.waitForSelector("#beyond-live-map", { timeout: patience(60_000) });
    const live = await canvasColours(page, "beyond-live-map");
    assert(live > 5, `the live model's best head's map is drawn (${live} colours)`);
    await shot();
    const said = (await page.locator("#beyond-maps-text").textContent()) ?? "";
    return `one layer and the full transformer train; ${heads.slice(0, 80)}; cached maps: ${said}`;
  },
  6: async (page, shot) => {
    const said: string[] = [];
    const tensors: number[] = [];
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    // auto first (here: software WebGPU and WebGL are skipped, so wasm), then WebGL by name.
    for (const backend of ["auto", "webgl"]) {
      await page.selectOption("#train-preset", "tiny");
      await page.selectOption("#train-backend", backend);
      await page.click("#train-start");
      await page.waitForSelector("#train-backend-name", { timeout: patience(60_000) });
      await waitForStatus(page, /Training: step (1\d|[2-9]\d)|Done/, 240_000);
      if (await page.locator("#train-pause").isEnabled()) await page.click("#train-pause");
      await waitForStatus(page, /Paused|Done/);
      const name = (await page.locator("#train-backend-name").textContent()) ?? "";
      const detail = ((await page.locator("#train-metrics li").first().textContent()) ?? "")
        .replace(/\s+/g, " ");
      const ms = numberIn(await page.locator("#train-ms").textContent());
      assert(ms > 0, "the step time is shown");
      if (backend === "auto") {
        assert(["webgpu", "webgl", "wasm"].includes(name), `auto picks a fast backend: ${detail}`);
        if (name === "wasm") {
          assertMatch(detail, /webgpu skipped: .*webgl skipped: /, "and says why");
        }
        await shot();
      } else {
        assertEquals(name, "webgl", `the backend asked for runs: ${detail}`);
      }
      // How many Web Workers train, or why none do: a GPU backend stays on the page's thread.
      const workers = numberIn(await page.locator("#train-workers").textContent());
      const where = (await page.locator("#train-workers-why").textContent()) ?? "";
      if (name === "webgl" || name === "webgpu") {
        assertEquals(workers, 0, `${name} trains on the page's main thread`);
        assertMatch(where, /main thread: .* computes on the GPU/, "and the demo says why");
      } else if (cores > 1) {
        assert(workers > 0, `${name} on ${cores} cores trains in Web Workers: ${where}`);
      }
      said.push(`${backend}: ${detail}, ${ms} ms/step, ${workers} Web Workers`);
      await page.click("#train-reset");
      await waitForStatus(page, /Reset/);
      tensors.push(await pageTensors(page));
    }
    assertEquals(
      tensors[1],
      tensors[0],
      `Reset frees every tensor, after a switch of backend too: ${tensors.join(", ")}`,
    );
    return said.join(" | ") + `; tensors after each Reset: ${tensors.join(", ")}`;
  },
};

Deno.test({
  name: "browser: every lesson page renders, its demo runs, and the console has no errors",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const lessons = await listLessons(COURSE_ROOT);
    await withBrowser(async ({ page, base, errors, warnings }) => {
      await t.step("home", async () => {
        await page.goto(`${base}/`);
        assertEquals(await page.locator("h1").count(), 1);
        await page.screenshot({ path: join(SCREENSHOTS, "map-1280.png") });
        assertEquals(errors, []);
        assertEquals(unexpectedWarnings(warnings), []);
      });
      for (const lesson of lessons) {
        await t.step(`lesson ${lesson.number}: ${lesson.title}`, async () => {
          const response = await page.goto(`${base}/lessons/${lesson.number}`);
          assertEquals(response?.status(), 200);
          assert(
            (await page.locator(".lesson-text .katex").count()) > 0 ||
              !lesson.markdown.includes("$"),
          );
          await page.screenshot({ path: join(SCREENSHOTS, `lesson-${lesson.number}-1280.png`) });
          console.log(`  lesson ${lesson.number}: ${await checkToc(page)}`);
          const hint = page.locator(".lesson-text details summary").first();
          if (await hint.count()) {
            const details = page.locator(".lesson-text details").first();
            assertEquals(await details.getAttribute("open"), null, "hints start folded");
            // The next tier is folded inside this one, as --hint gives them one at a time.
            const next = details.locator(":scope > details > summary").first();
            if ((await hint.textContent())?.startsWith("Hint 1")) {
              assertEquals(await next.count(), 1, "hint 2 is folded inside hint 1");
              assert(!(await next.isVisible()), "hint 2 is hidden until hint 1 is open");
            }
            await hint.focus();
            await page.keyboard.press("Enter");
            assert((await details.getAttribute("open")) !== null, "a hint opens from the keyboard");
            if (await next.count()) {
              assert(await next.isVisible(), "opening hint 1 shows hint 2's fold");
            }
          }
          const driver = DEMOS[lesson.number] ? DRIVERS[lesson.number] : undefined;
          if (driver) {
            let shots = 0;
            const shot = async () => {
              shots++;
              await page.locator("#demo").screenshot({
                path: join(SCREENSHOTS, `lesson-${lesson.number}-demo-1280.png`),
              });
            };
            const said = await driver(page, shot);
            if (shots === 0) await shot();
            console.log(`  lesson ${lesson.number} demo: ${said}`);
          } else {
            assert(
              (await page.locator("#demo .coming-soon").count()) === 1,
              "a lesson without a demo says so",
            );
            console.log(`  lesson ${lesson.number}: no live demo (the page says "coming soon")`);
          }
          assertEquals(errors, [], "the console has no errors");
          assertEquals(unexpectedWarnings(warnings), [], "the console has no warnings");
        });
      }
      const missing = Object.keys(DEMOS).map(Number).filter((n) =>
        !lessons.some((l) => l.number === n)
      );
      if (missing.length) {
        console.log(
          `  NOT RUN: the demos of lessons ${missing.join(", ")}: those lessons have no README yet`,
        );
      }
    });
    console.log(`  screenshots (1280 px): ${SCREENSHOTS}`);
  },
});

/** A phone's width in CSS pixels (an iPhone SE or mini, portrait). */
const PHONE_WIDTH = 375;

/**
 * How wide the page lays out and, when that is wider than the window, what sticks out furthest
 * (outside any element that scrolls or clips it): the outermost and the innermost element that
 * reach that far, each named by tag, id and classes, and the text.
 */
function pageWidth(page: Page): Promise<{ width: number; widest?: string }> {
  return page.evaluate(() => {
    const width = document.documentElement.scrollWidth;
    const limit = document.documentElement.clientWidth + 1;
    const out: { right: number; el: Element }[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const right = el.getBoundingClientRect().right;
      if (right <= limit) continue;
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible") clipped = true;
      }
      if (!clipped) out.push({ right, el });
    }
    if (out.length === 0) return { width };
    const right = Math.max(...out.map((o) => o.right));
    const reach = out.filter((o) => o.right >= right - 0.5).map((o) => o.el);
    const name = (el: Element) =>
      "<" + el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") +
      [...el.classList].map((c) => `.${c}`).join("") + ">";
    const [outer, inner] = [reach[0], reach[reach.length - 1]];
    const text = (inner.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 60);
    const names = outer === inner ? name(inner) : `${name(outer)} … ${name(inner)}`;
    return { width, widest: `${names} (right edge at ${Math.round(right)}px): "${text}"` };
  });
}

Deno.test({
  name: `browser: at phone width (${PHONE_WIDTH}px) no page scrolls sideways, nor after a demo`,
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const lessons = await listLessons(COURSE_ROOT);
    const paths = ["/", ...lessons.map((l) => `/lessons/${l.number}`), "/spec", "/no/such/page"];
    await withBrowser(async ({ page, base, errors, warnings }) => {
      await page.setViewportSize({ width: PHONE_WIDTH, height: 800 });
      for (const path of paths) {
        await t.step(path, async () => {
          const response = await page.goto(`${base}${path}`);
          const { width, widest } = await pageWidth(page);
          assert(
            width <= PHONE_WIDTH + 1,
            `${path} is ${width}px wide in a ${PHONE_WIDTH}px window; widest: ${widest}`,
          );
          if (response?.status() === 404) {
            // Chromium reports the 404 page's own status as a console error.
            assertMatch(errors.shift() ?? "", /status of 404/);
          }
          assertEquals(errors, [], "the console has no errors");
          assertEquals(unexpectedWarnings(warnings), [], "the console has no warnings");
        });
      }
      const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, name) });
      const demoShot = (name: string) =>
        page.locator("#demo").screenshot({ path: join(SCREENSHOTS, name) });
      const fits = async (what: string) => {
        const { width, widest } = await pageWidth(page);
        assert(width <= PHONE_WIDTH + 1, `${what}: ${width}px wide; widest: ${widest}`);
      };
      await t.step("the map and lesson 4's demo, with screenshots", async () => {
        await page.goto(`${base}/`);
        await shot("map-375.png");
        await page.goto(`${base}/lessons/4`);
        assert(!(await page.locator("nav.page-toc").isVisible()), "no margin at 375 px");
        const inline = page.locator("details.toc-inline");
        assert(await inline.isVisible(), "the table of contents is folded at the top instead");
        await inline.locator("summary").click();
        assert(await inline.locator('a[href="#demo"]').isVisible());
        await shot("lesson-4-375.png");
        await page.click("#ind-start");
        await waitForStatus(page, /your text .*d = 256/, 120_000);
        await fits("lesson 4 after its demo ran");
        await demoShot("lesson-4-demo-375.png");
      });
      await t.step(
        "lesson 5: no sideways scroll after a run; Reset frees every tensor",
        async () => {
          await page.goto(`${base}/lessons/5`);
          await shot("lesson-5-375.png");
          const tensors: number[] = [];
          // On more than one core the run trains in Web Workers (live_workers.ts): their tensors
          // are not the page's, so Reset must also end the Workers the run started. The first
          // run also starts what stays (the engine's own threads), so the second run is judged.
          let before = workerUrls(page);
          const started: number[] = [];
          for (const steps of [/Training: step (2\d|[3-9]\d)/, /Training: step (1\d|[2-9]\d)/]) {
            await page.selectOption("#train-preset", "tiny");
            await page.click("#train-start");
            await waitForStatus(page, steps, 240_000);
            await page.click("#train-pause");
            await waitForStatus(page, /Paused at step/);
            const during = workerUrls(page);
            // The demo shows how many Workers train: 0 when it trains on the page's main thread.
            const inWorkers = numberIn(await page.locator("#train-workers").textContent()) > 0;
            await fits("lesson 5 after training");
            if (tensors.length === 0) await demoShot("lesson-5-demo-375.png");
            await page.click("#train-reset");
            await waitForStatus(page, /Reset/);
            tensors.push(await pageTensors(page));
            if (tensors.length === 2) {
              started.push([...during].filter((url) => !before.has(url)).length);
              if (inWorkers) assert(started[0] > 0, "a run in Web Workers starts Workers");
              const left = await survivors(page, before, during);
              assertEquals(left, [], "Reset ends the Workers the run started (and their tensors)");
            }
            before = workerUrls(page);
          }
          assertEquals(tensors[1], tensors[0], `tensors after each Reset: ${tensors.join(", ")}`);
          console.log(
            `  lesson 5 at ${PHONE_WIDTH}px: no overflow; page tensors after Reset ${tensors}; ` +
              (started[0] > 0
                ? `trained in Web Workers: the second run started ${started[0]}, Reset ended them`
                : "trained in the page (no Workers)"),
          );
          assertEquals(errors, [], "the console has no errors");
          assertEquals(unexpectedWarnings(warnings), [], "the console has no warnings");
        },
      );
    });
    console.log(`  screenshots (${PHONE_WIDTH} px): ${SCREENSHOTS}`);
  },
});

Deno.test({
  name: "browser: without a WebGPU adapter, auto falls back and WebGPU is asked for once a page",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withBrowser(async ({ page, base, errors, warnings }) => {
      assertEquals((await page.goto(`${base}/lessons/6`))?.status(), 200);
      const said: string[] = [];
      // auto, another backend, then auto again: a second start of auto must not ask again.
      for (const backend of ["auto", "wasm", "auto"]) {
        await page.selectOption("#train-preset", "tiny");
        await page.selectOption("#train-backend", backend);
        await page.click("#train-start");
        await page.waitForSelector("#train-backend-name", { timeout: patience(60_000) });
        await waitForStatus(page, /Training: step|Done/, 120_000);
        if (await page.locator("#train-pause").isEnabled()) await page.click("#train-pause");
        await waitForStatus(page, /Paused|Done/);
        const name = (await page.locator("#train-backend-name").textContent()) ?? "";
        const detail = ((await page.locator("#train-metrics li").first().textContent()) ?? "")
          .replace(/\s+/g, " ");
        if (backend === "auto") {
          assert(name !== "webgpu", `no adapter, so not webgpu: ${detail}`);
          assertMatch(detail, /webgpu skipped: no WebGPU adapter/, "and says why");
        }
        said.push(`${backend}: ${detail}`);
        await page.click("#train-reset");
        await waitForStatus(page, /Reset/);
      }
      console.log(`  ${said.join(" | ")}`);
      assertEquals(errors, [], "the console has no errors");
      assertEquals(unexpectedWarnings(warnings), [], "the console has no other warnings");
      assertEquals(
        warnings.filter((w) => w === "No available adapters.").length,
        1,
        `Chromium's "No available adapters." once, for the one probe: ${JSON.stringify(warnings)}`,
      );
    }, { webgpu: false });
  },
});
