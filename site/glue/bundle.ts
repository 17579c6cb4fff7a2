/**
 * Builds the browser bundles of the islands (Fresh builds them with esbuild): one `deno bundle`
 * run over `glue/boot.ts` and every island, with code splitting, so Preact is shared between
 * islands and each `import()` inside an island (TensorFlow.js, the lesson code) becomes its own
 * chunk, fetched only when a demo starts. `deno bundle` resolves the project's import map, npm
 * packages and JSON imports exactly as `deno run` does. The output is kept in memory.
 *
 * `shims` maps module specifiers to browser stand-ins, for library modules that import a Node
 * built-in only for Deno-only work (`lib/train` writes checkpoints with `node:buffer`): the run
 * gets the project's import map plus those entries, so the page still loads and the stand-in
 * throws a clear error if that code path ever runs in the browser.
 *
 * @example
 * ```ts
 * import { Bundler } from "./bundle.ts";
 * const bundler = new Bundler("/path/to/course", ["site/glue/boot.ts", "site/islands/bigram_demo.tsx"]);
 * const boot = await bundler.file("glue/boot.js"); // Uint8Array, or undefined
 * ```
 * @module
 */
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrokenLesson, standInSource } from "../client/broken_lesson.ts";
import { blamedLesson, blameLesson, exerciseLessons, findBrokenLessons } from "./stand_ins.ts";

/** The built files, by path relative to the bundle root (`islands/bigram_demo.js`). */
export type BundleFiles = Map<string, Uint8Array<ArrayBuffer>>;

/**
 * Builds once, on first use, and serves the files from memory.
 *
 * @example
 * ```ts
 * import { Bundler } from "./bundle.ts";
 * const bundler = new Bundler(".", ["site/glue/boot.ts"]);
 * const boot = await bundler.file("glue/boot.js"); // Uint8Array, or undefined
 * ```
 */
export class Bundler {
  #root: string;
  #entries: string[];
  #shims: Record<string, string>;
  #build: Promise<BundleFiles> | undefined;

  /**
   * @param root The course root (where `deno.json` is).
   * @param entries Entry files relative to the root; they must share the folder `site/`.
   * @param shims Specifier to stand-in file (relative to the root), for the browser.
   */
  constructor(root: string, entries: string[], shims: Record<string, string> = {}) {
    this.#root = root;
    this.#entries = entries;
    this.#shims = shims;
  }

  /** Starts the build if it has not started; resolves when it is done. */
  build(): Promise<BundleFiles> {
    this.#build ??= bundle(this.#root, this.#entries, this.#shims);
    return this.#build;
  }

  /** One built file, or undefined when there is no such file. */
  async file(path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    return (await this.build()).get(path);
  }
}

/**
 * Runs `deno bundle` for the browser with code splitting and minification, and reads the
 * output into memory.
 *
 * @example
 * ```ts
 * import { bundle } from "./bundle.ts";
 * const files = await bundle(".", ["site/glue/boot.ts"]);
 * files.has("boot.js"); // true: one entry, so no folder
 * ```
 */
export async function bundle(
  root: string,
  entries: string[],
  shims: Record<string, string> = {},
): Promise<BundleFiles> {
  const work = await Deno.makeTempDir({ prefix: "course_site_bundle_" });
  const outdir = join(work, "out");
  try {
    const importMap = join(work, "import_map.json");
    await Deno.writeTextFile(importMap, JSON.stringify(await browserImportMap(root, shims)));
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--config",
        join(root, "deno.json"),
        "--import-map",
        importMap,
        "--platform",
        "browser",
        "--code-splitting",
        "--minify",
        "--outdir",
        outdir,
        ...entries,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stderr, stdout } = await command.output();
    if (code !== 0) {
      const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
      throw new Error(`deno bundle failed (exit ${code}):\n${text.trim()}`);
    }
    const files: BundleFiles = new Map();
    await readTree(outdir, outdir, files);
    return files;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/**
 * The project's import map (from `deno.json`), with local paths made absolute, `@exercises/`
 * pointed at `solutions/` (the site's demos run the reference code) and the shims added.
 *
 * @example
 * ```ts
 * import { browserImportMap } from "./bundle.ts";
 * const map = await browserImportMap(".", { "node:path": "site/client/shims/node_path.ts" });
 * map.imports["node:path"]; // "file:///.../site/client/shims/node_path.ts"
 * ```
 */
export async function browserImportMap(
  root: string,
  shims: Record<string, string>,
): Promise<{ imports: Record<string, string> }> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const imports: Record<string, string> = {};
  const local = (path: string) => {
    const url = pathToFileURL(resolve(root, path)).href;
    return path.endsWith("/") && !url.endsWith("/") ? `${url}/` : url;
  };
  for (const [key, value] of Object.entries(config.imports ?? {}) as [string, string][]) {
    imports[key] = value.startsWith("./") || value.startsWith("../") ? local(value) : value;
  }
  imports["@exercises/"] = local("solutions/");
  for (const [key, value] of Object.entries(shims)) imports[key] = local(value);
  return { imports };
}

async function readTree(dir: string, base: string, files: BundleFiles): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await readTree(path, base, files);
    else if (entry.isFile) files.set(relative(base, path), await Deno.readFile(path));
  }
}

/** Whose exercises a demo runs: the learner's (`lessons/`) or the reference (`solutions/`). */
export type CodeSource = "learner" | "reference";

/**
 * What {@linkcode EngineBundles.info} answers: the entry file to import (and the learner's
 * exercise files it holds stand-ins for, by lesson), or why there is none.
 */
export type EngineInfo = { file: string; broken?: Record<string, BrokenLesson> } | {
  error: string;
};

/**
 * The demos' engine (`site/client/engine.ts`: TensorFlow.js and every lesson's `experiment.ts`),
 * bundled once per {@linkcode CodeSource}, with `@exercises/` pointing at that source's folder.
 * The two builds share their file names: chunks are named by their content (so TensorFlow.js,
 * the same in both, is one file and one module instance in the page), and each build's entry is
 * renamed `learner-HASH.js` or `reference-HASH.js`. A build is redone when a `.ts` file under
 * its exercise folder or `lessons/*` changed since (size or time), so a saved exercise is live
 * at the next run of a demo, with no server restart. Old files stay served.
 *
 * One learner's file that is missing or does not compile stops only the demos that import it:
 * the learner's engine is built with a stand-in for each such file (see `stand_ins.ts`), which
 * fails the demos that import it with the lesson, the file and what to do, and the info names
 * them (`broken`). The reference is built as it is: an error there is the course's bug.
 *
 * @example
 * ```ts
 * import { EngineBundles } from "./bundle.ts";
 * const engines = new EngineBundles(".", "site/client/engine.ts", { learner: "lessons", reference: "solutions" });
 * const info = await engines.info("reference"); // { file: "reference-1a2b3c4d.js" }
 * ```
 */
export class EngineBundles {
  #root: string;
  #entry: string;
  #dirs: Record<CodeSource, string>;
  #shims: Record<string, string>;
  #files: BundleFiles = new Map();
  #builds = new Map<CodeSource, { stamp: string; info: Promise<EngineInfo> }>();

  /**
   * @param root The project root (where `deno.json` is).
   * @param entry The engine's entry file, relative to the root.
   * @param dirs Each source's exercise folder (`@exercises/`), relative to the root or absolute.
   * @param shims Specifier to stand-in file, as for {@linkcode Bundler}.
   */
  constructor(
    root: string,
    entry: string,
    dirs: Record<CodeSource, string>,
    shims: Record<string, string> = {},
  ) {
    this.#root = root;
    this.#entry = entry;
    this.#dirs = dirs;
    this.#shims = shims;
  }

  /** Builds the source's engine if it is missing or out of date; says which file to import. */
  async info(source: CodeSource): Promise<EngineInfo> {
    const stamp = await this.#stamp(source);
    const last = this.#builds.get(source);
    if (last?.stamp === stamp) return await last.info;
    const info = this.#build(source);
    this.#builds.set(source, { stamp, info });
    return await info;
  }

  /** A built file (an entry or a chunk), or undefined. */
  file(name: string): Uint8Array<ArrayBuffer> | undefined {
    return this.#files.get(name);
  }

  /** The names of the built files (entries and chunks), for a test that runs them. */
  names(): string[] {
    return [...this.#files.keys()];
  }

  async #build(source: CodeSource): Promise<EngineInfo> {
    const dir = resolve(this.#root, this.#dirs[source]);
    const broken = source === "learner"
      ? await findBrokenLessons(
        this.#root,
        dir,
        await exerciseLessons(join(this.#root, "solutions")),
      )
      : new Map<string, BrokenLesson>();
    const work = await Deno.makeTempDir({ prefix: "course_site_stand_ins_" });
    let files: BundleFiles;
    try {
      // A build error in a learner's file that the check before did not see (a module that is
      // not there) gets that file a stand-in too, and the build runs again.
      for (;;) {
        const map: Record<string, string> = { ...this.#shims, "@exercises/": `${dir}/` };
        for (const b of broken.values()) {
          const standIn = join(work, `${b.slug}.cjs`);
          await Deno.writeTextFile(standIn, standInSource(b));
          map[`@exercises/${b.slug}/exercises.ts`] = standIn;
          map[pathToFileURL(join(dir, b.slug, "exercises.ts")).href] = standIn;
        }
        try {
          files = await bundle(this.#root, [this.#entry], map);
          break;
        } catch (error) {
          const message = (error as Error).message;
          const blame = source === "learner" ? blameLesson(message, this.#root, dir) : undefined;
          if (!blame || broken.has(blame.slug)) return { error: message };
          broken.set(blame.slug, blamedLesson(blame));
        }
      }
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
    const entryName = this.#entry.split("/").pop()!.replace(/\.tsx?$/, ".js");
    let file = "";
    for (const [name, bytes] of files) {
      if (name !== entryName) {
        this.#files.set(name, bytes);
        continue;
      }
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      const hash = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
      file = `${source}-${hash}.js`;
      this.#files.set(file, bytes);
    }
    if (!file) return { error: `deno bundle wrote no ${entryName}` };
    return broken.size > 0 ? { file, broken: Object.fromEntries(broken) } : { file };
  }

  /** Size and time of every `.ts` file the build reads from the exercise folders. */
  async #stamp(source: CodeSource): Promise<string> {
    const parts: string[] = [];
    const dirs = [resolve(this.#root, this.#dirs[source]), resolve(this.#root, "lessons")];
    for (const dir of new Set(dirs)) {
      let lessons: Deno.DirEntry[] = [];
      try {
        lessons = await Array.fromAsync(Deno.readDir(dir));
      } catch {
        continue;
      }
      for (const lesson of lessons.filter((e) => e.isDirectory)) {
        for await (const entry of Deno.readDir(join(dir, lesson.name))) {
          if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
          const info = await Deno.stat(join(dir, lesson.name, entry.name));
          parts.push(`${lesson.name}/${entry.name}:${info.size}:${info.mtime?.getTime()}`);
        }
      }
    }
    return parts.sort().join("\n");
  }
}
