/**
 * Real-browser helpers for the site's tests: finds Debian's Chromium, launches it headless with
 * the flags that work here (WebGPU and WebGL2 through SwiftShader), and serves the site on a
 * free port of 127.0.0.1. Tests call {@linkcode chromiumPath} first and print why they skip
 * when there is no browser.
 *
 * @example
 * ```ts
 * import { chromiumPath, withBrowser } from "./browser.ts";
 * if (chromiumPath()) {
 *   await withBrowser(async ({ page, base }) => {
 *     await page.goto(`${base}/lessons/1`);
 *   });
 * }
 * ```
 * @module
 */
import { chromium, type ConsoleMessage, type Page } from "playwright-core";
import { createSite } from "../main.ts";

/**
 * A wall-clock wait for the browser, scaled by how busy the machine is: `ms` on an idle
 * machine, times the load average per core when it is loaded (the course check must pass on a
 * machine kept busy by other work, where the same page takes many times longer).
 *
 * @example
 * ```ts
 * import { patience } from "./browser.ts";
 * patience(60_000, 8, 2); // 240000: four runnable tasks per core
 * ```
 */
export function patience(
  ms: number,
  load: number = currentLoad(),
  cores: number = navigator.hardwareConcurrency,
): number {
  return Math.round(ms * Math.max(1, load / Math.max(1, cores)));
}

function currentLoad(): number {
  try {
    return Deno.loadavg()[0];
  } catch {
    return 0; // no --allow-sys: taken as idle
  }
}

/** Where the browser is looked for (`CHROMIUM_PATH` first, then Debian's). */
export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/**
 * The Chromium executable, or undefined when none is installed.
 *
 * @example
 * ```ts
 * import { chromiumPath } from "./browser.ts";
 * chromiumPath(); // "/usr/bin/chromium" or undefined
 * ```
 */
export function chromiumPath(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  for (const path of fromEnv ? [fromEnv, ...CHROMIUM_CANDIDATES] : CHROMIUM_CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** What a browser test gets. */
export interface BrowserContext {
  /** A fresh page. */
  page: Page;
  /** The site's base URL, e.g. `http://127.0.0.1:41234`. */
  base: string;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** Console warnings seen so far. */
  warnings: string[];
}

/** Options of {@linkcode withBrowser}. */
export interface BrowserOptions {
  /**
   * Whether Chromium offers WebGPU (through SwiftShader here; default true). Without it,
   * `navigator.gpu` is there but `requestAdapter()` finds no adapter, as on many machines.
   */
  webgpu?: boolean;
  /** The course folder the site reads (default: this checkout). */
  root?: string;
  /**
   * Whose code the demos start with (default `reference`, so that the demos run on a fresh
   * clone, whose exercises are stubs).
   */
  code?: "learner" | "reference";
  /**
   * Whether the site sends its cross-origin isolation headers (COOP/COEP; default true). False
   * serves the pages as a plain web server would: no `crossOriginIsolated`, no
   * `SharedArrayBuffer`, so the demos cannot train in Web Workers and must say so.
   */
  isolated?: boolean;
}

/** The cross-origin isolation headers that {@linkcode BrowserOptions.isolated} `false` drops. */
const ISOLATION_HEADERS = [
  "cross-origin-opener-policy",
  "cross-origin-embedder-policy",
  "cross-origin-resource-policy",
];

/**
 * Serves the site, launches Chromium, runs `fn` with a page, and cleans everything up. The page
 * records console errors, uncaught exceptions and console warnings for `fn` to check.
 *
 * @example
 * ```ts
 * import { withBrowser } from "./browser.ts";
 * await withBrowser(async ({ page, base }) => { await page.goto(base); });
 * ```
 */
export async function withBrowser(
  fn: (ctx: BrowserContext) => Promise<void>,
  options: BrowserOptions = {},
): Promise<void> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("Chromium is not installed");
  const { app, bundler } = createSite({ root: options.root, code: options.code ?? "reference" });
  await bundler.build();
  const serve = options.isolated === false
    ? async (request: Request) => {
      const response = await app.fetch(request);
      const headers = new Headers(response.headers);
      for (const name of ISOLATION_HEADERS) headers.delete(name);
      return new Response(response.body, { status: response.status, headers });
    }
    : app.fetch;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, serve);
  const userDataDir = await Deno.makeTempDir({ prefix: "course_site_chromium_" });
  // Playwright passes --user-data-dir itself for a persistent context (a fresh temp folder here).
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...(options.webgpu === false ? [] : ["--enable-unsafe-webgpu"]),
      "--enable-unsafe-swiftshader",
    ],
  });
  try {
    const page = await browser.newPage();
    // Screenshots of a tall demo and page loads take tens of seconds on a loaded 2-core machine:
    // Playwright's 30 s default is a wall-clock limit that would flake, not a check.
    page.setDefaultTimeout(180_000);
    const errors: string[] = [];
    const warnings: string[] = [];
    page.on("console", (m: ConsoleMessage) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
      if (m.type() === "warning") warnings.push(m.text());
    });
    page.on("pageerror", (e: Error) => errors.push(`page error: ${e.message}`));
    await fn({ page, base: `http://127.0.0.1:${server.addr.port}`, errors, warnings });
  } finally {
    await browser.close();
    await server.shutdown();
    await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
  }
}

/**
 * `tf.memory().numTensors` in the page: the demos' engine (TensorFlow.js and the experiments)
 * is the module `/_engine/<source>.json` names, the one the demos imported.
 *
 * @example
 * ```ts
 * import { pageTensors, withBrowser } from "./browser.ts";
 * await withBrowser(async ({ page, base }) => {
 *   await page.goto(`${base}/lessons/5`);
 *   await pageTensors(page); // 0 before a demo ran
 * });
 * ```
 */
export function pageTensors(page: Page, source = "reference"): Promise<number> {
  return page.evaluate(async (source: string) => {
    const info = await (await fetch(`/_engine/${source}.json`, { cache: "no-store" })).json();
    const engine = await import(`/_engine/${info.file}`);
    return engine.tf.memory().numTensors as number;
  }, source);
}

/**
 * The URLs of the page's Workers (dedicated Workers: the training ones, TensorFlow.js's
 * threads). Each training Worker has its own `blob:` URL, so a URL names one Worker.
 *
 * @example
 * ```ts
 * import { withBrowser, workerUrls } from "./browser.ts";
 * await withBrowser(async ({ page, base }) => {
 *   await page.goto(`${base}/lessons/5`);
 *   workerUrls(page).size; // 0 before a demo ran
 * });
 * ```
 */
export function workerUrls(page: Page): Set<string> {
  return new Set(page.workers().map((w) => w.url()));
}

/**
 * The Workers started during a run (`during`, less those alive before it) that are still alive
 * after Reset, once Reset has had time to end them; empty when Reset ended every one.
 *
 * @example
 * ```ts
 * import { survivors, withBrowser, workerUrls } from "./browser.ts";
 * await withBrowser(async ({ page, base }) => {
 *   await page.goto(`${base}/lessons/5`);
 *   const before = workerUrls(page);
 *   // ... start a run, pause it: const during = workerUrls(page); ... press Reset
 *   await survivors(page, before, workerUrls(page)); // []
 * });
 * ```
 */
export async function survivors(
  page: Page,
  before: Set<string>,
  during: Set<string>,
): Promise<string[]> {
  const started = [...during].filter((url) => !before.has(url));
  const alive = () => started.filter((url) => workerUrls(page).has(url));
  const until = Date.now() + patience(10_000);
  while (alive().length > 0 && Date.now() < until) await page.waitForTimeout(200);
  return alive();
}

/**
 * The status line of the demo on the page (`#demo .demo-status`).
 *
 * @example
 * ```ts
 * import { statusText, withBrowser } from "./browser.ts";
 * await withBrowser(async ({ page, base }) => {
 *   await page.goto(`${base}/lessons/5`);
 *   await statusText(page); // "Press “Start” to load TensorFlow.js and a fresh model."
 * });
 * ```
 */
export async function statusText(page: Page): Promise<string> {
  return (await page.locator("#demo .demo-status").textContent()) ?? "";
}

/**
 * Waits until the demo's status line matches `pattern` (for `timeout` ms scaled by the
 * machine's load, see {@linkcode patience}) and returns it.
 *
 * @example
 * ```ts
 * import { waitForStatus, withBrowser } from "./browser.ts";
 * await withBrowser(async ({ page, base }) => {
 *   await page.goto(`${base}/lessons/5`);
 *   await page.click("#train-start");
 *   await waitForStatus(page, /Training: step/, 120_000);
 * });
 * ```
 */
export async function waitForStatus(
  page: Page,
  pattern: RegExp,
  timeout = 60_000,
): Promise<string> {
  await page.waitForFunction(
    ([source, flags]) =>
      new RegExp(source, flags).test(
        document.querySelector("#demo .demo-status")?.textContent ?? "",
      ),
    [pattern.source, pattern.flags],
    { timeout: patience(timeout) },
  );
  return await statusText(page);
}
