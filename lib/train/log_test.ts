import assert from "node:assert/strict";
import { presets } from "./config.ts";
import { LogWriter, readLog } from "./log.ts";
import type { EvalRecord } from "./trainer.ts";

async function rejectsWith(fn: () => Promise<unknown>, text: string | RegExp): Promise<void> {
  await assert.rejects(
    fn,
    (e: unknown) =>
      e instanceof Error &&
      (typeof text === "string" ? e.message.includes(text) : text.test(e.message)),
  );
}

const record = (step: number): EvalRecord => ({
  step,
  inContextAcc: step / 10,
  lossGlobal: 4,
  lossInContext: 3,
  lossAll: 3.5,
  wO2: 0.1,
  wK2: 0.2,
  wK1: 0.3,
  wK1Early: 0.4,
  prevToken: 0.5,
  induction: 0.6,
  elapsedMs: step * 100,
});

Deno.test("a log is a header line then one JSON line per record; resuming appends", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/sub/log.jsonl`;
  const header = { config: presets.tiny, startStep: 0, backend: "cpu", startedAt: "now" };
  const log = await LogWriter.open(path, header);
  await log.write(record(0));
  await log.write(record(5));
  log.close();
  const resumed = await LogWriter.open(path, { ...header, startStep: 5 }, true);
  await resumed.write(record(10));
  resumed.close();
  const text = await Deno.readTextFile(path);
  assert.deepEqual(text.trim().split("\n").length, 5);
  const { header: h, records } = await readLog(path);
  assert.deepEqual(h.startStep, 0);
  assert.deepEqual(records.map((r) => r.step), [0, 5, 10]);
  await Deno.writeTextFile(`${dir}/bad.jsonl`, '{"step": 1}\n');
  await rejectsWith(() => readLog(`${dir}/bad.jsonl`), "no header line");
  await Deno.remove(dir, { recursive: true });
});
