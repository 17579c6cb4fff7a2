// Real-browser tests of the site as the learner's workspace (Chromium, see browser.ts), on a
// throw-away copy of the course (lesson 1 only, see lib/course/_test_course.ts): a failing
// check's message appears on the open lesson page after `deno task lesson 1` runs in a terminal,
// without a reload; the Check button streams the check's output, refuses a second one while it
// runs, and its result updates the page; the exercises' links open `/source` at the function's
// line (`#L<n>`); the reference solutions stay hidden until their exercise passes, or until the
// learner answers yes to the terminal's question ("Show the reference anyway").
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { cp } from "node:fs/promises";
import {
  copyCourse,
  COURSE_ROOT,
  implement,
  LESSON1,
  solutionBody,
} from "@lib/course/_test_course.ts";
import { chromiumPath, patience, withBrowser } from "./browser.ts";

const browser = chromiumPath();
if (!browser) {
  console.log(
    "SKIPPED: site workspace browser tests: no Chromium (install Debian's chromium, or set " +
      "CHROMIUM_PATH).",
  );
}

const EXERCISES = `lessons/${LESSON1}/exercises.ts`;
const SOLUTION = `solutions/${LESSON1}/exercises.ts`;

/** Waits until `fn` (run in the page) is true. */
async function until(page: Page, fn: string, what: string): Promise<void> {
  try {
    await page.waitForFunction(fn, undefined, { timeout: patience(120_000) });
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message.split("\n")[0]}`);
  }
}

const kindOf = (id: string) => `document.querySelector("#status-${id}")?.dataset.kind`;

Deno.test({
  name: "browser: checks show up live, the Check button streams, /source anchors, hidden solutions",
  ignore: !browser,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const course = await copyCourse();
    const { root } = course;
    // The figures the lessons share (lesson 1's text shows one).
    await cp(join(COURSE_ROOT, "lessons/figures"), join(root, "lessons/figures"), {
      recursive: true,
    }).catch(() => {});
    const stub = await Deno.readTextFile(join(root, EXERCISES));
    const solution = await Deno.readTextFile(join(root, SOLUTION));
    try {
      await withBrowser(async ({ page, base, errors }) => {
        await page.goto(`${base}/lessons/1`);
        await until(page, `document.documentElement.dataset.live === "listening"`, "events");
        await page.evaluate(`window.__sameDocument = true`);

        await t.step("solutions are hidden before a pass", async () => {
          assertEquals(await page.locator("details.solution").count(), 0);
          assertEquals(await page.locator(".solution-hidden").count(), 5);
          assertEquals(await page.evaluate(kindOf("1-1")), "not started");
        });

        await t.step("a failing check appears after `deno task lesson 1`, no reload", async () => {
          await Deno.writeTextFile(
            join(root, EXERCISES),
            implement(stub, { unigramFromCounts: "return counts.map(() => 0);" }),
          );
          const run = await new Deno.Command(Deno.execPath(), {
            args: ["task", "--quiet", "lesson", "1"],
            cwd: root,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const said = new TextDecoder().decode(run.stdout);
          assertEquals(run.code, 1, said);
          const problem = said.match(/^ {2}problem: (.*)$/m)?.[1] ?? "";
          assertMatch(problem, /unigramFromCounts.*expected/);
          await until(page, `${kindOf("1-1")} === "failing"`, "1.1 shown failing");
          const steps = (await page.locator("#status-1-1 .check-steps").textContent()) ?? "";
          assertStringIncludes(steps, `problem: ${problem}`);
          assertMatch(steps, /where: {2}lessons\/01_bigram_data\/exercises\.ts:\d+/);
          assertEquals(await page.evaluate(`window.__sameDocument`), true, "no reload");
        });

        await t.step("the Check button streams the check, one at a time", async () => {
          // Exercise 1.1 written: the check the button runs finds it passing.
          await Deno.writeTextFile(
            join(root, EXERCISES),
            implement(stub, {
              unigramFromCounts: solutionBody(solution, "unigramFromCounts"),
              bigramFromCounts: solutionBody(solution, "bigramFromCounts"),
            }),
          );
          await page.click("#check-button");
          await until(page, `document.querySelector("#check-button").disabled`, "button busy");
          const second = await page.evaluate(`fetch("/api/check/1", {
            method: "POST", headers: { "x-course-check": "1" },
          }).then(async (r) => [r.status, (await r.json()).error])`) as [number, string];
          assertEquals(second[0], 409);
          assertMatch(second[1], /already running \(lesson 1/);
          await until(
            page,
            `/not every exercise passes yet/.test(document.querySelector("#check-message").textContent)`,
            "the check's end",
          );
          const output = (await page.locator("#check-output").textContent()) ?? "";
          assertStringIncludes(output, "Lesson 1 · ");
          assertMatch(output, /✔ 1\.1 /);
          await until(page, `${kindOf("1-1")} === "passed"`, "1.1 shown passed");
          assertEquals(await page.locator("#check-button").isDisabled(), false);
          assertEquals(await page.evaluate(`window.__sameDocument`), true, "no reload");
        });

        await t.step("a pass shows that exercise's solution, and only that one", async () => {
          await until(
            page,
            `document.querySelectorAll("#solution-1-1 details.solution").length === 1`,
            "1.1's solution shown live",
          );
          assertEquals(await page.evaluate(`window.__sameDocument`), true, "no reload");
          await page.reload();
          assertEquals(await page.locator("details.solution").count(), 1);
          assertStringIncludes(
            (await page.locator("details.solution summary").textContent()) ?? "",
            "unigramFromCounts",
          );
          // "Show the reference anyway" asks the terminal's question first.
          const asked: string[] = [];
          page.once("dialog", (dialog) => {
            asked.push(dialog.message());
            void dialog.accept();
          });
          await page.click('button.show-solution[data-exercise="1.3"]');
          await until(
            page,
            `document.querySelectorAll("details.solution").length === 2`,
            "the page reloaded with 1.3's solution",
          );
          assertEquals(asked, [
            "Exercise 1.3 does not pass yet, and the reference gives the answer away. " +
            "Show it anyway?",
          ]);
          await page.goto(`${base}/source/${SOLUTION}`);
          const text = (await page.locator("main").textContent()) ?? "";
          assertStringIncludes(text, "The reference code is hidden until exercise 1.2 passes");
          assertStringIncludes(text, solutionBody(solution, "unigramFromCounts").split("\n")[0]);
        });

        await t.step("an exercise's function links to its line in /source", async () => {
          await page.goto(`${base}/lessons/1`);
          const link = page.locator("#status-1-2 .functions a").first();
          const fn = (await link.textContent()) ?? "";
          await link.click();
          await page.waitForURL(/\/source\/lessons\/01_bigram_data\/exercises\.ts#L\d+$/);
          const line = Number(new URL(page.url()).hash.slice(2));
          const target = page.locator(":target");
          assertEquals(await target.getAttribute("id"), `L${line}`);
          assertMatch((await target.textContent()) ?? "", new RegExp(`export function ${fn}\\b`));
          assert(await target.isVisible());
          const box = await target.boundingBox();
          assert(box && box.y >= 0 && box.y < 900, `line ${line} is scrolled into view`);
          // The failing exercise's `where:` links to its line too.
          await page.goto(`${base}/lessons/1`);
          const where = page.locator("#status-1-2 .check-steps a[href^='/source/']").first();
          assertMatch((await where.getAttribute("href")) ?? "", /#L\d+$/);
        });
        // Chromium logs the refused second check (409) as a console error: that one is expected.
        const unexpected = errors.filter((e) => !/status of 409 \(Conflict\)/.test(e));
        assertEquals(unexpected, [], "the console has no other errors");
      }, { root, code: "learner" });
    } finally {
      await course.remove();
    }
  },
});
