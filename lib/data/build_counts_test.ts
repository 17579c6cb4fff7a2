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

/** Runs `main` and returns its exit code and what it printed. */
async function run(args: string[], options?: { cwd?: string }) {
  const printed: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = console.error = (...a: unknown[]) => printed.push(a.join(" "));
  try {
    return { code: await main(args, options), text: printed.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

Deno.test("deno task data never replaces the shipped counts; its default output is under .course/", async () => {
  const shippedPath = new URL("./tinyshakespeare_counts.json", import.meta.url).pathname;
  const shipped = await Deno.readFile(shippedPath);
  const dir = await Deno.makeTempDir();
  try {
    const corpus = `${dir}/input.txt`;
    await Deno.writeTextFile(corpus, "to be or not to be\n");
    const refused = await run(["--corpus", corpus, "--out", shippedPath]);
    assert.equal(refused.code, 1);
    assert.match(refused.text, /will not replace the shipped .*tinyshakespeare_counts\.json/);
    const viaDots = await run([
      "--corpus",
      corpus,
      "--out",
      shippedPath.replace(
        "/data/tinyshakespeare_counts.json",
        "/data/../data/tinyshakespeare_counts.json",
      ),
    ]);
    assert.equal(viaDots.code, 1, "another spelling of the shipped path is refused too");
    assert.deepEqual(await Deno.readFile(shippedPath), shipped, "the shipped file is unchanged");
    const byDefault = await run(["--corpus", corpus], { cwd: dir });
    assert.equal(byDefault.code, 0, byDefault.text);
    assert.match(byDefault.text, /\.course\/data\/counts\.json/);
    assert.match(byDefault.text, /differs from the shipped counts/);
    const written = JSON.parse(await Deno.readTextFile(`${dir}/.course/data/counts.json`));
    assert.equal(written.vocab, "\n benort");
    assert.deepEqual(await Deno.readFile(shippedPath), shipped, "the shipped file is unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task data refuses binary input and a corpus with fewer than two distinct characters", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/counts.json`;
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([104, 105, 0, 1, 2, 104]), /not a text file: it contains NUL bytes/],
      [new Uint8Array([0xff, 0xfe, 0x41, 0x42, 0x80]), /not a text file: it is not valid UTF-8/],
      [new TextEncoder().encode("aaaaaaaa"), /only 1 distinct character/],
      [new Uint8Array([]), /only 0 distinct characters/],
    ];
    for (const [bytes, message] of cases) {
      await Deno.writeFile(`${dir}/in.bin`, bytes);
      const r = await run(["--corpus", `${dir}/in.bin`, "--out", out]);
      assert.equal(r.code, 1, r.text);
      assert.match(r.text, message);
      assert.equal(r.text.split("\n").length, 1, "one line");
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["in.bin"], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task data keeps a copy of the file it replaces", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const corpus = `${dir}/input.txt`;
    await Deno.writeTextFile(corpus, "abc\n");
    const out = `${dir}/counts.json`;
    await Deno.writeTextFile(out, "a learner's own file\n");
    const r = await run(["--corpus", corpus, "--out", out]);
    assert.equal(r.code, 0, r.text);
    assert.equal(await Deno.readTextFile(`${out}.bak`), "a learner's own file\n");
    assert.match(r.text, /previous .* kept as .*counts\.json\.bak/);
    assert.equal(JSON.parse(await Deno.readTextFile(out)).vocab, "\nabc");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
