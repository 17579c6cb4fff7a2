/**
 * File routes, as Fresh names them: `routes/index.tsx` is `/`, `routes/lessons/[lesson].tsx` is
 * `/lessons/:lesson`, `routes/source/[...path].tsx` matches any rest of the path, and files
 * whose name starts with `_` (`_app`, `_404`) are special pages, not routes.
 *
 * @example
 * ```ts
 * import { routePattern } from "./routes.ts";
 * routePattern("./routes/lessons/[lesson].tsx"); // "/lessons/:lesson"
 * ```
 * @module
 */

/**
 * The Hono path pattern of a route file, or `undefined` for a special file (`_app`, `_404`).
 *
 * @example
 * ```ts
 * import { routePattern } from "./routes.ts";
 * routePattern("./routes/index.tsx"); // "/"
 * routePattern("./routes/source/[...path].tsx"); // "/source/:path{.+}"
 * ```
 */
export function routePattern(file: string): string | undefined {
  const match = file.match(/^\.\/routes\/(.+)\.(tsx|ts)$/);
  if (!match) throw new Error(`${file} is not a route file (expected ./routes/NAME.tsx)`);
  const segments = match[1].split("/");
  if (segments.some((s) => s.startsWith("_"))) return undefined;
  if (segments[segments.length - 1] === "index") segments.pop();
  const parts = segments.map((s) => {
    const rest = s.match(/^\[\.\.\.(\w+)\]$/);
    if (rest) return `:${rest[1]}{.+}`;
    const param = s.match(/^\[(\w+)\]$/);
    if (param) return `:${param[1]}`;
    if (!/^[\w.-]+$/.test(s)) throw new Error(`${file}: unsupported route segment "${s}"`);
    return s;
  });
  return "/" + parts.join("/");
}

/**
 * Orders route files as Fresh does: fixed paths before parameters, parameters before rest
 * parameters, so `/lessons/new` would win over `/lessons/:lesson`.
 *
 * @example
 * ```ts
 * import { sortRoutes } from "./routes.ts";
 * sortRoutes(["./routes/[x].tsx", "./routes/about.tsx"]); // ["./routes/about.tsx", "./routes/[x].tsx"]
 * ```
 */
export function sortRoutes(files: string[]): string[] {
  const rank = (f: string) => (f.includes("[...") ? 2 : f.includes("[") ? 1 : 0);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
