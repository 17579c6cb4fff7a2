// Tests of the hand-written glue that stands in for Fresh: file routes, the manifest, island
// rendering, safe file paths, trailing-slash redirects, solution extraction, the Markdown
// helpers (display math, spec links, code languages), and the command-line flags.
import { assert, assertEquals, assertMatch, assertStringIncludes, assertThrows } from "./assert.ts";
import { h } from "preact";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import manifest from "../fresh.gen.ts";
import { routePattern, sortRoutes } from "../glue/routes.ts";
import { islandName, islandScript, registerIslands, renderToHtml } from "../glue/render.ts";
import { safeJoin } from "../glue/static.ts";
import { browserImportMap } from "../glue/bundle.ts";
import { solutionRegions } from "../utils/solutions.ts";
import {
  headingAnchors,
  highlightLanguage,
  highlightShell,
  isShell,
  lessonLinkUrls,
  linkSpecSections,
  renderMarkdown,
  specLinkUrls,
  specSectionAnchors,
  splitDisplayMath,
  typesetPlainMath,
} from "../utils/markdown.ts";
import { tocEntries } from "../components/toc.tsx";
import { withoutTrailingSlash } from "../glue/server.ts";
import { withSolutions } from "../utils/lesson_text.ts";
import { parseLesson } from "@lib/course/lessons.ts";
import { parseSiteFlags } from "../main.ts";

const SITE = fileURLToPath(new URL("..", import.meta.url));

Deno.test("routePattern maps Fresh file names to paths", () => {
  assertEquals(routePattern("./routes/index.tsx"), "/");
  assertEquals(routePattern("./routes/about.tsx"), "/about");
  assertEquals(routePattern("./routes/lessons/index.tsx"), "/lessons");
  assertEquals(routePattern("./routes/lessons/[lesson].tsx"), "/lessons/:lesson");
  assertEquals(routePattern("./routes/source/[...path].tsx"), "/source/:path{.+}");
  assertEquals(routePattern("./routes/_app.tsx"), undefined);
  assertEquals(routePattern("./routes/_404.tsx"), undefined);
  assertThrows(() => routePattern("./islands/x.tsx"), Error, "not a route file");
  assertThrows(() => routePattern("./routes/a b.tsx"), Error, "unsupported route segment");
});

Deno.test("sortRoutes puts fixed paths before parameters and rest parameters last", () => {
  assertEquals(
    sortRoutes(["./routes/[...rest].tsx", "./routes/[id].tsx", "./routes/about.tsx"]),
    ["./routes/about.tsx", "./routes/[id].tsx", "./routes/[...rest].tsx"],
  );
});

Deno.test("fresh.gen.ts lists exactly the files of routes/ and islands/", async () => {
  const files = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    for await (const e of Deno.readDir(join(SITE, dir))) {
      const path = join(SITE, dir, e.name);
      if (e.isDirectory) out.push(...await files(relative(SITE, path)));
      else if (/\.tsx?$/.test(e.name)) out.push(`./${relative(SITE, path)}`);
    }
    return out.sort();
  };
  assertEquals(Object.keys(manifest.routes).sort(), await files("routes"));
  assertEquals(Object.keys(manifest.islands).sort(), await files("islands"));
});

Deno.test("islands render inside a marker with their props, and only pages with islands get a script", () => {
  function Counter(props: { start: number }) {
    return h("button", { type: "button" }, `count ${props.start}`);
  }
  registerIslands({ "./islands/test_counter.tsx": { default: Counter } });
  const withIsland = renderToHtml(h("main", null, h(Counter, { start: 3 })));
  assertEquals(withIsland.islands, ["test_counter"]);
  assertStringIncludes(withIsland.html, 'data-island="test_counter"');
  assertStringIncludes(withIsland.html, 'data-props="{&quot;start&quot;:3}"');
  assertStringIncludes(withIsland.html, "count 3</button>");
  const plain = renderToHtml(h("main", null, h("p", null, "text")));
  assertEquals(plain.islands, []);
  assertEquals(islandScript(plain.islands, "/_islands"), "");
  const script = islandScript(withIsland.islands, "/_islands");
  assertStringIncludes(script, 'import { boot } from "/_islands/glue/boot.js"');
  assertStringIncludes(script, 'import * as $0 from "/_islands/islands/test_counter.js"');
});

Deno.test("island props must be JSON", () => {
  function Bad(_props: { onClick: () => void }) {
    return h("p", null, "x");
  }
  registerIslands({ "./islands/test_bad.tsx": { default: Bad } });
  assertThrows(() => renderToHtml(h(Bad, { onClick: () => {} })), Error, "props must be JSON");
  assertEquals(islandName("./islands/train_demo.tsx"), "train_demo");
  assertThrows(() => islandName("./islands/TrainDemo.tsx"), Error, "snake_case");
});

Deno.test("safeJoin refuses every path that could leave the folder", () => {
  assertEquals(safeJoin("/srv", "styles.css"), "/srv/styles.css");
  assertEquals(safeJoin("/srv", "fonts/a%20b.woff2"), "/srv/fonts/a b.woff2");
  for (
    const bad of [
      "../etc/passwd",
      "%2e%2e/etc/passwd",
      "%2E%2E%2Fetc%2Fpasswd",
      "a/../../etc/passwd",
      "a/%2e%2e/%2e%2e/x",
      "/etc/passwd",
      "%2Fetc%2Fpasswd",
      "a//b",
      "a/./b",
      "..%5C..%5Cwindows",
      "C:%5Cwindows",
      "a%00.css",
      "%E0%A4%A",
      "",
    ]
  ) {
    assertEquals(safeJoin("/srv", bad), undefined, `"${bad}" should be refused`);
  }
});

Deno.test("solutionRegions extracts each function's reference code, dedented", () => {
  const source = [
    "export function one(): number {",
    "  // BEGIN SOLUTION",
    "  const x = 1;",
    "  return x;",
    "  // END SOLUTION",
    "}",
    "function helper() { return 0; }",
    "export async function two(a: number) {",
    "  if (a) {",
    "    // BEGIN SOLUTION",
    "    return 2;",
    "    // END SOLUTION",
    "  }",
    "  // BEGIN SOLUTION",
    "  return 3;",
    "  // END SOLUTION",
    "}",
  ].join("\n");
  const regions = solutionRegions(source);
  assertEquals([...regions.keys()], ["one", "two"]);
  assertEquals(regions.get("one"), "const x = 1;\nreturn x;");
  assertEquals(regions.get("two"), "return 2;\n// ...\nreturn 3;");
  assertThrows(() => solutionRegions("function f() {\n// BEGIN SOLUTION\n"), Error, "never closed");
});

Deno.test("withSolutions folds each exercise's solution at the end of its section, not inside code", () => {
  const md = [
    "# Lesson 9: Demo",
    "## Exercises",
    "### Exercise 9.1: First",
    "**Functions:** `a` · **Difficulty:** ★☆☆ · **Time:** 5 min",
    "```bash",
    "# not a heading",
    "```",
    "### Exercise 9.2: Second",
    "**Functions:** `b`, `c` · **Difficulty:** ★★☆ · **Time:** 5 min",
    "## What you should see",
  ].join("\n");
  const lesson = parseLesson("09_demo", md);
  const out = withSolutions(lesson, new Map([["a", "return 1;"], ["c", "return 3;"]])).split("\n");
  const first = out.findIndex((l) => l.includes("Solution: <code>a</code>"));
  const second = out.findIndex((l) => l.includes("Solution: <code>c</code>"));
  assert(first > out.indexOf("# not a heading"), "the first solution comes after the code block");
  assert(first < out.indexOf("### Exercise 9.2: Second"), "and before the next exercise");
  assert(second > out.indexOf("### Exercise 9.2: Second"));
  assert(second < out.indexOf("## What you should see"));
  assertEquals(out.filter((l) => l.startsWith('<details class="solution"')).length, 2);
  assert(
    !out.join("\n").includes("<code>b</code>"),
    "b has no solution region, so it is not listed",
  );
});

Deno.test("withSolutions: each exercise's solution part, shown or hidden, is a data-live element", () => {
  const md = "# Lesson 9: Demo\n### Exercise 9.1: First\n**Functions:** `a`\n" +
    "### Exercise 9.2: Second\n**Functions:** `b`\n## What you should see\n";
  const lesson = parseLesson("09_demo", md);
  const regions = new Map([["a", "return 1;"], ["b", "return 2;"]]);
  const out = withSolutions(lesson, regions, (e) => e.id === "9.1").split("\n");
  const open = out.indexOf('<div id="solution-9-1" data-live>');
  const hidden = out.indexOf('<div id="solution-9-2" data-live>');
  assert(open > 0 && out[open + 1] === "" && out[open + 2].startsWith('<details class="solution"'));
  assert(out[hidden + 2].startsWith('<p class="solution-hidden">'), "hidden, and live too");
  assert(
    out[open + 2].startsWith('<details class="solution" id="solution-9-1-code">'),
    "kept open",
  );
  assertEquals(out.filter((l) => l === "</div>").length, 2);
  const close = out.indexOf("</div>", open);
  assert(close < out.indexOf("### Exercise 9.2: Second"));
  assertEquals(out[close + 1], "", "a blank line ends the HTML block before the next heading");
});

Deno.test("withSolutions folds an exercise's hints from hints.md, one block per tier, before its solution", () => {
  const md =
    "# Lesson 9: Demo\n### Exercise 9.1: First\n**Functions:** `a`\n## What you should see\n";
  const hints = "## Exercise 9.1\n### Hint 1: a nudge\nLook.\n### Hint 2: the concept\n$x$\n";
  const out = withSolutions(parseLesson("09_demo", md, hints), new Map([["a", "return 1;"]]))
    .split("\n");
  const tiers = ["Hint 1: a nudge", "Hint 2: the concept"].map((t) =>
    out.indexOf(`<details><summary>${t}</summary>`)
  );
  assert(tiers[0] > out.indexOf("### Exercise 9.1: First") && tiers[0] < tiers[1], "in order");
  assert(out.indexOf("Look.") > tiers[0] && out.indexOf("$x$") > tiers[1], "with their bodies");
  // As --hint gives them one at a time: tier 2 sits inside tier 1's block (opened after it).
  const firstClose = out.indexOf("</details>");
  assert(tiers[1] < firstClose, "tier 2 is folded inside tier 1, not beside it");
  assertEquals(out.filter((l) => l === "</details>").length >= 2, true, "each block is closed");
  const solution = out.findIndex((l) => l.startsWith('<details class="solution"'));
  assert(tiers[1] < solution && solution < out.indexOf("## What you should see"));
});

Deno.test("parseSiteFlags: defaults to 127.0.0.1:8000 and explains bad flags", () => {
  assertEquals(parseSiteFlags([]), { host: "127.0.0.1", port: 8000, help: false });
  assertEquals(parseSiteFlags(["--host", "0.0.0.0", "--port", "0"]).port, 0);
  assertEquals(parseSiteFlags(["--port=9000"]).port, 9000);
  assertThrows(() => parseSiteFlags(["--port", "abc"]), Error, "--port must be a whole number");
  assertThrows(() => parseSiteFlags(["--port", "70000"]), Error, "0 to 65535");
  assertThrows(() => parseSiteFlags(["--port", "-1"]), Error);
  assertThrows(() => parseSiteFlags(["--hots", "x"]), Error, "--hots");
  assertThrows(() => parseSiteFlags(["extra"]), Error);
  assertThrows(() => parseSiteFlags(["--host", "a b"]), Error, "--host must be");
});

Deno.test("the browser import map makes local paths absolute and adds the shims", async () => {
  const root = join(SITE, "..");
  const map = await browserImportMap(root, { "node:path": "site/client/shims/node_path.ts" });
  assertMatch(map.imports["@lib/"], /^file:\/\/.*\/lib\/$/);
  assertMatch(map.imports["node:path"], /^file:\/\/.*\/site\/client\/shims\/node_path\.ts$/);
  assertEquals(map.imports["preact"].startsWith("npm:preact@"), true);
});

Deno.test("display math over several lines is typeset; code blocks are left alone", () => {
  assertEquals(splitDisplayMath("$$a =\n b.$$\n"), "$$\na =\n b.\n$$\n");
  assertEquals(splitDisplayMath("$$one line$$\n"), "$$one line$$\n");
  const fenced = "```\n$$x\ny$$\n```\n";
  assertEquals(splitDisplayMath(fenced), fenced);
  const html = renderMarkdown(
    "Text.\n\n$$h = x + W \\sum_s \\beta_{t,s}\\, v_s,\n\\qquad y.$$\n\nMore $x^2$.",
  );
  assert(!html.includes("$$"), "no $$ is left");
  assertStringIncludes(html, 'class="katex-display"');
  assertStringIncludes(
    html,
    "\\beta_{t,s}\\, v_s",
    "the TeX source (annotation) keeps its backslashes",
  );
  assertStringIncludes(html, '<span class="katex">');
});

Deno.test("withoutTrailingSlash strips trailing slashes of plain paths only", () => {
  assertEquals(withoutTrailingSlash("/lessons/1/"), "/lessons/1");
  assertEquals(withoutTrailingSlash("/lessons//"), "/lessons");
  assertEquals(withoutTrailingSlash("/spec/"), "/spec");
  for (
    const path of [
      "/",
      "/lessons/1",
      "//evil.example/",
      "///",
      "/a//b/",
      "/a/../",
      "/a/./",
      "/%2e%2e/",
      "/a%2Fb/",
      "/a\\b/",
    ]
  ) {
    assertEquals(withoutTrailingSlash(path), undefined, path);
  }
});

Deno.test("specLinkUrls points the READMEs' links to ../paper_spec.md at /spec", () => {
  assertEquals(
    specLinkUrls("See the [paper spec](../paper_spec.md): setup."),
    "See the [paper spec](/spec): setup.",
  );
  assertEquals(
    specLinkUrls("[spec §3.1](../paper_spec.md#31-hyperparameters)"),
    "[spec §3.1](/spec#31-hyperparameters)",
  );
  assertEquals(specLinkUrls('[s](../paper_spec.md "the spec")'), '[s](/spec "the spec")');
  assertEquals(specLinkUrls("[s](<../paper_spec.md#x>)"), "[s](</spec#x>)");
  assertEquals(specLinkUrls("[spec]: ../paper_spec.md#2-models\n"), "[spec]: /spec#2-models\n");
  for (
    const untouched of [
      "[other](../paper_spec.mdx)",
      "[other](../01_x/paper_spec.md)",
      "[other](https://example.org/paper_spec.md)",
      "```md\n[spec](../paper_spec.md)\n```\n",
    ]
  ) {
    assertEquals(specLinkUrls(untouched), untouched);
  }
  const html = renderMarkdown(specLinkUrls("[spec §2](../paper_spec.md#2-models)"));
  assertStringIncludes(html, '<a href="/spec#2-models">spec §2</a>');
});

Deno.test("WGSL is highlighted as Rust; unknown languages stay plain", () => {
  assertEquals(highlightLanguage("wgsl"), "rust");
  assertEquals(highlightLanguage("WGSL"), "rust");
  assertEquals(highlightLanguage("ts"), "ts");
  assertEquals(highlightLanguage("no-such-language"), "plaintext");
  assertEquals(highlightLanguage("constructor"), "plaintext");
  const html = renderMarkdown("```wgsl\nfn main() -> f32 { let x = 1.0; return x; }\n```\n");
  assertStringIncludes(html, 'class="hljs language-wgsl"');
  assertStringIncludes(html, '<span class="hljs-keyword">fn</span>');
  assertStringIncludes(html, '<span class="hljs-keyword">let</span>');
});

Deno.test("headings link to themselves, and the table of contents leaves those links out", () => {
  const html = headingAnchors(renderMarkdown("## Goals\n\n### Exercise 1.2: Sampling `x`\n"));
  assertStringIncludes(
    html,
    '<h2 id="goals">Goals <a class="heading-anchor" href="#goals" aria-label="Link to this section">#</a></h2>',
  );
  assertEquals(tocEntries(html), [
    { id: "goals", html: "Goals", level: 2 },
    { id: "exercise-12-sampling-x", html: "Exercise 1.2: Sampling <code>x</code>", level: 3 },
  ]);
});

Deno.test("spec § mentions link to the spec's section, outside links, code and math", () => {
  const anchors = specSectionAnchors(
    "# Spec\n## 3. Training\n```\n## 4. not a heading\n```\n### 3.2 Dynamics [MEAS]\n## 8. Surprises\n",
  );
  assertEquals([...anchors], [["3", "3-training"], ["3.2", "32-dynamics-meas"], [
    "8",
    "8-surprises",
  ]]);
  assertEquals(
    linkSpecSections("<p>spec §3.2, the spec's §3 and (§8.10); §4 is not there</p>", anchors),
    '<p><a class="spec-ref" href="/spec#32-dynamics-meas">spec §3.2</a>, the ' +
      '<a class="spec-ref" href="/spec#3-training">spec\'s §3</a> and (' +
      '<a class="spec-ref" href="/spec#8-surprises">§8.10</a>); §4 is not there</p>',
  );
  const untouched = '<p><a href="/x">spec §3</a> <code>§3</code><pre>§3</pre></p>';
  assertEquals(linkSpecSections(untouched, anchors), untouched);
  assertEquals(
    linkSpecSections("<p>§3</p>", anchors, ""),
    '<p><a class="spec-ref" href="#3-training">§3</a></p>',
  );
});

Deno.test("typesetPlainMath turns the spec's W_K^1 into math, not code names or code", () => {
  assertEquals(
    typesetPlainMath("W_K^1 ≈ Σ_t p_t p_{t−1}^T and w_E(k); n_layers, `W_K^1`, [a](x_y.md)"),
    "$W_K^1$ ≈ $Σ_t$ $p_t$ $p_{t-1}^T$ and $w_E$(k); n_layers, `W_K^1`, [a](x_y.md)",
  );
  assertEquals(typesetPlainMath("```\nW_K^1\n```\n"), "```\nW_K^1\n```\n");
  assertEquals(typesetPlainMath("costs $5 for W_K"), "costs $5 for W_K", "a line with a $ is kept");
  const html = renderMarkdown(typesetPlainMath("W_O^2 copies"));
  assertStringIncludes(html, '<annotation encoding="application/x-tex">W_O^2</annotation>');
});

Deno.test("shell blocks are highlighted as shell: commands, options, strings, comments", () => {
  assert(isShell("sh", "anything") && isShell("", "deno task lesson 1\n$ npx x"));
  assert(!isShell("", "x_t = w_E(z_t)") && !isShell("ts", "deno"));
  assertEquals(
    highlightShell("$ deno task train --log 'a b' # note"),
    '<span class="hljs-meta">$</span> <span class="hljs-built_in">deno</span> task train ' +
      '<span class="hljs-attr">--log</span> <span class="hljs-string">\'a b\'</span> ' +
      '<span class="hljs-comment"># note</span>',
  );
  assertStringIncludes(
    renderMarkdown("```sh\ndeno task demo 5 --help\n```\n"),
    '<span class="hljs-built_in">deno</span> task demo 5 <span class="hljs-attr">--help</span>',
  );
  assertEquals(highlightShell("echo <b>"), '<span class="hljs-built_in">echo</span> &lt;b&gt;');
});

Deno.test("lessonLinkUrls points the READMEs' links to other lessons at their pages", () => {
  assertEquals(
    lessonLinkUrls("New to tfjs? [Lesson 0](../00_tfjs_primer/README.md) first."),
    "New to tfjs? [Lesson 0](/lessons/0) first.",
  );
  assertEquals(
    lessonLinkUrls("[2.1](../02_attention/README.md#background)"),
    "[2.1](/lessons/2#background)",
  );
  const untouched = "```md\n[x](../02_attention/README.md)\n```\n[y](../02_attention/exercises.ts)";
  assertEquals(lessonLinkUrls(untouched), untouched);
});
