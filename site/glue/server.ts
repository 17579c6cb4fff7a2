/**
 * The Fresh stand-in's server: turns the manifest (`fresh.gen.ts`) into a Hono app. It
 * registers each file route (see `routes.ts`), renders pages with `_app.tsx` around them and
 * island markers inside (see `render.ts`), serves the island bundles (see `bundle.ts`) under
 * `/_islands/`, extra folders (`mounts`) and `static/` at the root (see `static.ts`), and
 * renders `_404.tsx` for anything else. A GET for a path with a trailing slash (`/lessons/1/`)
 * is redirected to the path without it, as Fresh's `trailingSlashes("never")` does. Every
 * response carries the cross-origin isolation headers that WebAssembly threads need in the
 * browser. Only GET and HEAD are answered (405 otherwise), and only for loopback host names and
 * the addresses the server was started on (403 otherwise: a page on another site cannot reach
 * `/source/` through DNS rebinding).
 *
 * @example
 * ```ts
 * import manifest from "../fresh.gen.ts";
 * import { createApp } from "./server.ts";
 * const { app } = createApp(manifest, { root: "." });
 * const res = await app.fetch(new Request("http://localhost/"));
 * ```
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { h, type VNode } from "preact";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Bundler, type CodeSource, EngineBundles } from "./bundle.ts";
import { islandScript, registerIslands, renderToHtml } from "./render.ts";
import { routePattern, sortRoutes } from "./routes.ts";
import { fileResponse } from "./static.ts";
import type { AppProps, HandlerContext, Manifest, PageProps, RouteModule, State } from "./types.ts";

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  /** The course root: where `lessons/` is read from, and what `ctx.state.root` is. */
  root: string;
  /** Extra folders served as files: URL prefix (e.g. `/_vendor/katex`) to folder. */
  mounts?: Record<string, string>;
  /** Browser stand-ins for modules, relative to the project folder above `site/` (see `Bundler`). */
  shims?: Record<string, string>;
  /**
   * Host names answered besides the loopback ones (`localhost`, `*.localhost`, `127.x.x.x`,
   * `::1`): the server's `--host`. A wildcard (`0.0.0.0`, `::`) admits every IP literal.
   */
  hosts?: string[];
  /**
   * Whose code the demos run until the reader switches: `learner` (`root/lessons/`, the default)
   * or `reference` (`solutions/`).
   */
  code?: CodeSource;
}

/** The app and its island bundler (call `bundler.build()` to build ahead of the first page). */
export interface App {
  /** The Hono app; `app.fetch` answers a Request. */
  app: Hono;
  /** The island bundler. */
  bundler: Bundler;
  /** The demos' engines, one build per code source (served under `/_engine/`). */
  engines: EngineBundles;
}

/** Headers on every response: cross-origin isolation (for wasm threads) and no sniffing. */
export const SECURITY_HEADERS: Record<string, string> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The script of pages with `data-live` parts (`glue/live.ts`, bundled). */
export const LIVE_SCRIPT = '<script type="module" src="/_islands/glue/live.js"></script>';

/**
 * The path a URL path with trailing slashes redirects to, or `undefined` when it has none (or
 * is `/`). Only plain paths qualify (letters, digits, `.`, `_`, `~`, `-` between single
 * slashes, no `.` or `..` segment), so the redirect can never lead to another site (`//host`)
 * or out of a folder.
 *
 * @example
 * ```ts
 * import { withoutTrailingSlash } from "./server.ts";
 * withoutTrailingSlash("/lessons/1/"); // "/lessons/1"
 * withoutTrailingSlash("/lessons/1"); // undefined
 * withoutTrailingSlash("//evil.example/"); // undefined
 * ```
 */
export function withoutTrailingSlash(pathname: string): string | undefined {
  if (pathname === "/" || !pathname.endsWith("/")) return undefined;
  const target = pathname.replace(/\/+$/, "");
  const segments = target.split("/").slice(1);
  const plain = segments.length > 0 &&
    segments.every((s) => /^[\w.~-]+$/.test(s) && !/^\.+$/.test(s));
  return plain ? target : undefined;
}

/**
 * Whether a request's host name (from its `Host:` header, port and brackets dropped) may be
 * answered: a loopback name or address, one of `extra` (the server's `--host`), or, when `extra`
 * holds a wildcard address, any IP literal. A DNS name that is not loopback is refused: a page
 * on another site that rebinds its own name to 127.0.0.1 sends that name.
 *
 * @example
 * ```ts
 * import { hostAllowed } from "./server.ts";
 * hostAllowed("localhost"); // true
 * hostAllowed("evil.example"); // false
 * hostAllowed("10.0.0.5", ["0.0.0.0"]); // true
 * ```
 */
export function hostAllowed(hostname: string, extra: string[] = []): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  if (/^127(\.\d{1,3}){3}$/.test(host)) return true;
  const bare = extra.map((h) => h.toLowerCase().replace(/^\[|\]$/g, ""));
  if (bare.includes(host)) return true;
  const ipLiteral = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ||
    /^[\da-f:.]+$/.test(host) && host.includes(":");
  return ipLiteral && bare.some((h) => h === "0.0.0.0" || h === "::");
}

/**
 * Builds the app from the manifest.
 *
 * @example
 * ```ts
 * import manifest from "../fresh.gen.ts";
 * import { createApp } from "./server.ts";
 * const { app, bundler } = createApp(manifest, { root: "." });
 * ```
 */
export function createApp(manifest: Manifest, options: AppOptions): App {
  registerIslands(manifest.islands);
  const siteDir = fileURLToPath(new URL(".", manifest.baseUrl));
  // The bundles are built from the project the site's code lives in (its deno.json), whatever
  // folder the content is read from.
  const projectDir = join(siteDir, "..");
  const entries = [
    join(siteDir, "glue", "boot.ts"),
    join(siteDir, "glue", "live.ts"),
    ...Object.keys(manifest.islands).map((f) => join(siteDir, f)),
  ]
    .map((f) => relative(projectDir, f));
  const bundler = new Bundler(projectDir, entries, options.shims);
  const engines = new EngineBundles(projectDir, "site/client/engine.ts", {
    learner: resolve(options.root, "lessons"),
    reference: join(projectDir, "solutions"),
  }, options.shims);
  const appModule = manifest.routes["./routes/_app.tsx"];
  const notFoundModule = manifest.routes["./routes/_404.tsx"];
  const app = new Hono();

  // Served on loopback addresses only, the site may run the learner's checks (the Check button).
  const workspace = (options.hosts ?? []).every((h) => hostAllowed(h));
  const state = (): State => ({ root: options.root, code: options.code ?? "learner", workspace });
  const page = (
    mod: RouteModule,
    url: URL,
    params: Record<string, string>,
    st: State,
    data: unknown,
    init: ResponseInit = {},
  ): Response => {
    if (!mod.default) throw new Error("this route has no page component to render");
    const props: PageProps = { data, params, url, state: st };
    const Page = mod.default;
    const Component = () => h(Page, props);
    const App = appModule?.default as ((p: AppProps) => VNode) | undefined;
    const { html, islands } = App
      ? renderToHtml(h(App, { Component, state: st, url }))
      : renderToHtml(h(Component, {}));
    // Parts marked `data-live` are refreshed in place when the learner's checks change.
    const live = html.includes(" data-live") ? LIVE_SCRIPT : "";
    const script = islandScript(islands, "/_islands") + live;
    const body = "<!DOCTYPE html>" + (script ? html.replace("</body>", `${script}</body>`) : html);
    const headers = new Headers(init.headers);
    headers.set("content-type", "text/html; charset=utf-8");
    return new Response(body, { ...init, headers });
  };
  const notFound = (url: URL, st: State = state()): Response => {
    st.title ??= "Page not found";
    if (!notFoundModule?.default) return new Response("Not found", { status: 404 });
    return page(notFoundModule, url, {}, st, undefined, { status: 404 });
  };

  app.use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });

  // POST only where a route handles it (the Check button's `/api/check/N`); 405 elsewhere.
  const postPaths = Object.keys(manifest.routes)
    .filter((f) => manifest.routes[f].handler?.POST)
    .map((f) => routePattern(f))
    .filter((p): p is string => p !== undefined)
    .map((p) => new RegExp(`^${p.replace(/:\w+\{\.\+\}/g, ".+").replace(/:\w+/g, "[^/]+")}$`));
  app.use("*", async (c, next) => {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    const hostname = host.replace(/:\d+$/, "");
    if (!hostAllowed(hostname, options.hosts)) {
      return c.text(
        `Refused: this course site answers only requests for localhost or 127.0.0.1, ` +
          `not for Host "${host.slice(0, 100)}" (protection against DNS rebinding). ` +
          `Open http://127.0.0.1:PORT/ (to serve it under another name on purpose, start it ` +
          `with --host NAME).`,
        403,
      );
    }
    const method = c.req.method;
    const acceptsPost = postPaths.some((re) => re.test(c.req.path));
    if (method !== "GET" && method !== "HEAD" && !(method === "POST" && acceptsPost)) {
      return c.text(
        `Method ${method.slice(0, 20)} not allowed: this site only serves pages.`,
        405,
        {
          allow: acceptsPost ? "GET, HEAD, POST" : "GET, HEAD",
        },
      );
    }
    await next();
  });

  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const target = withoutTrailingSlash(url.pathname);
    if (target && (c.req.method === "GET" || c.req.method === "HEAD")) {
      return new Response(null, { status: 301, headers: { location: target + url.search } });
    }
    await next();
  });

  app.get("/_islands/*", async (c) => {
    const path = c.req.path.slice("/_islands/".length);
    const file = await bundler.file(path);
    if (!file) return notFound(new URL(c.req.url));
    return new Response(file, {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
    });
  });

  // The demos' engines: `/_engine/learner.json` builds (when out of date) and names the entry.
  app.get("/_engine/:name", async (c) => {
    const name = c.req.param("name");
    const source = name.match(/^(learner|reference)\.json$/)?.[1] as CodeSource | undefined;
    if (source) {
      return c.json(await engines.info(source), 200, { "cache-control": "no-store" });
    }
    const file = engines.file(name);
    if (!file) return notFound(new URL(c.req.url));
    return new Response(file, {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
    });
  });

  for (const [prefix, dir] of Object.entries(options.mounts ?? {})) {
    app.get(`${prefix}/*`, async (c) => {
      const raw = new URL(c.req.url).pathname.slice(prefix.length + 1);
      return (await fileResponse(dir, raw)) ?? notFound(new URL(c.req.url));
    });
  }

  const routeFiles = sortRoutes(Object.keys(manifest.routes));
  for (const file of routeFiles) {
    const pattern = routePattern(file);
    if (pattern === undefined) continue;
    const mod = manifest.routes[file];
    const handle = async (c: Context, method: "GET" | "POST") => {
      const url = new URL(c.req.url);
      const params = c.req.param() as Record<string, string>;
      const st = state();
      const ctx: HandlerContext = {
        params,
        state: st,
        render: (data, init) => page(mod, url, params, st, data, init),
        renderNotFound: () => notFound(url, st),
      };
      const handler = mod.handler?.[method];
      if (handler) return await handler(c.req.raw, ctx);
      if (method === "GET" && mod.default) return ctx.render(undefined);
      return new Response("Method not allowed", { status: 405 });
    };
    app.get(pattern, (c) => handle(c, "GET"));
    if (mod.handler?.POST) app.post(pattern, (c) => handle(c, "POST"));
  }

  const staticDir = join(siteDir, "static");
  app.get("*", async (c) => {
    const raw = new URL(c.req.url).pathname.slice(1);
    return (await fileResponse(staticDir, raw)) ?? notFound(new URL(c.req.url));
  });
  app.notFound((c) => notFound(new URL(c.req.url)));
  app.onError((error, c) => {
    console.error(`error while answering ${c.req.method} ${c.req.path}:`, error);
    return c.html(
      `<!DOCTYPE html><html lang="en"><head><title>Server error</title></head><body><main>` +
        `<h1>Something went wrong</h1><p>The server failed to answer this page; ` +
        `its terminal shows the error.</p><p><a href="/">Back to the course</a></p></main></body></html>`,
      500,
    );
  });
  return { app, bundler, engines };
}
