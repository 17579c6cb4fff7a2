/**
 * `deno run -A lessons/06_webgpu/profile.ts [--workers N] [--steps S] [--mine]`: where the CPU
 * time of one `cpu` training step goes on wasm, in one process and with N Workers (default 2),
 * measured per thread (lib/bench/thread_cpu.ts): each Worker's gradients, the main thread's
 * split, averaging and update, V8's helper threads, the data, the gradients of a whole and a
 * shard-sized batch and an evaluation. CPU time hardly moves with the machine's load, so this
 * profile holds on a busy machine where wall times do not. Reference code by default, yours with
 * `--mine`; the Workers run `lessons/05_training/train_worker.ts`.
 * @module
 */
import { profileWorkers } from "@lib/bench/thread_cpu.ts";
import { runWithSource, sourceFromArgs, sourceLine } from "@lib/code_source/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { presets } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { averageGradients } from "@exercises/06_webgpu/exercises.ts";

if (import.meta.main) {
  const { source, rest } = sourceFromArgs(Deno.args, "solutions");
  const relaunched = await runWithSource(source, import.meta.url, Deno.args);
  if (relaunched !== undefined) Deno.exit(relaunched);
  const flag = (name: string, fallback: number) => {
    const i = rest.indexOf(name);
    if (i < 0) return fallback;
    const n = Number(rest[i + 1]);
    if (!Number.isInteger(n) || n < 1) {
      console.error(`${name} needs a whole number >= 1, got ${rest[i + 1]}`);
      Deno.exit(2);
    }
    return n;
  };
  const workers = flag("--workers", 2);
  const steps = flag("--steps", 10);
  await initBackend("wasm");
  console.log(sourceLine());
  console.log(`load average at the start: ${Deno.loadavg().map((x) => x.toFixed(1)).join(", ")}`);
  const lines = await profileWorkers(presets.cpu, trainerParts(data, training), {
    workers,
    steps,
    average: averageGradients,
    workerUrl: new URL("../05_training/train_worker.ts", import.meta.url),
  });
  console.log(`CPU ms per call by thread (cpu preset, wasm, ${steps} steps each):`);
  for (const line of lines) {
    const total = line.threads.reduce((s, t) => s + t.ms, 0);
    const threads = line.threads.map((t) => `${t.thread} ${t.ms.toFixed(1)}`).join(", ");
    console.log(`  ${line.what}: ${total.toFixed(1)} in all (${threads})`);
  }
}
