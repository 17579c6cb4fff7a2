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
import { learnerCourse, snapshot } from "./learner_course.ts";

const browser = chromiumPath();
if (!browser) {
  console.log("SKIPPED: site code-source browser tests: no Chromium (see browser_test.ts).");
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
    const root = await learnerCourse(["01_bigram_data"]);
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

Deno.test({
  name: "browser: a broken or missing exercise file stops only the demos that import it",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // Lesson 1 written; lesson 2's file does not compile; lesson 3's is deleted; lesson 4 is
    // written, so its code calls lesson 2's.
    const root = await learnerCourse(["01_bigram_data", "04_induction_transformer"]);
    const file = (slug: string) => join(root, "lessons", slug, "exercises.ts");
    await Deno.writeTextFile(file("02_attention"), "\nconst broken = ;\n", { append: true });
    await Deno.remove(file("03_associative_memory"));
    const before = await snapshot(join(root, "lessons"));
    try {
      await withBrowser(async ({ page, base, errors }) => {
        await t.step("lesson 1's demo runs your code", async () => {
          await page.goto(`${base}/lessons/1`);
          await page.click("#bigram-start");
          await status(page, /seed 0 .*Running your code \(lessons\/\)/);
          assertEquals(await page.locator("#demo .broken").count(), 0);
        });

        await t.step(
          "lesson 4's demo says it needs lesson 2, whose file does not compile",
          async () => {
            await page.goto(`${base}/lessons/4`);
            await page.click("#ind-start");
            await status(
              page,
              /Stopped: your lessons\/02_attention\/exercises\.ts does not compile/,
            );
            const note = (await page.locator("#demo .broken").textContent()) ?? "";
            assertMatch(
              note,
              /^Lesson 4's demo needs your lesson 2 code, and lessons\/02_attention\/exercises\.ts does not compile: SyntaxError: Expression expected at lessons\/02_attention\/exercises\.ts:\d+:\d+; deno task lesson 2 shows it\./,
            );
            await page.locator("#demo .broken button.use-reference").click();
            await status(page, /Running reference \(solutions\/\)/);
            assertEquals(await page.locator("#demo .broken").count(), 0);
          },
        );

        await t.step("lesson 3's demo says its file is missing and how to restore it", async () => {
          await page.goto(`${base}/lessons/3`);
          await page.click("#mem-start");
          await status(
            page,
            /Stopped: your lessons\/03_associative_memory\/exercises\.ts is missing/,
          );
          assertMatch(
            (await page.locator("#demo .broken").textContent()) ?? "",
            /^Lesson 3's demo runs your lessons\/03_associative_memory\/exercises\.ts, which is missing: deno task lesson 3 --reset restores the original stub\./,
          );
        });
        assertEquals(await snapshot(join(root, "lessons")), before, "your files are as they were");

        await t.step("lesson 2's file fixed, “Try again” runs lesson 4's demo again", async () => {
          await page.goto(`${base}/lessons/4`);
          await page.click("#ind-start");
          await status(page, /Stopped: your lessons\/02_attention\/exercises\.ts/);
          await Deno.copyFile(
            join(COURSE_ROOT, "lessons/02_attention/exercises.ts"),
            file("02_attention"),
          );
          await page.locator("#demo .broken button.retry").click();
          // Lesson 4's code now runs, and calls lesson 2's, a stub again.
          await status(page, /Waiting for your code: \w+ is not written yet/);
          assertMatch(
            (await page.locator("#demo .waiting").textContent()) ?? "",
            /waits for Exercise 2\.\d+: /,
          );
          assertEquals(await page.locator("#demo .broken").count(), 0);
        });
        assertEquals(errors, [], "the console has no errors");
      }, { root, code: "learner" });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
