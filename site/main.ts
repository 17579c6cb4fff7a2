/**
 * The course site: `deno task site` serves every lesson's text and live demo at
 * http://127.0.0.1:8000 (Fresh's `main.ts`). Flags: `--host` (default 127.0.0.1, this machine
 * only) and `--port` (default 8000; 0 picks a free port).
 *
 * @example
 * ```ts
 * import { createSite } from "./main.ts";
 * const { app } = createSite({ root: "." });
 * const home = await app.fetch(new Request("http://127.0.0.1/"));
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import manifest from "./fresh.gen.ts";
import { type App, createApp, hostAllowed } from "./glue/server.ts";
import { LESSON_SLUG } from "@lib/course/lessons.ts";
import { announceSite } from "@lib/course/site_address.ts";

/** The usage text printed by `--help` and after a bad flag. */
export const USAGE = `Usage: deno task site [--host HOST] [--port PORT]

Serves the course site: the course map, every lesson's text and its live demo.

  --host HOST   the address to listen on (default 127.0.0.1: only this machine can connect;
                0.0.0.0 lets other machines on your network in)
  --port PORT   the TCP port, 0 to 65535 (default 8000; 0 picks a free one)
  --help        this text`;

/** The server's options. */
export interface SiteFlags {
  /** Listen address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Print the usage and stop. */
  help: boolean;
}

/**
 * Parses the command-line flags; throws an Error whose message says what is wrong.
 *
 * @example
 * ```ts
 * import { parseSiteFlags } from "./main.ts";
 * parseSiteFlags(["--port", "9000"]); // { host: "127.0.0.1", port: 9000, help: false }
 * ```
 */
export function parseSiteFlags(args: string[]): SiteFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "8000" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message.split("\n")[0]}`);
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  }
  const host = values.host.trim();
  if (!/^[\w.:-]+$/.test(host) || host.length > 253) {
    throw new Error(
      `--host must be an address or host name such as 127.0.0.1, got "${values.host}"`,
    );
  }
  return { host, port, help: values.help };
}

/** The course root: the folder above `site/`. */
export const COURSE_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Where an installed npm package's files are (follows `node_modules` to the real folder).
 *
 * @example
 * ```ts
 * import { packageDir } from "./main.ts";
 * packageDir("katex"); // ".../node_modules/.deno/katex@0.16.47/node_modules/katex"
 * ```
 */
export function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

/**
 * Each lesson's `figures/` folder (the plots its README shows), served at
 * `/_lessons/NN_slug/figures/`, and the course's shared `lessons/figures/` (the induction-head
 * map, `/_lessons/figures/induction_head.svg`): only those folders, never the rest of `lessons/`.
 *
 * @example
 * ```ts
 * import { lessonFigureMounts } from "./main.ts";
 * lessonFigureMounts("."); // { "/_lessons/05_training/figures": "/.../lessons/05_training/figures" }
 * ```
 */
export function lessonFigureMounts(root: string): Record<string, string> {
  const mounts: Record<string, string> = {};
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(join(root, "lessons"))];
  } catch {
    return mounts;
  }
  for (const entry of entries) {
    if (entry.isDirectory && entry.name === "figures") {
      mounts["/_lessons/figures"] = join(root, "lessons", "figures");
    }
    if (!entry.isDirectory || !LESSON_SLUG.test(entry.name)) continue;
    const dir = join(root, "lessons", entry.name, "figures");
    try {
      if (Deno.statSync(dir).isDirectory) mounts[`/_lessons/${entry.name}/figures`] = dir;
    } catch { /* no figures */ }
  }
  return mounts;
}

/**
 * The site's app: the manifest's routes and islands, plus the npm packages' browser files
 * (KaTeX's CSS and fonts, highlight.js' styles, the tfjs wasm binaries) served from
 * `node_modules`, so the site works offline. `hosts`: host names answered besides loopback
 * ones (the `--host` address).
 *
 * @example
 * ```ts
 * import { createSite } from "./main.ts";
 * const { bundler } = createSite({ root: "." });
 * await bundler.build();
 * ```
 */
export function createSite(
  options: { root?: string; hosts?: string[]; code?: "learner" | "reference" } = {},
): App {
  const root = resolve(options.root ?? COURSE_ROOT);
  return createApp(manifest, {
    root,
    hosts: options.hosts,
    code: options.code,
    mounts: {
      ...lessonFigureMounts(root),
      "/_vendor/katex": join(packageDir("katex"), "dist"),
      "/_vendor/hljs": join(packageDir("highlight.js"), "styles"),
      "/_vendor/tfjs-wasm": join(packageDir("@tensorflow/tfjs-backend-wasm"), "dist"),
    },
  });
}

/**
 * Runs the server until interrupted; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * // await main(["--port", "8080"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let flags: SiteFlags;
  try {
    flags = parseSiteFlags(args);
  } catch (error) {
    console.error(`deno task site: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  // Served to this machine only, the demos run the learner's code first; shared, the reference.
  const local = hostAllowed(flags.host); // a loopback name or address
  const { app, bundler } = createSite({
    hosts: [flags.host],
    code: local ? "learner" : "reference",
  });
  const built = bundler.build().then(
    (files) => console.log(`Demos ready (${files.size} browser files built).`),
    (error) => console.error(`The live demos could not be built:\n${error.message}`),
  );
  let server: Deno.HttpServer;
  let announced: Promise<() => Promise<void>> | undefined;
  try {
    server = Deno.serve({
      hostname: flags.host,
      port: flags.port,
      onListen: ({ hostname, port }) => {
        const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
        console.log(`Course site: http://${shown}:${port}/  (Ctrl-C to stop)`);
        // `deno task lesson N` links its `where:` to this site while it runs.
        announced = announceSite(COURSE_ROOT, siteUrl(hostname, port)).catch((error) => {
          console.error(`(The terminal will not link to the site: ${error.message})`);
          return () => Promise.resolve();
        });
      },
    }, app.fetch);
  } catch (error) {
    const why = error instanceof Deno.errors.AddrInUse
      ? `port ${flags.port} is in use; try --port ${flags.port + 1}, or --port 0 for any free port`
      : (error as Error).message;
    console.error(`deno task site: cannot listen on ${flags.host}:${flags.port}: ${why}`);
    return 1;
  }
  // Stopped (Ctrl-C), the site removes its address first. It exits at once: open pages keep
  // their event streams open, which a graceful shutdown would wait for.
  const stop = async () => {
    await (await announced)?.();
    Deno.exit(0);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => void stop());
  await built;
  await server.finished;
  await (await announced)?.();
  return 0;
}

/**
 * The address the terminal links to: the listening one, with a wildcard address (`0.0.0.0`,
 * `::`) replaced by this machine's loopback address.
 *
 * @example
 * ```ts
 * import { siteUrl } from "./main.ts";
 * siteUrl("0.0.0.0", 8000); // "http://127.0.0.1:8000"
 * siteUrl("::1", 8000); // "http://[::1]:8000"
 * ```
 */
export function siteUrl(hostname: string, port: number): string {
  const host = hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
