// HTTP tests of the course site, answered in-process by the app (no port), plus one real server
// for raw request lines and the default address: every lesson page renders with typeset math,
// hints and solutions folded; the course map shows progress; the paper spec is at /spec and the
// lessons link there; /lessons and trailing slashes redirect; unknown pages get a helpful 404;
// and no URL reads a file outside the course.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { listLessons } from "@lib/course/lessons.ts";
import { COURSE_ROOT, createSite } from "../main.ts";
import { readProgress } from "@lib/course/progress.ts";
import { solutionShown } from "../utils/solutions.ts";
import { learnerCourse } from "./learner_course.ts";

const { app } = createSite();
const get = (path: string, init?: RequestInit) =>
  app.fetch(new Request(`http://127.0.0.1${path}`, init));
const lessons = await listLessons(COURSE_ROOT);

Deno.test("there are lessons to test", () => {
  assert(lessons.length >= 1, "listLessons found no lesson under lessons/");
});

Deno.test("home: the course map lists every lesson with its objectives and exercises", async () => {
  const res = await get("/");
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assertStringIncludes(html, "<h1>");
  for (const lesson of lessons) {
    assertStringIncludes(html, `href="/lessons/${lesson.number}"`);
    assertStringIncludes(html, escape(lesson.title));
    for (const e of lesson.exercises) {
      assertStringIncludes(html, `href="/lessons/${lesson.number}#${e.anchor}"`);
      assertStringIncludes(html, `aria-label="difficulty ${e.difficulty} of 3"`);
    }
  }
  // Its only script refreshes the progress when a check runs (no island, no framework).
  assertEquals(html.match(/<script[^>]*>/g), [
    '<script type="module" src="/_islands/glue/live.js">',
  ]);
  assertStringIncludes(html, 'id="course-progress"');
});

for (const lesson of lessons) {
  Deno.test(`lesson ${lesson.number} (${lesson.slug}) renders with math, folded hints and solutions`, async () => {
    const res = await get(`/lessons/${lesson.number}`);
    assertEquals(res.status, 200);
    const html = await res.text();
    assertStringIncludes(html, `<h1>Lesson ${lesson.number}: ${escape(lesson.title)}</h1>`);
    assertStringIncludes(html, `deno task lesson ${lesson.number}`);
    assertStringIncludes(html, `href="/source/${lesson.paths.exercises}"`);
    for (const e of lesson.exercises) assertStringIncludes(html, `id="${e.anchor}"`);
    // Each exercise's functions link to their line in the learner's file.
    const file = (await Deno.readTextFile(join(COURSE_ROOT, lesson.paths.exercises))).split("\n");
    for (const fn of lesson.exercises.flatMap((e) => e.functions)) {
      const line = file.findIndex((l) => new RegExp(`^export (async )?function ${fn}\\b`).test(l));
      if (line < 0) continue; // a method or a constant: no line to point at
      assertStringIncludes(html, `href="/source/${lesson.paths.exercises}#L${line + 1}"`, fn);
    }
    const text = html.replace(/<pre[\s\S]*?<\/pre>|<code[\s\S]*?<\/code>/g, "");
    if (/\$[^$\s][^$]*\$/.test(lesson.markdown)) {
      assertStringIncludes(html, 'class="katex"', "math in the README should be typeset by KaTeX");
      assertStringIncludes(html, "<math", "KaTeX should emit MathML for screen readers");
    }
    assert(!/\$\$/.test(text), "no $$ should be left untypeset outside code");
    const prose = text.replace(/<script[\s\S]*?<\/script>/g, "").replace(
      /<span class="katex[\s\S]*?<\/annotation>/g,
      "",
    );
    const stray = prose.match(/.{0,60}\$[^\s$][^$]*\$.{0,20}/);
    assert(!stray, `inline math left untypeset (check the README's Markdown there): ${stray?.[0]}`);
    assert(!html.includes("katex-error"), "KaTeX reported an error in this README's math");
    const hints = lesson.exercises.reduce((n, e) => n + e.hints.length, 0);
    const summaries = html.match(/<details><summary>Hint/g) ?? [];
    assertEquals(summaries.length, hints, "every hint is a folded <details>");
    assert(!/<details[^>]*\bopen\b/.test(html), "hints and solutions start folded");
    const solution = await Deno.readTextFile(join(COURSE_ROOT, lesson.paths.solution)).catch(() =>
      ""
    );
    // A reference solution shows once its exercise passes; before, a note says how to see it.
    const record = (await readProgress(COURSE_ROOT)).lessons[lesson.slug];
    const shown = lesson.exercises.filter((e) => solutionShown(record, e)).length;
    if (solution.includes("// BEGIN SOLUTION")) {
      assertEquals((html.match(/<details class="solution"[ >]/g) ?? []).length, shown);
      assertEquals(
        (html.match(/class="solution-hidden"/g) ?? []).length,
        lesson.exercises.length - shown,
      );
    }
    assertStringIncludes(html, 'id="demo"');
  });
}

Deno.test("lesson 1's page shows a known formula typeset and highlighted code", async () => {
  const html = await (await get("/lessons/1")).text();
  assertStringIncludes(html, '<annotation encoding="application/x-tex">\\pi_u(i)');
  assertStringIncludes(html, "hljs-keyword");
});

Deno.test("lesson pages with a demo load their island; the text needs no script", async () => {
  const html = await (await get("/lessons/1")).text();
  assertStringIncludes(html, 'data-island="bigram_demo"');
  assertStringIncludes(html, '<script type="module">import { boot } from "/_islands/glue/boot.js"');
  assert(!/tensorflow|tfjs/i.test(html.match(/<script[\s\S]*?<\/script>/g)?.join("") ?? ""));
  assertStringIncludes(html, "<noscript>");
});

Deno.test("/lessons/01 and /lessons/01_bigram_data are lesson 1; /lessons/99 is a helpful 404", async () => {
  for (const path of ["/lessons/01", "/lessons/01_bigram_data"]) {
    const res = await get(path);
    assertEquals(res.status, 200, path);
    assertStringIncludes(await res.text(), "<h1>Lesson 1:");
  }
  for (const path of ["/lessons/99", "/lessons/abc", "/lessons/1/extra"]) {
    const res = await get(path);
    assertEquals(res.status, 404, path);
    const html = await res.text();
    assertStringIncludes(html, "Page not found");
    assertStringIncludes(html, 'href="/"');
  }
});

Deno.test("/lessons and /lessons/ redirect to the course map; a trailing slash is dropped", async () => {
  /** Follows redirects (at most 3) and returns each hop's status and the final path. */
  const follow = async (path: string) => {
    const hops: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get(path);
      await res.body?.cancel();
      if (res.status < 300 || res.status >= 400) return { hops, path, status: res.status };
      hops.push(res.status);
      const location = res.headers.get("location") ?? "";
      assertMatch(location, /^\/(?!\/)/, `${path} redirects to a path of this site`);
      path = location;
    }
    throw new Error(`${path}: more than 3 redirects`);
  };
  for (const path of ["/lessons", "/lessons/"]) {
    const end = await follow(path);
    assertEquals([end.path, end.status], ["/", 200], path);
    assert(end.hops.length >= 1, `${path} is redirected`);
  }
  const lesson = await get("/lessons/1/");
  await lesson.body?.cancel();
  assertEquals(lesson.status, 301);
  assertEquals(lesson.headers.get("location"), "/lessons/1");
  assertEquals(lesson.headers.get("cross-origin-opener-policy"), "same-origin");
  const query = await get("/lessons/01_bigram_data/?x=1");
  await query.body?.cancel();
  assertEquals(query.headers.get("location"), "/lessons/01_bigram_data?x=1");
  assertEquals(await follow("/lessons/1//"), { hops: [301], path: "/lessons/1", status: 200 });
  assertEquals(await follow("/spec/"), { hops: [301], path: "/spec", status: 200 });
  for (const path of ["//example.org/", "/%2e%2e/", "/lessons/../"]) {
    const res = await get(path);
    await res.body?.cancel();
    assert(res.status < 300 || res.status >= 400, `${path} is not redirected (${res.status})`);
  }
});

Deno.test("/spec shows the paper spec with typeset math, heading anchors and its sections", async () => {
  const markdown = await Deno.readTextFile(join(COURSE_ROOT, "lessons", "paper_spec.md"));
  const res = await get("/spec");
  assertEquals(res.status, 200);
  const html = await res.text();
  assertStringIncludes(html, "<title>The paper spec · ");
  assertStringIncludes(html, 'class="lesson-text"');
  const anchors = [...html.matchAll(/<h2 id="([^"]+)"/g)].map((m) => m[1])
    .filter((id) => id !== "toc-heading");
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  const sections = prose.match(/^## /gm)?.length ?? 0;
  assert(sections > 0, "the spec has sections");
  assertEquals(anchors.length, sections, "every section heading has an anchor");
  for (const id of anchors) assertStringIncludes(html, `href="#${id}"`);
  if (/\$[^$\s][^$\n]*\$/.test(prose.replace(/`[^`\n]*`/g, ""))) {
    assertStringIncludes(html, 'class="katex"');
  }
  assert(!html.includes("katex-error"), "KaTeX reported an error in the spec's math");
});

Deno.test("/spec renders the spec's math with KaTeX; without a spec it is a 404", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "lessons"));
    const site = createSite({ root }).app;
    const at = (p: string) => site.fetch(new Request(`http://127.0.0.1${p}`));
    const missing = await at("/spec");
    assertEquals(missing.status, 404);
    assert(!(await missing.text()).includes('href="/spec"'));
    assert(!(await (await at("/")).text()).includes('href="/spec"'), "no link to a missing spec");
    await Deno.writeTextFile(
      join(root, "lessons", "paper_spec.md"),
      "# A spec\n\n## 1. Scores\n\nThe score is $x_t^\\top W_K x_s / \\sqrt{d}$.\n\n" +
        "$$\n\\beta_{t,s} = \\operatorname{softmax}(z)_s\n$$\n\n```ts\nconst x = 1;\n```\n",
    );
    const html = await (await at("/spec")).text();
    assertStringIncludes(html, '<p class="lede">A spec</p>');
    assertStringIncludes(html, '<h2 id="1-scores">1. Scores <a class="heading-anchor"');
    assertStringIncludes(html, '<a href="#1-scores">1. Scores</a>');
    assertStringIncludes(html, '<span class="katex">');
    assertStringIncludes(html, 'class="katex-display"');
    assertStringIncludes(html, '<annotation encoding="application/x-tex">x_t^\\top W_K');
    assertStringIncludes(html, "hljs-keyword");
    assertStringIncludes(await (await at("/")).text(), 'href="/spec"');
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lesson pages point their links to ../paper_spec.md at /spec; the map links it", async () => {
  let linked = 0;
  for (const lesson of lessons) {
    if (!lesson.markdown.includes("../paper_spec.md")) continue;
    linked++;
    const html = await (await get(`/lessons/${lesson.number}`)).text();
    assertMatch(html, /href="\/spec(#[^"]*)?"/, `lesson ${lesson.number}`);
    assert(!html.includes('href="../paper_spec.md'), `lesson ${lesson.number} kept a raw link`);
  }
  assert(linked > 0, "some lesson README links the paper spec");
  assertStringIncludes(await (await get("/")).text(), '<a href="/spec">the paper spec</a>');
});

Deno.test("the map and lesson 4 show the induction head's circuit, with a text alternative", async () => {
  const home = await (await get("/")).text();
  const img = home.match(/<figure class="map-figure"[\s\S]*?<img ([^>]*)>/)?.[1] ?? "";
  assertStringIncludes(img, 'src="/_lessons/figures/induction_head.svg"');
  const alt = img.match(/alt="([^"]*)"/)?.[1] ?? "";
  assert(alt.length > 200 && /previous-token/.test(alt) && /predicts b/.test(alt), alt);
  assert(!/W_/.test(alt), `the alt text names the matrices in words: ${alt}`);
  const svg = await get("/_lessons/figures/induction_head.svg");
  assertEquals(svg.status, 200);
  assertMatch(svg.headers.get("content-type") ?? "", /^image\/svg\+xml/);
  assertStringIncludes(await svg.text(), "<svg");
  const lesson4 = await (await get("/lessons/4")).text();
  assertStringIncludes(lesson4, 'src="/_lessons/figures/induction_head.svg"');
});

Deno.test("lesson pages: a table of contents of sections and exercises, heading anchors, prev/next at the top and the bottom", async () => {
  for (const lesson of lessons) {
    const html = await (await get(`/lessons/${lesson.number}`)).text();
    const toc = html.match(/<nav class="page-toc"[\s\S]*?<\/nav>/)?.[0] ?? "";
    assertStringIncludes(toc, 'aria-label="On this page"', `lesson ${lesson.number}`);
    for (const e of lesson.exercises) assertStringIncludes(toc, `href="#${e.anchor}"`, e.id);
    assertStringIncludes(toc, 'href="#demo"');
    const headings = [...html.matchAll(/<h([2-4]) id="([^"]+)">([\s\S]*?)<\/h\1>/g)]
      .filter((m) => m[2] !== "work-heading" && m[2] !== "demo-heading");
    assert(headings.length > 0);
    for (const [, , id, inner] of headings) {
      assertStringIncludes(inner, `<a class="heading-anchor" href="#${id}"`, `heading ${id}`);
      assertStringIncludes(toc, `href="#${id}"`, `the table of contents lists ${id}`);
    }
    const pagers = [
      ...html.matchAll(/<nav aria-label="Lessons[^"]*" class="pager[^"]*">([\s\S]*?)<\/nav>/g),
    ];
    assertEquals(pagers.length, 2, "a pager at the top and one at the bottom");
    const index = lessons.indexOf(lesson);
    for (const [, links] of pagers) {
      if (index > 0) assertStringIncludes(links, `href="/lessons/${lessons[index - 1].number}"`);
      if (index < lessons.length - 1) {
        assertStringIncludes(links, `href="/lessons/${lessons[index + 1].number}"`);
      }
    }
  }
});

Deno.test("every mention of a spec section, spec §N or §N.M, links to it on /spec", async () => {
  const spec = await (await get("/spec")).text();
  const ids = new Set([...spec.matchAll(/<h[23] id="([^"]+)"/g)].map((m) => m[1]));
  let mentions = 0;
  for (const lesson of lessons) {
    const html = await (await get(`/lessons/${lesson.number}`)).text();
    const prose = html.replace(/<pre[\s\S]*?<\/pre>|<code[\s\S]*?<\/code>/g, "");
    for (const [, href] of prose.matchAll(/<a class="spec-ref" href="\/spec#([^"]+)">/g)) {
      mentions++;
      assert(ids.has(href), `lesson ${lesson.number} links to a section /spec has: #${href}`);
    }
    const unlinked = prose.replace(/<a [^>]*>[\s\S]*?<\/a>/g, "").match(/§\d[\d.]*/g);
    assertEquals(unlinked, null, `lesson ${lesson.number}: every § mention is a link`);
  }
  assert(mentions > 10, `the lessons mention spec sections (${mentions} links)`);
  const own = [...spec.matchAll(/<a class="spec-ref" href="#([^"]+)">/g)].map((m) => m[1]);
  assert(own.length > 0 && own.every((id) => ids.has(id)), "the spec links its own § mentions");
});

Deno.test("/spec typesets the spec's plain-text names (W_K^1, p_t) with KaTeX", async () => {
  const html = await (await get("/spec")).text();
  const prose = html.replace(/<pre[\s\S]*?<\/pre>|<code[\s\S]*?<\/code>/g, "")
    .replace(/<span class="katex">[\s\S]*?<\/annotation>/g, "");
  assertStringIncludes(html, '<annotation encoding="application/x-tex">W_K^1</annotation>');
  assertEquals(prose.match(/\bW_[A-Z]\^\d/g), null, "no raw W_K^1 left in the spec's prose");
  assert(!html.includes("katex-error"));
});

Deno.test("every image a lesson README shows, and the induction-head map, is served; the rest of lessons/ is not", async () => {
  let images = 0;
  for (const lesson of await listLessons(COURSE_ROOT)) {
    const html = await (await get(`/lessons/${lesson.number}`)).text();
    for (const [, src] of html.matchAll(/<img[^>]* src="([^"]+)"/g)) {
      images++;
      const res = await get(src);
      await res.body?.cancel();
      assertEquals(res.status, 200, `lesson ${lesson.number}: ${src}`);
    }
  }
  assert(images > 0, "some lesson shows a figure");
  for (const lesson of await listLessons(COURSE_ROOT)) {
    const html = await (await get(`/lessons/${lesson.number}`)).text();
    for (const [, href] of html.matchAll(/<a[^>]* href="([^"]*figures\/[^"]+)"/g)) {
      const res = await get(href);
      await res.body?.cancel();
      assertEquals(res.status, 200, `lesson ${lesson.number} links ${href}`);
    }
  }
  const map = await get("/_lessons/figures/induction_head.svg");
  assertMatch(map.headers.get("content-type") ?? "", /^image\/svg\+xml/);
  assertStringIncludes(await map.text(), "<title");
  const hidden = await get("/_lessons/01_bigram_data/exercises.ts");
  await hidden.body?.cancel();
  assertEquals(hidden.status, 404);
});

Deno.test("unknown routes get a 404 page that says what was asked and where to go", async () => {
  const res = await get("/no/such/page");
  assertEquals(res.status, 404);
  assertMatch(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assertStringIncludes(html, "<title>Page not found");
  assertStringIncludes(html, "<code>/no/such/page</code>");
  assertStringIncludes(html, 'href="/lessons/1"');
});

Deno.test("course files can be read at /source/, highlighted", async () => {
  const res = await get("/source/lessons/01_bigram_data/exercises.ts");
  assertEquals(res.status, 200);
  const html = await res.text();
  assertStringIncludes(html, "<code>lessons/01_bigram_data/exercises.ts</code>");
  assertStringIncludes(html, "hljs-keyword");
  // Every line has an anchor, and its number links to it.
  const lines = (await Deno.readTextFile(
    join(COURSE_ROOT, "lessons/01_bigram_data/exercises.ts"),
  )).split("\n").length;
  for (const n of [1, 12, lines]) {
    assertStringIncludes(html, `<span class="line" id="L${n}"><a class="ln" href="#L${n}"`);
  }
  assertEquals(html.includes(`id="L${lines + 1}"`), false);
  for (
    const path of [
      "/source/deno.json",
      "/source/lessons",
      "/source/site/main.ts",
      "/source/lessons/x.sh",
    ]
  ) {
    assertEquals((await get(path)).status, 404, path);
  }
});

const TRAVERSALS = [
  "/source/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/source/lessons/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/source/lessons/..%2f..%2f..%2f..%2fetc%2fpasswd",
  "/source/lessons%2F..%2Fdeno.json",
  "/source/%2Fetc%2Fpasswd",
  "/source//etc/passwd",
  "/source/lessons/%252e%252e/deno.json",
  "/source/..%5C..%5Cdeno.json",
  "/source/lessons/01_bigram_data/exercises.ts%00.md",
  "/%2e%2e/deno.json",
  "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "/..%2fdeno.json",
  "/%2Fetc%2Fpasswd",
  "/_vendor/katex/%2e%2e/package.json",
  "/_vendor/katex/..%2f..%2f..%2f..%2f..%2fdeno.json",
  "/_vendor/tfjs-wasm/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/deno.json",
  "/_islands/..%2f..%2fdeno.json",
];

Deno.test("no URL reads a file outside the course (encoded .., absolute paths, nested escapes)", async () => {
  for (const path of TRAVERSALS) {
    const res = await get(path);
    const body = await res.text();
    assertEquals(res.status, 404, path);
    assert(!body.includes("root:x:0"), `${path} leaked /etc/passwd`);
    assert(!body.includes('"nodeModulesDir"'), `${path} leaked deno.json`);
    assert(!body.includes('"name": "katex"'), `${path} leaked a package.json`);
  }
});

Deno.test("a link inside the course that points outside it is not followed", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "lessons", "01_x"), { recursive: true });
    await Deno.writeTextFile(join(outside, "secret.ts"), "export const secret = 42;");
    await Deno.writeTextFile(join(root, "deno.json"), '{ "nodeModulesDir": "auto" }');
    await Deno.symlink(join(outside, "secret.ts"), join(root, "lessons", "01_x", "link.ts"));
    await Deno.symlink("/etc/passwd", join(root, "lessons", "01_x", "passwd.ts"));
    await Deno.symlink(join(root, "deno.json"), join(root, "lessons", "01_x", "config.ts"));
    await Deno.writeTextFile(join(root, "lessons", "01_x", "ok.ts"), "export const ok = 1;");
    const site = createSite({ root }).app;
    const at = (p: string) => site.fetch(new Request(`http://127.0.0.1${p}`));
    assertEquals((await at("/source/lessons/01_x/ok.ts")).status, 200);
    for (const p of ["link.ts", "passwd.ts", "config.ts"].map((f) => `/source/lessons/01_x/${f}`)) {
      const res = await at(p);
      assertEquals(res.status, 404, p);
      const body = await res.text();
      assert(!body.includes("secret = 42") && !body.includes("root:x:0"), `${p} followed the link`);
      assert(!body.includes("nodeModulesDir"), `${p} showed a file that is not viewable`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("progress: 'not checked yet' without a file or with a corrupt one, the CLI's states with one", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "lessons", "01_demo"), { recursive: true });
    await Deno.mkdir(join(root, ".course"));
    await Deno.writeTextFile(
      join(root, "lessons", "01_demo", "README.md"),
      "# Lesson 1: Demo\n\n## Learning objectives\n\n- learn $x$\n\n## Exercises\n\n" +
        "### Exercise 1.1: One\n\n**Functions:** `one` · **Difficulty:** ★★☆ · **Time:** 5 min\n\n" +
        "### Exercise 1.2: Two\n\n**Functions:** `two` · **Difficulty:** ★☆☆ · **Time:** 5 min\n",
    );
    const home = async () =>
      await (await createSite({ root }).app.fetch(new Request("http://127.0.0.1/"))).text();
    assertStringIncludes(await home(), "not checked yet");
    await Deno.writeTextFile(join(root, ".course", "progress.json"), "{ not json");
    const corrupt = await home();
    assertStringIncludes(corrupt, "not checked yet");
    assert(!corrupt.includes("passed"), "a corrupt file shows no state");
    const now = "2026-01-02T03:04:05.000Z";
    await Deno.writeTextFile(
      join(root, ".course", "progress.json"),
      JSON.stringify({
        version: 1,
        updated: now,
        lessons: {
          "01_demo": {
            number: 1,
            title: "Demo",
            lastChecked: now,
            exercises: {
              "1.1": {
                title: "One",
                state: "passed",
                passed: 3,
                total: 3,
                lastChecked: now,
                hintsSeen: 2,
                solutionShown: false,
              },
              "1.2": {
                title: "Two",
                state: "failing",
                passed: 1,
                total: 3,
                lastChecked: now,
                hintsSeen: 0,
                solutionShown: true,
              },
            },
          },
        },
      }),
    );
    const html = await home();
    assertStringIncludes(html, "passed 3/3");
    assertStringIncludes(html, "failing 1/3");
    assertStringIncludes(html, "2 hints read");
    assertStringIncludes(html, "solution shown");
    assertStringIncludes(html, "1 of 2 passed (checked 2026-01-02 03:04 UTC)");
    const lesson =
      await (await createSite({ root }).app.fetch(new Request("http://127.0.0.1/lessons/1")))
        .text();
    assertStringIncludes(lesson, "passed 3/3");
    assertStringIncludes(
      lesson,
      "Solutions are not shown: there is no solutions/01_demo/exercises.ts yet",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("static files, the packages' browser files and isolation headers are served", async () => {
  const cases: [string, RegExp][] = [
    ["/styles.css", /^text\/css/],
    ["/favicon.svg", /^image\/svg\+xml/],
    ["/_vendor/katex/katex.min.css", /^text\/css/],
    ["/_vendor/katex/fonts/KaTeX_Main-Regular.woff2", /^font\/woff2/],
    ["/_vendor/hljs/github.min.css", /^text\/css/],
    ["/_vendor/tfjs-wasm/tfjs-backend-wasm-simd.wasm", /^application\/wasm/],
  ];
  for (const [path, type] of cases) {
    const res = await get(path);
    await res.body?.cancel();
    assertEquals(res.status, 200, path);
    assertMatch(res.headers.get("content-type") ?? "", type, path);
    assertEquals(res.headers.get("cross-origin-opener-policy"), "same-origin");
    assertEquals(res.headers.get("cross-origin-embedder-policy"), "require-corp");
    assertEquals(res.headers.get("x-content-type-options"), "nosniff");
  }
});

Deno.test("HEAD works; POST, PUT, DELETE and other methods get 405 with an Allow header", async () => {
  const head = await get("/lessons/1", { method: "HEAD" });
  assertEquals(head.status, 200);
  assertEquals(await head.text(), "");
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    for (const path of ["/lessons/1", "/source/deno.json", "/", "/nowhere"]) {
      const res = await get(path, { method });
      await res.body?.cancel();
      assertEquals(res.status, 405, `${method} ${path}`);
      assertEquals(res.headers.get("allow"), "GET, HEAD", `${method} ${path}`);
    }
  }
});

Deno.test("only loopback host names (and the --host address) are answered: no DNS rebinding", async () => {
  const withHost = (
    host: string,
    site = app,
    path = "/source/lessons/01_bigram_data/exercises.ts",
  ) => site.fetch(new Request(`http://${host}${path}`));
  for (
    const host of [
      "127.0.0.1",
      "127.0.0.1:8000",
      "localhost:8000",
      "[::1]:8000",
      "lesson.localhost",
    ]
  ) {
    const res = await withHost(host);
    await res.body?.cancel();
    assertEquals(res.status, 200, host);
  }
  for (const host of ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "10.0.0.5"]) {
    const res = await withHost(host);
    assertEquals(res.status, 403, host);
    const text = await res.text();
    assertStringIncludes(text, "Host");
    assert(!text.includes("export function"), `${host} read a course file`);
  }
  // The address given with --host is answered too; a wildcard address lets in any IP literal
  // (a rebinding attack needs a DNS name), never a name.
  const lan = createSite({ hosts: ["192.168.1.20"] }).app;
  assertEquals((await withHost("192.168.1.20:8000", lan, "/")).status, 200);
  assertEquals((await withHost("evil.example", lan, "/")).status, 403);
  const any = createSite({ hosts: ["0.0.0.0"] }).app;
  assertEquals((await withHost("10.0.0.5:8000", any, "/")).status, 200);
  assertEquals((await withHost("[fe80::1]:8000", any, "/")).status, 200);
  assertEquals((await withHost("evil.example", any, "/")).status, 403);
});

Deno.test("a real server refuses raw '..' request lines and foreign hosts, and listens on 127.0.0.1 by default", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(COURSE_ROOT, "site", "main.ts"), "--port", "0"],
    cwd: COURSE_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  try {
    let address: string | undefined;
    while (!address || !seen.includes("Demos ready")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`the server stopped: ${seen}`);
      seen += value;
      address ??= seen.match(/http:\/\/([\d.]+):(\d+)\//)?.[0];
    }
    const url = new URL(address);
    assertEquals(url.hostname, "127.0.0.1", "the default address is this machine only");
    for (
      const target of [
        "/source/../../../../etc/passwd",
        "/../deno.json",
        "/source/lessons/../../deno.json",
      ]
    ) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(url.port) });
      await conn.write(
        new TextEncoder().encode(
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        ),
      );
      const reply = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
      assertMatch(reply, /^HTTP\/1\.1 (400|404)/, target);
      assert(
        !reply.includes("root:x:0") && !reply.includes('"nodeModulesDir"'),
        `${target} leaked a file`,
      );
    }
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(url.port) });
    await conn.write(
      new TextEncoder().encode(
        `GET /source/lessons/01_bigram_data/exercises.ts HTTP/1.1\r\nHost: rebind.example\r\nConnection: close\r\n\r\n`,
      ),
    );
    const reply = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
    assertMatch(reply, /^HTTP\/1\.1 403/, "a foreign Host: header is refused");
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    await child.stderr.cancel();
    await child.status;
  }
});

Deno.test("a bad flag exits with status 2 and the usage", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(COURSE_ROOT, "site", "main.ts"), "--port", "http"],
    cwd: COURSE_ROOT,
  }).output();
  assertEquals(code, 2);
  const text = new TextDecoder().decode(stderr);
  assertStringIncludes(text, "--port must be a whole number");
  assertStringIncludes(text, "Usage: deno task site");
});

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}

Deno.test("a lesson page whose exercise file is missing says so and how to restore it", async () => {
  const root = await learnerCourse();
  try {
    const file = "lessons/03_associative_memory/exercises.ts";
    await Deno.remove(join(root, file));
    const site = createSite({ root }).app;
    const page = async (n: number) =>
      await (await site.fetch(new Request(`http://127.0.0.1/lessons/${n}`))).text();
    const three = await page(3);
    assertStringIncludes(
      three,
      `Your exercise file <code>${file}</code> is missing: <code>deno task lesson 3 --reset</code> ` +
        "restores the original stub.",
    );
    assert(!three.includes(`href="/source/${file}"`), "no link to a file that is not there");
    assertStringIncludes(await page(2), 'href="/source/lessons/02_attention/exercises.ts"');
    assertEquals(await Deno.stat(join(root, file)).catch(() => "absent"), "absent");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
