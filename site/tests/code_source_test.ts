// Real-browser tests of whose code the demos run (Chromium, see browser.ts): a demo runs the
// learner's exercises from `lessons/` by default, says so, and switches to the reference
// (`solutions/`); an exercise saved as a stub makes the demo say which exercise it waits for
// (the engine is rebuilt on the save, with no server restart) and offer the reference.
// The learner's course is a copy of `lessons/` in a temporary folder, lesson 1 written out
// from its solution, so the test never touches the learner's own files.
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { COURSE_ROOT } from "../main.ts";
import { chromiumPath, waitForStatus, withBrowser } from "./browser.ts";

const browser = chromiumPath();
if (!browser) {
  console.log("SKIPPED: site code-source browser tests: no Chromium (see browser_test.ts).");
}

/** A course folder whose lesson 1 is written (the reference copied) and the rest are stubs. */
async function learnerCourse(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "course_site_learner_" });
  await new Deno.Command("cp", { args: ["-r", join(COURSE_ROOT, "lessons"), root] }).output();
  await Deno.copyFile(
    join(COURSE_ROOT, "solutions/01_bigram_data/exercises.ts"),
    join(root, "lessons/01_bigram_data/exercises.ts"),
  );
  return root;
}

/** The demo's status line once it matches `pattern`. */
function status(page: Page, pattern: RegExp): Promise<string> {
  return waitForStatus(page, pattern, 90_000);
}

Deno.test({
  name: "browser: a demo runs your code, switches to the reference, and waits for a stub",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const root = await learnerCourse();
    try {
      await withBrowser(async ({ page, base, errors }) => {
        const engines: string[] = [];
        page.on("request", (r) => {
          const m = new URL(r.url()).pathname.match(/^\/_engine\/(learner|reference)-\w+\.js$/);
          if (m) engines.push(m[1]);
        });
        await page.goto(`${base}/lessons/1`);
        const pressed = () =>
          page.locator('#demo .code-switch button[aria-pressed="true"]').textContent();

        await t.step("your code by default, and the page says so", async () => {
          assertEquals(await pressed(), "your code (lessons/)");
          await page.click("#bigram-start");
          const said = await status(page, /seed 0 .*Running your code \(lessons\/\)/);
          assert((await page.locator("#bigram-sequences .tok.trig").count()) > 0, said);
          assertEquals(engines, ["learner"]);
        });

        await t.step("the switch runs the reference", async () => {
          await page.click('#demo .code-switch button[data-source="reference"]');
          await status(page, /Running reference \(solutions\/\)/);
          assertEquals(await pressed(), "reference (solutions/)");
          assertEquals(engines, ["learner", "reference"]);
          assert((await page.locator("#bigram-sequences .tok.trig").count()) > 0);
        });

        await t.step("a stub saved in your code: the demo names the exercise", async () => {
          await Deno.copyFile(
            join(COURSE_ROOT, "lessons/01_bigram_data/exercises.ts"),
            join(root, "lessons/01_bigram_data/exercises.ts"),
          );
          await page.click('#demo .code-switch button[data-source="learner"]');
          await status(page, /Waiting for your code: \w+ is not written yet/);
          const note = page.locator("#demo .waiting");
          assertMatch((await note.textContent()) ?? "", /waits for Exercise 1\.\d: /);
          const href = (await note.locator("a").getAttribute("href")) ?? "";
          assertMatch(href, /^\/lessons\/1#exercise-1\d-/);
          assertEquals(engines.length, 3, "the learner's engine was rebuilt after the save");
          await note.locator("button.use-reference").click();
          await status(page, /Running reference \(solutions\/\)/);
          assertEquals(await page.locator("#demo .waiting").count(), 0);
        });
        await t.step(
          "the training demo (its own start / pause cycle) waits for a stub",
          async () => {
            await page.goto(`${base}/lessons/5`);
            await page.selectOption("#train-preset", "tiny");
            await page.click("#train-start");
            await status(page, /Waiting for your code: \w+ is not written yet/);
            const note = page.locator("#demo .waiting");
            assertMatch((await note.textContent()) ?? "", /waits for Exercise \d\.\d+: /);
            await note.locator("button.use-reference").click();
            await status(page, /Reset: press “Start”/);
            await page.click("#train-start");
            await status(
              page,
              /Training: step \d+ of \d+ on \w+ (in|on) [\w' ]+, reference \(solutions\/\)/,
            );
            await page.click("#train-pause");
            await status(page, /Paused at step/);
          },
        );
        assertEquals(errors, [], "the console has no errors");
      }, { root, code: "learner" });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
