import assert from "node:assert/strict";
import { parseTrainArgs, UsageError } from "./cli.ts";

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
    [["--lr", "0"], "--lr must be a positive number"],
    [["--freeze", "wK1"], "write MATRIX:STEP"],
    [["--resume", "c.json", "--dim", "8"], "drop --dim"],
    [["--steps"], "--steps"],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => parseTrainArgs(args), (e: Error) => e.message.includes(message));
    assert.throws(() => parseTrainArgs(args), UsageError);
  }
});
