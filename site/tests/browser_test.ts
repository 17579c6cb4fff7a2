// Real-browser tests of the course site with Debian's Chromium (driven by playwright-core):
// every lesson page loads, its demo starts and actually changes the page (canvas pixels, text,
// curves), the training demo's loss goes down, and the console stays free of errors. Screenshots
// of each page go to site/screenshots/ (git-ignored; look at them after a run). Without Chromium
// the tests say so and skip.
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { listLessons } from "@lib/course/lessons.ts";
import { COURSE_ROOT } from "../main.ts";
import { DEMOS } from "../components/lesson_demo.tsx";
import { chromiumPath, withBrowser } from "./browser.ts";

const SCREENSHOTS = join(COURSE_ROOT, "site", "screenshots");
const browser = chromiumPath();
if (!browser) {
  console.log(
    "SKIPPED: site browser tests: no Chromium at /usr/bin/chromium (install Debian's `chromium`, " +
      "or set CHROMIUM_PATH). The HTTP tests still ran.",
  );
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

function canvasPixels(page: Page, id: string): Promise<string> {
  return page.evaluate(
    (id: string) => (document.getElementById(id) as HTMLCanvasElement).toDataURL(),
    id,
  );
}

async function statusText(page: Page): Promise<string> {
  return (await page.locator("#demo .demo-status").textContent()) ?? "";
}

async function waitForStatus(page: Page, pattern: RegExp, timeout = 60_000): Promise<string> {
  await page.waitForFunction(
    ([source, flags]) =>
      new RegExp(source, flags).test(
        document.querySelector("#demo .demo-status")?.textContent ?? "",
      ),
    [pattern.source, pattern.flags],
    { timeout },
  );
  return await statusText(page);
}

function numberIn(text: string | null): number {
  const m = (text ?? "").match(/-?\d+(\.\d+)?/);
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

/** Each demo's check: start it, then prove that it did something. */
const DRIVERS: Record<number, (page: Page, shot: () => Promise<void>) => Promise<string>> = {
  1: async (page) => {
    await page.click("#bigram-start");
    await page.waitForSelector("#bigram-sequences", { timeout: 60_000 });
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
    await page.waitForSelector("#attn-heatmap", { timeout: 60_000 });
    await waitForStatus(page, /d = 16, T = 32/);
    const narrow = numberIn(await page.locator("#attn-acc").textContent());
    const pixels = await canvasPixels(page, "attn-heatmap");
    await page.locator("#attn-d").fill("128");
    await waitForStatus(page, /d = 128, T = 32/);
    const wide = numberIn(await page.locator("#attn-acc").textContent());
    assert(wide > narrow, `a wider head is sharper: ${wide}% at d = 128 vs ${narrow}% at d = 16`);
    assert(wide >= 95, `at d = 128 almost every row attends to t - 1 (${wide}%)`);
    assert((await canvasPixels(page, "attn-heatmap")) !== pixels, "the heat map is redrawn");
    return `argmax on t-1: ${narrow}% at d=16, ${wide}% at d=128`;
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
    await page.waitForSelector("#ind-attn2", { timeout: 60_000 });
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
      await page.waitForSelector("#ind-ctx-acc", { timeout: 30_000 });
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
  6: async (page, shot) => {
    const said: string[] = [];
    // auto first (here: software WebGPU and WebGL are skipped, so wasm), then WebGL by name.
    for (const backend of ["auto", "webgl"]) {
      await page.selectOption("#train-preset", "tiny");
      await page.selectOption("#train-backend", backend);
      await page.click("#train-start");
      await page.waitForSelector("#train-backend-name", { timeout: 60_000 });
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
      said.push(`${backend}: ${detail}, ${ms} ms/step`);
      await page.click("#train-reset");
      await waitForStatus(page, /Reset/);
    }
    return said.join(" | ");
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
    await withBrowser(async ({ page, base, errors }) => {
      await t.step("home", async () => {
        await page.goto(`${base}/`);
        assertEquals(await page.locator("h1").count(), 1);
        await page.screenshot({ path: join(SCREENSHOTS, "home.png") });
        assertEquals(errors, []);
      });
      for (const lesson of lessons) {
        await t.step(`lesson ${lesson.number}: ${lesson.title}`, async () => {
          const response = await page.goto(`${base}/lessons/${lesson.number}`);
          assertEquals(response?.status(), 200);
          assert(
            (await page.locator(".lesson-text .katex").count()) > 0 ||
              !lesson.markdown.includes("$"),
          );
          await page.screenshot({ path: join(SCREENSHOTS, `lesson-${lesson.number}.png`) });
          const hint = page.locator(".lesson-text details summary").first();
          if (await hint.count()) {
            const details = page.locator(".lesson-text details").first();
            assertEquals(await details.getAttribute("open"), null, "hints start folded");
            await hint.focus();
            await page.keyboard.press("Enter");
            assert((await details.getAttribute("open")) !== null, "a hint opens from the keyboard");
          }
          const driver = DEMOS[lesson.number] ? DRIVERS[lesson.number] : undefined;
          if (driver) {
            let shots = 0;
            const shot = async () => {
              shots++;
              await page.locator("#demo").screenshot({
                path: join(SCREENSHOTS, `lesson-${lesson.number}-demo.png`),
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
  },
});
