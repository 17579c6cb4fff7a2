/**
 * Serving files from a folder without ever leaving it. A URL path is decoded once, and refused
 * when any segment is `..` or `.`, when it holds a backslash, a NUL or a drive letter, or when
 * the file it names (after following links) is not inside the folder (after following links
 * too). Every refusal looks like a missing file.
 *
 * @example
 * ```ts
 * import { fileResponse, safeJoin } from "./static.ts";
 * safeJoin("/course/site/static", "styles.css"); // "/course/site/static/styles.css"
 * safeJoin("/course/site/static", "../deno.json"); // undefined
 * const res = await fileResponse("/course/site/static", "styles.css"); // Response or undefined
 * ```
 * @module
 */
import { extname, join, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * The content type for a file name (by extension), `application/octet-stream` if unknown.
 *
 * @example
 * ```ts
 * import { contentType } from "./static.ts";
 * contentType("katex.min.css"); // "text/css; charset=utf-8"
 * ```
 */
export function contentType(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Joins a URL path (still percent-encoded, as in `new URL(...).pathname`) under `dir`, or
 * returns undefined when it could name something outside `dir`. Lexical only: see
 * {@linkcode resolveInside} for links.
 *
 * @example
 * ```ts
 * import { safeJoin } from "./static.ts";
 * safeJoin("/srv", "%2e%2e/etc/passwd"); // undefined
 * ```
 */
export function safeJoin(dir: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined; // malformed escapes such as "%E0%A4%A"
  }
  if (path.length === 0 || path.length > 1024) return undefined;
  if (/[\\\0]/.test(path) || /^[a-zA-Z]:/.test(path) || path.startsWith("/")) return undefined;
  const segments = path.split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "")) return undefined;
  return join(dir, ...segments);
}

/**
 * Resolves links and checks that the file is a regular file inside `dir` (also resolved), so
 * a link inside the folder cannot point out of it.
 *
 * @example
 * ```ts
 * import { resolveInside } from "./static.ts";
 * await resolveInside("/course/site/static", "/course/site/static/styles.css"); // real path or undefined
 * ```
 */
export async function resolveInside(dir: string, path: string): Promise<string | undefined> {
  try {
    const [realDir, realPath] = await Promise.all([Deno.realPath(dir), Deno.realPath(path)]);
    if (!realPath.startsWith(realDir + sep)) return undefined;
    const info = await Deno.stat(realPath);
    return info.isFile ? realPath : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A response with the file at `urlPath` under `dir`, or undefined when there is no such file
 * inside `dir`.
 *
 * @example
 * ```ts
 * import { fileResponse } from "./static.ts";
 * const res = await fileResponse("site/static", "styles.css");
 * ```
 */
export async function fileResponse(
  dir: string,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<Response | undefined> {
  const joined = safeJoin(dir, urlPath);
  if (!joined) return undefined;
  const real = await resolveInside(dir, joined);
  if (!real) return undefined;
  const body = await Deno.readFile(real);
  return new Response(body, {
    headers: { "content-type": contentType(real), "cache-control": "no-cache", ...headers },
  });
}
