/**
 * `deno task data --corpus FILE [--out PATH]`: rebuilds the character statistics the course
 * ships (`lib/data/tinyshakespeare_counts.json`) from any text file, with the recipe of the
 * authors' `data/prepare.py`: the vocabulary is the sorted set of characters, unigram counts
 * cover the whole file, and bigram counts cover every consecutive pair.
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

const DEFAULT_OUT = fileURLToPath(new URL("./tinyshakespeare_counts.json", import.meta.url));

/**
 * Runs the command; returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "@lib/data/build_counts.ts";
 * await main(["--corpus", "input.txt", "--out", "/tmp/counts.json"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const usage = "Usage: deno task data --corpus FILE [--out PATH]";
  let corpus: string | undefined;
  let out = DEFAULT_OUT;
  try {
    const { values } = parseArgs({
      args,
      options: { corpus: { type: "string" }, out: { type: "string" } },
    });
    corpus = values.corpus;
    out = values.out ?? out;
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
  let text: string;
  try {
    text = await Deno.readTextFile(corpus);
  } catch (e) {
    console.error(`Cannot read ${corpus}: ${(e as Error).message}`);
    return 1;
  }
  if (text.length < 2) {
    console.error(`${corpus} has fewer than two characters: there is nothing to count.`);
    return 1;
  }
  const counts = countCharacters(
    text,
    `character unigram and bigram counts of ${corpus} (${Array.from(text).length} characters)`,
  );
  await Deno.writeTextFile(out, JSON.stringify(counts) + "\n");
  console.log(
    `Counted ${Array.from(text).length} characters, ${counts.vocab.length} distinct; wrote ${out}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
