/**
 * The types of the site's small Fresh stand-in: what a route module, an island module and the
 * manifest look like. They follow Fresh 1.x (`handler` with `GET`, `ctx.render(data)`,
 * `PageProps`, `fresh.gen.ts`), plus Fresh 2's `ctx.state` for per-request values, so that
 * moving the site to Fresh means swapping these imports for `$fresh/server.ts`.
 *
 * @example
 * ```tsx
 * import type { Handlers, PageProps } from "./types.ts";
 * export const handler: Handlers<string> = { GET: (_req, ctx) => ctx.render("hi") };
 * export default function Page({ data }: PageProps<string>) { return <p>{data}</p>; }
 * ```
 * @module
 */
import type { ComponentType } from "preact";

/** Values shared by every part of one request: the course root and the page title. */
export interface State {
  /** The course's root folder (the one holding `lessons/` and `deno.json`). */
  root: string;
  /** Whose code the demos run at first: the learner's (`lessons/`) or the reference. */
  code?: "learner" | "reference";
  /**
   * True when the site is served on this machine only (a loopback `--host`): the pages then
   * offer the Check button, which runs the learner's code on the server.
   */
  workspace?: boolean;
  /** The page's `<title>`; a handler sets it before `ctx.render`. */
  title?: string;
}

/** What a page component receives (Fresh's `PageProps`). */
export interface PageProps<T = unknown> {
  /** What the handler passed to `ctx.render`. */
  data: T;
  /** The route's parameters, e.g. `{ lesson: "1" }` for `routes/lessons/[lesson].tsx`. */
  params: Record<string, string>;
  /** The request's URL. */
  url: URL;
  /** The request's state. */
  state: State;
}

/** What a handler receives besides the request (Fresh's `HandlerContext`). */
export interface HandlerContext<T = unknown> {
  /** The route's parameters. */
  params: Record<string, string>;
  /** The request's state (set `title` here). */
  state: State;
  /** Renders the route's page with `data`. */
  render(data?: T, init?: ResponseInit): Response;
  /** Renders the `_404` page with status 404. */
  renderNotFound(): Response;
}

/** A handler for one HTTP method. */
export type Handler<T = unknown> = (
  req: Request,
  ctx: HandlerContext<T>,
) => Response | Promise<Response>;

/** Handlers by HTTP method (Fresh's `Handlers`). */
export interface Handlers<T = unknown> {
  /** GET (HEAD is answered from it). */
  GET?: Handler<T>;
  /** POST. */
  POST?: Handler<T>;
}

/** A module under `routes/`. */
export interface RouteModule {
  /** The page; without a handler it is rendered for GET. */
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
  /** The handlers; without a page they must return their own responses. */
  // deno-lint-ignore no-explicit-any
  handler?: Handlers<any>;
}

/** What `routes/_app.tsx` receives: the page to wrap. */
export interface AppProps {
  /** The page, already bound to its props. */
  Component: ComponentType;
  /** The request's state (title). */
  state: State;
  /** The request's URL. */
  url: URL;
}

/** A module under `islands/`: its default export is hydrated in the browser. */
export interface IslandModule {
  /** The island's component. Its props must be JSON. */
  // deno-lint-ignore no-explicit-any
  default: ComponentType<any>;
}

/** The list of routes and islands (Fresh's `fresh.gen.ts`). */
export interface Manifest {
  /** Route modules by path relative to the manifest (`./routes/index.tsx`). */
  routes: Record<string, RouteModule>;
  /** Island modules by path relative to the manifest (`./islands/bigram_demo.tsx`). */
  islands: Record<string, IslandModule>;
  /** The manifest's own URL (`import.meta.url`), to locate the files. */
  baseUrl: string;
}
