import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Change,
  changedPaths,
  isWatchedFile,
  pollingReason,
  snapshot,
  watchChanges,
} from "@lib/course/file_watch.ts";

const pending = new WeakMap<AsyncIterator<Change>, Promise<IteratorResult<Change>>>();

/**
 * The next batch, or "quiet" if none comes within `ms` (generous: the machine may be busy).
 * A `next()` still pending after "quiet" is kept for the following call.
 */
async function nextChange(it: AsyncIterator<Change>, ms: number): Promise<Change | "quiet"> {
  const next = pending.get(it) ?? it.next();
  pending.set(it, next);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const quiet = new Promise<"quiet">((r) => timer = setTimeout(() => r("quiet"), ms));
  const result = await Promise.race([next, quiet]);
  clearTimeout(timer);
  if (result === "quiet") return result;
  pending.delete(it);
  assert.equal(result.done, false, "the watcher ended early");
  return result.value as Change;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "file_watch_test_" });
  try {
    await Deno.mkdir(join(dir, "01_x"));
    await Deno.writeTextFile(join(dir, "01_x", "exercises.ts"), "export const a = 1;\n");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("isWatchedFile, snapshot, changedPaths", async () => {
  assert.equal(isWatchedFile("/c/lessons/01_x/exercises.ts"), true);
  assert.equal(isWatchedFile("/c/lessons/01_x/.exercises.ts.swp"), false);
  assert.equal(isWatchedFile("/c/lessons/01_x/exercises.ts~"), false);
  assert.equal(isWatchedFile("/c/lessons/01_x/4913"), false);
  await withDir(async (dir) => {
    const before = await snapshot([dir], isWatchedFile);
    assert.deepEqual([...before.keys()], [join(dir, "01_x", "exercises.ts")]);
    await Deno.writeTextFile(join(dir, "01_x", "exercises.ts"), "export const a = 22;\n");
    await Deno.writeTextFile(join(dir, "01_x", "new.ts"), "");
    const after = await snapshot([dir], isWatchedFile);
    assert.deepEqual(changedPaths(before, after), [
      join(dir, "01_x", "exercises.ts"),
      join(dir, "01_x", "new.ts"),
    ]);
    assert.deepEqual(changedPaths(after, before), changedPaths(before, after));
    assert.deepEqual(changedPaths(after, after), []);
  });
});

for (const poll of [false, true]) {
  const mode = poll ? "polling" : "file events";
  Deno.test(`watchChanges (${mode}): a burst of writes is one batch; swap files are ignored`, async () => {
    await withDir(async (dir) => {
      const stop = new AbortController();
      const fallbacks: string[] = [];
      const it = watchChanges({
        dirs: [dir],
        signal: stop.signal,
        poll,
        intervalMs: 100,
        onFallback: (r) => fallbacks.push(r),
      })[Symbol.asyncIterator]();
      try {
        const first = nextChange(it, 20_000);
        await new Promise((r) => setTimeout(r, 300)); // let it take its first snapshot
        const file = join(dir, "01_x", "exercises.ts");
        for (let i = 0; i < 5; i++) Deno.writeTextFileSync(file, `export const a = ${i};\n`);
        const change = await first;
        assert.notEqual(change, "quiet", "no change was noticed");
        if (change === "quiet") return;
        assert.deepEqual(change.paths, [file]);
        if (poll) assert.equal(change.via, "polling");
        else if (fallbacks.length === 0) assert.equal(change.via, "events");
        // The burst gave one batch: nothing more is pending.
        const second = nextChange(it, 1_000);
        Deno.writeTextFileSync(join(dir, "01_x", ".exercises.ts.swp"), "junk");
        assert.equal(await second, "quiet");
        // A later save is a new batch.
        const third = nextChange(it, 20_000);
        Deno.writeTextFileSync(join(dir, "01_x", "helper.ts"), "export {};\n");
        const change3 = await third;
        assert.notEqual(change3, "quiet");
        if (change3 !== "quiet") assert.deepEqual(change3.paths, [join(dir, "01_x", "helper.ts")]);
      } finally {
        stop.abort();
        const end = await (pending.get(it) ?? it.next());
        assert.equal(end.done, true, "the watcher stops when aborted");
      }
    });
  });
}

Deno.test("pollingReason: a local temporary folder gets file events", () => {
  assert.equal(pollingReason(Deno.cwd()), undefined);
});
