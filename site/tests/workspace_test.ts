// HTTP tests of the site as the learner's workspace, on a throw-away copy of the course (lesson
// 1 only, see lib/course/_test_course.ts): each exercise's last check on its lesson page with
// the terminal's own lines for a failing one; the event stream that tells pages the progress
// changed; the Check button's endpoint (it runs `deno task lesson N`, one at a time, refuses other
// sites and a shared server); the terminal's `where:` linking to the running site; and the
// reference solutions hidden until their exercise passes, on every route that shows text.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { symlink } from "node:fs/promises";
import { copyCourse, fakeIo, implement, LESSON1, solutionBody } from "@lib/course/_test_course.ts";
import { main as lessonCli } from "@lib/course/cli/lesson.ts";
import { findLesson, listLessons } from "@lib/course/lessons.ts";
import { PROGRESS_PATH, recordSolutionShown, updateProgress } from "@lib/course/progress.ts";
import { announceSite } from "@lib/course/site_address.ts";
import { createSite } from "../main.ts";
import { type CheckMessage, workspaceFor } from "../utils/workspace.ts";

const EXERCISES = `lessons/${LESSON1}/exercises.ts`;
const SOLUTION = `solutions/${LESSON1}/exercises.ts`;

/** Lesson 1 with `unigramFromCounts` written wrong: exercise 1.1 fails with a message. */
async function writeWrongUnigram(root: string): Promise<void> {
  const stub = await Deno.readTextFile(join(root, EXERCISES));
  await Deno.writeTextFile(
    join(root, EXERCISES),
    implement(stub, { unigramFromCounts: "return counts.map(() => 0);" }),
  );
}

/** The text of an HTML fragment, tags removed and entities decoded. */
function text(html: string): string {
  return html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** Reads newline-delimited JSON messages until the stream ends. */
async function messages(body: ReadableStream<Uint8Array>): Promise<CheckMessage[]> {
  const all = await new Response(body).text();
  return all.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

Deno.test({
  name: "workspace: a failing check shows the terminal's lines on the page; where: links the site",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const course = await copyCourse();
    const { root } = course;
    const { app } = createSite({ root });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const remove = await announceSite(root, base);
    try {
      await writeWrongUnigram(root);
      const before = await (await fetch(`${base}/lessons/1`)).text();
      assertStringIncludes(before, "not checked yet");
      // `deno task lesson 1`, in-process: the terminal's report, with the site's address.
      const io = fakeIo();
      assertEquals(await lessonCli(["1"], root, io), 1);
      const terminal = io.text();
      const where = terminal.match(/^ {2}where: +(\S+):(\d+) \(function (\w+)\)\n {10}(\S+)$/m);
      assert(where, `the terminal's where: and the link under it:\n${terminal}`);
      const [, file, line, fn, url] = where;
      assertEquals([file, fn], [EXERCISES, "unigramFromCounts"]);
      assertEquals(url, `${base}/source/${EXERCISES}#L${line}`);
      const source = await (await fetch(url)).text();
      assertMatch(source, new RegExp(`id="L${line}"[^]*?unigramFromCounts`));
      // The page shows exercise 1.1's lines as the terminal printed them.
      const page = await (await fetch(`${base}/lessons/1`)).text();
      const item = page.match(/<li id="status-1-1" data-kind="failing">[^]*?<\/li>/)?.[0] ?? "";
      assertMatch(item, /badge-failing">failing \d+\/\d+ tests</);
      const shown = text(item.match(/<pre class="check-steps">([^]*?)<\/pre>/)?.[1] ?? "");
      const body = (s: string) =>
        s.split("\n").filter((l) =>
          /^ {2}(test|problem|where|text|stuck\?)/.test(l) || /^ {10}/.test(l)
        )
          .filter((l) => !l.includes("http://"));
      assert(body(shown).some((l) => l.startsWith("  problem:")), shown);
      // The same lines (the page sets `commands` as code, so without their backticks).
      const said = terminal.slice(terminal.indexOf("Next: exercise 1.1")).replaceAll("`", "");
      assertEquals(body(shown), body(said));
      assertStringIncludes(item, `href="/source/${EXERCISES}#L${line}"`);
      assertStringIncludes(page, 'id="check-button" data-check="1"');
      // The other exercises: not started (their stubs), each with where its stub is.
      assertMatch(page, /<li id="status-1-2" data-kind="not started">/);
      // The course map: the progress bar over the course.
      const home = await (await fetch(`${base}/`)).text();
      assertMatch(home, /<progress id="course-progress-bar" max="5" value="0"/);
    } finally {
      await remove();
      await server.shutdown();
      await course.remove();
    }
  },
});

Deno.test({
  name: "workspace: /api/events tells the page when the progress file changes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "site_events_" });
    try {
      await Deno.mkdir(join(root, "lessons"));
      const { app } = createSite({ root });
      const res = await app.fetch(new Request("http://127.0.0.1/api/events"));
      assertMatch(res.headers.get("content-type") ?? "", /^text\/event-stream/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const next = async () => decoder.decode((await reader.read()).value, { stream: true });
      assertStringIncludes(await next(), ": listening");
      // Give the watcher one look at the file as it is, then change it.
      await new Promise((r) => setTimeout(r, 700));
      await Deno.mkdir(join(root, ".course"));
      await Deno.writeTextFile(join(root, PROGRESS_PATH), "{}");
      let seen = "";
      while (!seen.includes("event: progress")) seen += await next();
      await reader.cancel();
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "workspace: the Check button runs the lesson's check, one at a time, from this site only",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const course = await copyCourse();
    const { root } = course;
    try {
      await writeWrongUnigram(root);
      const { app } = createSite({ root });
      const post = (path: string, headers: Record<string, string> = { "x-course-check": "1" }) =>
        app.fetch(new Request(`http://127.0.0.1:8000${path}`, { method: "POST", headers }));
      const refused = async (res: Response, status: number, why: RegExp) => {
        assertEquals(res.status, status);
        assertMatch((await res.json()).error, why);
      };
      await refused(await post("/api/check/1", {}), 403, /only this site's own pages/);
      await refused(
        await post("/api/check/1", { "x-course-check": "1", origin: "http://evil.example" }),
        403,
        /only this site's own pages/,
      );
      await refused(await post("/api/check/9"), 404, /no lesson "9"/);
      const shared = createSite({ root, hosts: ["0.0.0.0"] }).app;
      await refused(
        await shared.fetch(
          new Request("http://10.0.0.5/api/check/1", {
            method: "POST",
            headers: { "x-course-check": "1" },
          }),
        ),
        403,
        /shared on the network/,
      );
      const get = await app.fetch(new Request("http://127.0.0.1/api/check/1"));
      await get.body?.cancel();
      assertEquals(get.status, 405);

      const first = await post("/api/check/1", {
        "x-course-check": "1",
        origin: "http://127.0.0.1:8000",
      });
      assertEquals(first.status, 200);
      await refused(await post("/api/check/1"), 409, /already running \(lesson 1, .*one at a time/);
      const got = await messages(first.body!);
      assertEquals(got[0], { type: "start", lesson: 1 });
      assertEquals(got.at(-1), { type: "done", code: 1 });
      const output = got.map((m) => m.type === "output" ? m.text : "").join("");
      assertStringIncludes(output, "Lesson 1 · ");
      assertMatch(output, /Next: exercise 1\.1[^]*problem:/);
      assert(!output.includes("\x1b["), "no terminal colours in the page's output");
      // Recorded, as `deno task lesson 1` records it.
      const page = await (await app.fetch(new Request("http://127.0.0.1/lessons/1"))).text();
      assertMatch(page, /<li id="status-1-1" data-kind="failing">/);
      // Done: the lock is released (right after the stream's end), so the next check may run.
      while (workspaceFor(root).running) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await course.remove();
    }
  },
});

Deno.test("workspace: reference solutions are hidden until their exercise passes", async () => {
  const course = await copyCourse();
  const { root } = course;
  try {
    const { app } = createSite({ root });
    const get = async (path: string) => {
      const res = await app.fetch(new Request(`http://127.0.0.1${path}`));
      return { status: res.status, html: await res.text() };
    };
    const solution = await Deno.readTextFile(join(root, SOLUTION));
    const secret = (fn: string) =>
      solutionBody(solution, fn).split("\n").map((l) => l.trim())
        .filter((l) => l.length > 20).sort((a, b) => b.length - a.length)[0];
    const unigram = secret("unigramFromCounts");
    const sequence = secret("sampleSequence");
    const visible = (html: string, code: string) => text(html).includes(code);
    // A link in the learner's folder that points at the solution is no way round.
    await symlink(join(root, SOLUTION), join(root, `lessons/${LESSON1}/peek.ts`));

    let lesson = await get("/lessons/1");
    assert(!/<details class="solution"[ >]/.test(lesson.html), "no solution before a pass");
    assertEquals((lesson.html.match(/class="solution-hidden"/g) ?? []).length, 5);
    assertStringIncludes(lesson.html, "--show-solution --exercise 1.1");
    for (const path of [`/source/${SOLUTION}`, `/source/lessons/${LESSON1}/peek.ts`]) {
      const source = await get(path);
      assertEquals(source.status, 200, path);
      assert(!visible(source.html, unigram) && !visible(source.html, sequence), path);
      assertStringIncludes(text(source.html), "The reference code is hidden until exercise 1.1");
    }

    // Exercise 1.1 passes (and the solution of 1.4 was shown in the terminal, after asking).
    const [e11, , , e14] = findLesson(await listLessons(root), "1").exercises;
    const lessonOne = findLesson(await listLessons(root), "1");
    await updateProgress(root, (p) => {
      p.lessons[LESSON1] = {
        number: 1,
        title: lessonOne.title,
        lastChecked: new Date().toISOString(),
        exercises: {},
      };
      p.lessons[LESSON1].exercises[e11.id] = {
        title: e11.title,
        state: "passed",
        passed: 3,
        total: 3,
        lastChecked: new Date().toISOString(),
        hintsSeen: 0,
        solutionShown: false,
      };
      recordSolutionShown(p, lessonOne, e14.id);
    });
    lesson = await get("/lessons/1");
    assertEquals((lesson.html.match(/<details class="solution"[ >]/g) ?? []).length, 2);
    assertStringIncludes(lesson.html, "Solution: <code>unigramFromCounts</code>");
    assertStringIncludes(lesson.html, "Solution: <code>sampleSequence</code>");
    assert(!lesson.html.includes("Solution: <code>makeBatch</code>"));
    const source = await get(`/source/${SOLUTION}`);
    assert(visible(source.html, unigram) && visible(source.html, sequence));
    assertStringIncludes(text(source.html), "hidden until exercise 1.5");

    // "Show the reference anyway": the page asks the terminal's question, then records it shown.
    assertStringIncludes(
      lesson.html,
      'data-exercise="1.5" data-question="Exercise 1.5 does not pass yet, and the reference ' +
        'gives the answer away. Show it anyway?">Show the reference anyway</button>',
    );
    const shared = await createSite({ root, hosts: ["0.0.0.0"] }).app.fetch(
      new Request("http://10.0.0.5/lessons/1"),
    );
    assert(
      !(await shared.text()).includes(`class="show-solution"`),
      "a shared site offers no button",
    );
    const show = (headers: Record<string, string>) =>
      app.fetch(
        new Request("http://127.0.0.1/api/solution/1?exercise=1.5", { method: "POST", headers }),
      );
    const foreign = await show({ "x-course-check": "1", origin: "http://evil.example" });
    assertEquals(foreign.status, 403);
    await foreign.body?.cancel();
    const unknown = await app.fetch(
      new Request("http://127.0.0.1/api/solution/1?exercise=1.9", {
        method: "POST",
        headers: { "x-course-check": "1" },
      }),
    );
    assertEquals([unknown.status, (await unknown.json()).error], [
      404,
      'Lesson 1 has no exercise "1.9".',
    ]);
    const shown = await show({ "x-course-check": "1" });
    assertEquals(await shown.json(), { shown: "1.5" });
    lesson = await get("/lessons/1");
    assertStringIncludes(lesson.html, "Solution: <code>makeBatch</code>");
  } finally {
    await course.remove();
  }
});
