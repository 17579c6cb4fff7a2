import assert from "node:assert/strict";
import { countCharacters, main } from "@lib/data/build_counts.ts";
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };

Deno.test("countCharacters: a tiny hand-computed case", () => {
  const c = countCharacters("abba\n");
  assert.equal(c.vocab, "\nab");
  assert.deepEqual(c.unigram_counts, [1, 2, 2]);
  // pairs: ab bb ba a\n
  assert.deepEqual(c.bigram_counts, [[0, 0, 0], [1, 0, 1], [0, 1, 1]]);
});

Deno.test("countCharacters: pair counts sum to length - 1 and rows match unigrams", () => {
  const text = "to be, or not to be: that is the question.\n";
  const c = countCharacters(text);
  const pairs = c.bigram_counts.flat().reduce((a, b) => a + b, 0);
  assert.equal(pairs, text.length - 1);
  const last = c.vocab.indexOf(text[text.length - 1]);
  c.bigram_counts.forEach((row, i) => {
    const out = row.reduce((a, b) => a + b, 0);
    assert.equal(out, c.unigram_counts[i] - (i === last ? 1 : 0));
  });
});

Deno.test("shipped counts: 65 characters, 1,115,394 in all, consistent pairs", () => {
  assert.equal(counts.vocab.length, 65);
  assert.equal(counts.unigram_counts.reduce((a, b) => a + b, 0), 1_115_394);
  const pairs = counts.bigram_counts.flat().reduce((a, b) => a + b, 0);
  assert.equal(pairs, 1_115_393);
});

Deno.test("deno task data: writes a counts file, and rejects a missing corpus", async () => {
  const dir = await Deno.makeTempDir();
  const corpus = `${dir}/input.txt`;
  await Deno.writeTextFile(corpus, "hello world\n");
  const out = `${dir}/counts.json`;
  assert.equal(await main(["--corpus", corpus, "--out", out]), 0);
  const written = JSON.parse(await Deno.readTextFile(out));
  assert.equal(written.vocab, "\n dehlorw");
  assert.equal(await main(["--corpus", `${dir}/missing.txt`, "--out", out]), 1);
  assert.equal(await main(["--out", out]), 2);
  assert.equal(await main(["--bogus"]), 2);
  await Deno.remove(dir, { recursive: true });
});
