import assert from "node:assert/strict";
import { crashMessage, parseTrainArgs, stubMessage, UsageError, workerCount } from "./cli.ts";
import { NotImplementedError } from "@lib/testing/mod.ts";

Deno.test("flags map onto the config", () => {
  const o = parseTrainArgs([
    "--preset",
    "tiny",
    "--steps",
    "20",
    "--lr",
    "0.5",
    "--dim",
    "48",
    "--seq-len",
    "40",
    "--k",
    "2",
    "--random-triggers",
    "--loss",
    "all",
    "--final-ffn",
    "--freeze",
    "wK1:10",
    "--optimizer",
    "adamw",
    "--backend",
    "cpu",
    "--log",
    "x.jsonl",
  ]);
  const c = o.config;
  assert.deepEqual([c.steps, c.optimizer.lr, c.optimizer.kind], [20, 0.5, "adamw"]);
  assert.deepEqual([c.model.dim, c.model.maxLen, c.data.seqLen, c.data.k], [48, 40, 40, 2]);
  assert.deepEqual([c.data.fixedTriggers, c.loss, c.model.finalFfn], [false, "all", true]);
  assert.deepEqual(c.freeze, [{ param: "wK1", untilStep: 10 }]);
  assert.deepEqual([o.backend, o.log], ["cpu", "x.jsonl"]);
});

Deno.test("bad flags give a clear UsageError", () => {
  const bad: [string[], string][] = [
    [["--stepz", "3"], "--stepz"],
    [["--steps", "abc"], '--steps must be an integer >= 0, got "abc"'],
    [["--preset", "huge"], "--preset must be one of paper, cpu, cpu-long, tiny"],
    [["--backend", "tpu"], 'Unknown backend "tpu"'],
    [["--lr", "0"], "--lr must be a positive, finite number"],
    [["--freeze", "wK1"], "write MATRIX:STEP"],
    [["--resume", "c.json", "--dim", "8"], "drop --dim"],
    [["--steps"], "--steps"],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parseTrainArgs(args), (e: Error) => e.message.includes(message));
    assert.throws(() => parseTrainArgs(args), UsageError);
  }
});

Deno.test("--lr Infinity and NaN are refused; --init-seed sets the model's seed, --seed the data's", () => {
  for (const lr of ["Infinity", "NaN", "1e400", "0"]) {
    assert.throws(() => parseTrainArgs(["--lr", lr]), /--lr must be a positive, finite number/);
  }
  const o = parseTrainArgs(["--preset", "tiny", "--seed", "7", "--init-seed", "3"]);
  assert.deepEqual([o.config.seed, o.config.model.seed], [7, 3]);
  assert.equal(parseTrainArgs([]).config.model.seed, 0, "lesson 5's init seed by default");
  assert.equal(parseTrainArgs([]).config.seed, 42, "lesson 5's data seed by default");
  assert.throws(() => parseTrainArgs(["--init-seed=-1"]), /--init-seed must be an integer >= 0/);
  assert.throws(
    () => parseTrainArgs(["--resume", "c.json", "--init-seed", "1"]),
    /drop --init-seed/,
  );
  assert.throws(
    () => parseTrainArgs(["--log", "a", "--plot", "a"]),
    /--log and --plot name the same file/,
  );
});

/** `deno task train`'s entry point, which assembles the command from the lessons. */
const TRAIN_ENTRY = new URL("../../lessons/05_training/train.ts", import.meta.url).pathname;

/** `deno task train ARGS` as a learner runs it (in the course at `root`: this one by default). */
async function train(args: string[], root?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", root ? "lessons/05_training/train.ts" : TRAIN_ENTRY, ...args],
    ...(root ? { cwd: root } : {}),
    stdout: "piped",
    stderr: "piped",
    env: { XDG_RUNTIME_DIR: Deno.makeTempDirSync() },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Fails unless the output is one clear `error:` line and no stack trace. */
function oneClearLine(stderr: string, pattern: RegExp) {
  const lines = stderr.split("\n").filter((l) => /\S/.test(l) && !/XDG_RUNTIME_DIR/.test(l));
  assert.equal(lines.length, 1, `one line expected:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /Uncaught|\n\s+at /);
}

const tinyRun = ["--preset", "tiny", "--backend", "cpu", "--steps", "2", "--eval-every", "1"];

Deno.test("deno task train: --save, --plot, --log to a folder or under a file are refused before training", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file.txt`, "a learner's file\n");
    for (const flag of ["--save", "--plot", "--log"]) {
      const r = await train([...tinyRun, flag, dir]);
      assert.equal(r.code, 1, r.stderr);
      oneClearLine(r.stderr, new RegExp(`${flag} ${dir} is a folder; give a file name`));
      assert.doesNotMatch(r.stdout, /Backend:|step/, "nothing was trained");
      const under = await train([...tinyRun, flag, `${dir}/file.txt/out`]);
      assert.equal(under.code, 1, under.stderr);
      oneClearLine(under.stderr, /cannot make its folder/);
    }
    // A file that opens but refuses writes (Linux's /proc/version): one line, not a trace.
    if (Deno.build.os === "linux") {
      const proc = await train([...tinyRun, "--log", "/proc/version"]);
      assert.equal(proc.code, 1, proc.stderr);
      oneClearLine(proc.stderr, /--log \/proc\/version: cannot write there/);
    }
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(left, ["file.txt"], "no .tmp or other file left behind");
    assert.equal(await Deno.readTextFile(`${dir}/file.txt`), "a learner's file\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train: a diverging run stops with exit 1 and keeps the last finite checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const save = `${dir}/ckpt.json`;
    const r = await train([
      ...tinyRun.slice(0, 4),
      "--steps",
      "30",
      "--eval-every",
      "5",
      "--lr",
      "1e6",
      "--save",
      save,
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    oneClearLine(
      r.stderr,
      /training diverged: the loss is (NaN|Infinity|\d\.\d\de\+\d+) at step \d+ \(\d+\.\d\d at step \d+\)/,
    );
    assert.match(r.stderr, /learning rate 1000000 is too large/);
    const kept = JSON.parse(await Deno.readTextFile(save));
    assert.match(r.stderr, new RegExp(`checkpoint of step ${kept.step}, the last before it`));
    const values = new Float32Array(Uint8Array.fromBase64(kept.params.wK1.data).buffer);
    assert.ok(values.every(Number.isFinite), "the kept checkpoint is finite");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train: sizes that cannot fit are refused before allocating", async () => {
  for (const flags of [["--dim", "1000000"], ["--batch", "100000000"]]) {
    const r = await train([...tinyRun, ...flags]);
    assert.equal(r.code, 1, r.stderr);
    oneClearLine(r.stderr, /needs at least .* of memory .* backend has .*: use a smaller --dim/);
  }
});

Deno.test("deno task train: a bad checkpoint or one past --steps gets one line, no Uncaught", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const save = `${dir}/c.json`;
    const ok = await train([...tinyRun, "--save", save]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Induction head: not born by step 2 \(in-context accuracy below 0\.95/);
    assert.match(ok.stdout, /seeds: data 42, init 0/);
    const good = JSON.parse(await Deno.readTextFile(save));
    const past = await train(["--resume", save, "--steps", "1"]);
    assert.equal(past.code, 1);
    oneClearLine(past.stderr, /c\.json is at step 2, past --steps 1: give --steps above 2/);
    const bad: [unknown, RegExp][] = [
      [{ ...good, step: -1 }, /"step" must be a whole number >= 0, got -1/],
      [{ ...good, step: "x" }, /"step" must be a whole number >= 0, got "x"/],
      [{ ...good, optimizer: { ...good.optimizer, slots: {} } }, /has no optimizer state wK1/],
      [
        { ...good, params: { ...good.params, wK1: { ...good.params.wK1, shape: [3, 3] } } },
        /params\.wK1: shape \[3,3\] needs 36 bytes/,
      ],
      ["{ not json", /cannot read checkpoint/],
    ];
    for (const [content, message] of bad) {
      await Deno.writeTextFile(
        save,
        typeof content === "string" ? content : JSON.stringify(content),
      );
      const r = await train(["--resume", save, "--backend", "cpu"]);
      assert.equal(r.code, 1, r.stderr);
      oneClearLine(r.stderr, message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task train --mine: a stub is named with its lesson and that lesson's command", () => {
  const stub = new NotImplementedError("unigramFromCounts");
  stub.stack =
    "NotImplementedError\n    at unigramFromCounts (file:///c/lessons/01_bigram_data/exercises.ts:121:9)";
  assert.equal(
    stubMessage(stub),
    "deno task train --mine runs your code, and `unigramFromCounts` (lesson 1) is not written yet: " +
      "finish it (`deno task lesson 1` says what is missing), or run without --mine for the " +
      "reference code.",
  );
  // A stub reported by a Worker has no exercise file on its stack: no lesson is guessed.
  assert.match(
    stubMessage(new NotImplementedError("averageGradients")),
    /finish it \(`deno task lesson` says/,
  );
});

Deno.test("deno task train --mine: an error in your code is one line naming your line, no trace", () => {
  const own = new TypeError("Cannot read properties of undefined (reading 'boom')");
  own.stack = `TypeError: ${own.message}\n` +
    "    at file:///c/lessons/05_training/exercises.ts:142:26\n" +
    "    at Engine.scopedRun (file:///c/node_modules/.deno/@tensorflow+tfjs-core@4.22.0/x.js:1:1)\n" +
    "    at Trainer.step (file:///c/lib/train/trainer.ts:157:23)";
  assert.equal(
    crashMessage(own, "lessons"),
    "error: deno task train --mine stopped in your code (lessons/): TypeError: Cannot read " +
      "properties of undefined (reading 'boom') (at lessons/05_training/exercises.ts:142). " +
      "`deno task lesson 5` checks it with its tests; without --mine the reference code runs.",
  );
  // A Worker's error comes back without the Worker's stack: the message alone, and lesson 5.
  const worker = new Error("worker 1: Cannot read properties of undefined (reading 'boom')");
  assert.match(
    crashMessage(worker, "lessons") ?? "",
    /^error: deno task train --mine stopped in your code \(lessons\/\): Error: worker 1: .*'boom'\)\. `deno task lesson 5` checks/,
  );
  // The reference's errors are the course's bugs: their stack trace stays.
  assert.equal(crashMessage(own, "solutions"), undefined);
  assert.equal(crashMessage(own, undefined), undefined);
});

Deno.test("deno task train runs the reference even when your lesson files are broken or missing; --mine says which", async () => {
  const { cp } = await import("node:fs/promises");
  const root = await Deno.makeTempDir({ prefix: "course_train_copy_" });
  const here = new URL("../../", import.meta.url).pathname;
  try {
    for (const rel of ["deno.json", "deno.lock", "lib", "lessons", "solutions"]) {
      await cp(`${here}${rel}`, `${root}/${rel}`, { recursive: true });
    }
    await Deno.symlink(`${here}node_modules`, `${root}/node_modules`);
    // A learner halfway through: lesson 1's file does not parse, lesson 5's was deleted.
    await Deno.writeTextFile(
      `${root}/lessons/01_bigram_data/exercises.ts`,
      "export const x = ;\n",
      {
        append: true,
      },
    );
    await Deno.remove(`${root}/lessons/05_training/exercises.ts`);
    const run = (args: string[]) => train(args, root);
    const reference = await run([...tinyRun, "--steps", "1", "--workers", "1"]);
    assert.equal(reference.code, 0, reference.stderr);
    assert.match(reference.stdout, /^Code: the reference code \(solutions\/\)/m);
    const mine = await run([...tinyRun, "--mine", "--workers", "1"]);
    assert.equal(mine.code, 1, mine.stderr);
    oneClearLine(mine.stderr, /deno task train --mine cannot load your code .*lessons\/0[15]_/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("--workers above the batch size is capped and says so; above the cores it says they share them", () => {
  const average = () => ({});
  const capped = workerCount(99, "wasm", 6, average, 2);
  assert.ok(typeof capped !== "string");
  assert.equal(capped.count, 6);
  assert.match(capped.line, /--workers 99 capped at the batch size, 6/);
  assert.match(capped.line, /more Workers than this machine's 2 cores/);
  const fits = workerCount(2, "wasm", 64, average, 2);
  assert.ok(typeof fits !== "string");
  assert.equal(fits.count, 2);
  assert.doesNotMatch(fits.line, /capped|more Workers/);
  const over = workerCount(4, "wasm", 64, average, 2);
  assert.ok(typeof over !== "string");
  assert.doesNotMatch(over.line, /capped/);
  assert.match(over.line, /more Workers than this machine's 2 cores/);
});

Deno.test("--workers: many equal shards are counted, not spelled out one by one", () => {
  const average = () => ({});
  const line = (n: number, batch: number) => {
    const w = workerCount(n, "wasm", batch, average, 2);
    assert.ok(typeof w !== "string");
    return w.line;
  };
  assert.match(line(99, 64), /each batch of 64 split 64 × 1,/);
  assert.match(line(5, 64), /each batch of 64 split 4 × 13 \+ 12,/);
  assert.match(line(2, 64), /each batch of 64 split 32 \+ 32,/);
  assert.match(line(3, 64), /each batch of 64 split 22 \+ 21 \+ 21,/);
});
