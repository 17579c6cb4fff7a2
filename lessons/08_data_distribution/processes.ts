/**
 * The process pool of lesson 8's runners (`sweep.ts`, `ood.ts`): each key runs as its own
 * process, `script --one KEY ...args`, `jobs` at a time, with `@exercises/` pointed at the
 * reference (`solutions/`), so that the cached runs measure the data, not the learner's code.
 *
 * @example
 * ```ts
 * import { runInProcesses } from "./processes.ts";
 * const failed = await runInProcesses("lessons/08_data_distribution/sweep.ts", [], 2, [], () => {});
 * failed; // 0
 * ```
 * @module
 */
import { writeImportMap } from "@lib/course/run_tests.ts";

/**
 * Runs `script --one KEY ...args` for every key, `jobs` processes at a time; calls `onDone`
 * after each one. Returns how many failed.
 *
 * @example
 * ```ts
 * import { runInProcesses } from "./processes.ts";
 * await runInProcesses("lessons/08_data_distribution/ood.ts", ["fixed-top5"], 1, ["--steps", "300"],
 *   (key, ok) => console.log(key, ok ? "done" : "FAILED"));
 * ```
 */
export async function runInProcesses(
  script: string,
  keys: string[],
  jobs: number,
  args: string[],
  onDone: (key: string, ok: boolean, finished: number, left: number) => void,
): Promise<number> {
  const todo = [...keys];
  if (todo.length === 0) return 0;
  const map = await writeImportMap(new URL("../..", import.meta.url).pathname, "solutions");
  let finished = 0;
  let failed = 0;
  const worker = async () => {
    while (todo.length > 0) {
      const key = todo.shift()!;
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `--import-map=${map}`, script, "--one", key, ...args],
        stdout: "null",
        stderr: "inherit",
      }).output();
      finished++;
      if (code !== 0) failed++;
      onDone(key, code === 0, finished, keys.length - finished); // left: not finished, running ones included
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    await Deno.remove(map).catch(() => {});
  }
  return failed;
}
