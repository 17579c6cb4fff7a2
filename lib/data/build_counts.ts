/**
 * `deno task data --corpus FILE [--out PATH]`: rebuilds the character statistics the course
 * ships (`lib/data/tinyshakespeare_counts.json`) from any text file, with the recipe of the
 * authors' `data/prepare.py`: the vocabulary is the sorted set of characters, unigram counts
 * cover the whole file, and bigram counts cover every consecutive pair. The result goes to
 * `--out` (default `.course/data/counts.json`) and is compared with the shipped file, which is
 * never replaced.
 *
 * @example
 * ```ts
 * import { countCharacters } from "@lib/data/build_counts.ts";
 * const c = countCharacters("abba");
 * c.vocab; // "ab"
 * c.bigram_counts; // [[0, 1], [1, 1]]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { basename, dirname, join, resolve } from "node:path";
import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";

/** The counts file's shape (the same as the shipped JSON). */
export interface CharacterCounts {
  /** Where the counts come from. */
  source: string;
  /** The characters in id order (sorted by code point). */
  vocab: string;
  /** `[N]`: occurrences of each character. */
  unigram_counts: number[];
  /** `[N, N]`: row = current character, column = next one. */
  bigram_counts: number[][];
}

/**
 * Counts characters and consecutive pairs of `text`.
 *
 * @example
 * ```ts
 * import { countCharacters } from "@lib/data/build_counts.ts";
 * countCharacters("aab").unigram_counts; // [2, 1]
 * ```
 */
export function countCharacters(text: string, source = "a text file"): CharacterCounts {
  const chars = Array.from(text);
  const vocab = [...new Set(chars)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const id = new Map(vocab.map((ch, i) => [ch, i]));
  const n = vocab.length;
  const unigram = new Array(n).fill(0);
  const bigram = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < chars.length; i++) {
    const a = id.get(chars[i])!;
    unigram[a]++;
    if (i + 1 < chars.length) bigram[a][id.get(chars[i + 1])!]++;
  }
  return { source, vocab: vocab.join(""), unigram_counts: unigram, bigram_counts: bigram };
}

/** The counts the course ships: read by lesson 1's checks and the trainer, never replaced. */
const SHIPPED = fileURLToPath(new URL("./tinyshakespeare_counts.json", import.meta.url));

/** Where the counts go without `--out`, relative to the folder the command runs in. */
export const DEFAULT_OUT = ".course/data/counts.json";

/**
 * Runs the command; returns the exit code. The counts go to `--out` (default
 * {@linkcode DEFAULT_OUT} under `options.cwd`), never over the shipped
 * `lib/data/tinyshakespeare_counts.json`; a file replaced at `--out` is kept as `*.bak`. Binary
 * input and a corpus with fewer than two distinct characters are refused.
 *
 * @example
 * ```ts
 * import { main } from "@lib/data/build_counts.ts";
 * await main(["--corpus", "input.txt", "--out", "/tmp/counts.json"]);
 * ```
 */
export async function main(args: string[], options: { cwd?: string } = {}): Promise<number> {
  const usage = `Usage: deno task data --corpus FILE [--out PATH] (default --out ${DEFAULT_OUT})`;
  let corpus: string | undefined;
  let out: string;
  try {
    const { values } = parseArgs({
      args,
      options: { corpus: { type: "string" }, out: { type: "string" } },
    });
    corpus = values.corpus;
    out = resolve(options.cwd ?? Deno.cwd(), values.out ?? DEFAULT_OUT);
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  if (!corpus) {
    console.error(
      `Say which text file to count: --corpus FILE (tiny Shakespeare's input.txt).\n${usage}`,
    );
    return 2;
  }
  if (await sameFile(out, SHIPPED)) {
    console.error(
      `deno task data will not replace the shipped ${SHIPPED}: lesson 1's checks and the ` +
        `trainer read it. Write the counts elsewhere with --out PATH.`,
    );
    return 1;
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(corpus);
  } catch (e) {
    console.error(`Cannot read ${corpus}: ${(e as Error).message}`);
    return 1;
  }
  let text: string;
  try {
    if (bytes.includes(0)) throw new Error("it contains NUL bytes");
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    const why = (e as Error).message.includes("NUL")
      ? "it contains NUL bytes"
      : "it is not valid UTF-8";
    console.error(`${corpus} is not a text file: ${why}. Give a UTF-8 text such as input.txt.`);
    return 1;
  }
  const counts = countCharacters(
    text,
    `character unigram and bigram counts of ${corpus} (${Array.from(text).length} characters)`,
  );
  const distinct = counts.vocab.length;
  if (distinct < 2) {
    console.error(
      `${corpus} has only ${distinct} distinct character${distinct === 1 ? "" : "s"}: ` +
        `a bigram model needs at least two.`,
    );
    return 1;
  }
  let kept = "";
  try {
    if (await Deno.stat(out).then((i) => i.isFile, () => false)) {
      await Deno.copyFile(out, `${out}.bak`);
      kept = ` (the previous ${out} is kept as ${out}.bak)`;
    }
    await writeTextFileAtomic(out, JSON.stringify(counts) + "\n");
  } catch (e) {
    console.error(`Cannot write ${out}: ${(e as Error).message}`);
    return 1;
  }
  const shipped = await Deno.readTextFile(SHIPPED).then((t) => JSON.parse(t), () => undefined);
  const same = shipped && JSON.stringify(shipped.bigram_counts) ===
      JSON.stringify(counts.bigram_counts) &&
    shipped.vocab === counts.vocab;
  console.log(
    `Counted ${Array.from(text).length} characters, ${distinct} distinct; wrote ${out}${kept}; ` +
      (same
        ? "the same counts as the shipped file."
        : `it differs from the shipped counts (${SHIPPED} is unchanged).`),
  );
  return 0;
}

/** Whether two paths name the same file (through links and `..`), for a file that may not exist. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const real = async (p: string) => {
    try {
      return await Deno.realPath(p);
    } catch {
      // Not there yet: resolve its folder, which may exist.
      try {
        return join(await Deno.realPath(dirname(p)), basename(p));
      } catch {
        return resolve(p);
      }
    }
  };
  return (await real(a)) === (await real(b));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
