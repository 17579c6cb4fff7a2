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
import {
  cannotLoadMessage,
  runWithSource,
  sourceFromArgs,
  sourceInUse,
  sourceLine,
} from "@lib/code_source/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { presets } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { stubMessage } from "@lib/train/cli.ts";
import { NotImplementedError } from "@lib/testing/mod.ts";

const USAGE = `Usage: deno run -A lessons/06_webgpu/profile.ts [--workers N] [--steps S] [--mine]
  --workers N   data-parallel Workers to profile (default 2)
  --steps S     timed steps of each line (default 10)
  --mine        profile your code (lessons/) instead of the reference (solutions/)
  --help        this text`;

if (import.meta.main) {
  if (Deno.args.includes("--help")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let parsed;
  try {
    parsed = sourceFromArgs(Deno.args, "solutions");
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const { source, rest } = parsed;
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] !== "--workers" && rest[i] !== "--steps") {
      console.error(`error: unknown option ${rest[i]}\n\n${USAGE}`);
      Deno.exit(2);
    }
  }
  // Start the copy of the code asked for before loading any lesson: your unfinished lesson
  // files must not stop the reference's profile.
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
  let lessons;
  try {
    lessons = await Promise.all([
      import("@exercises/01_bigram_data/exercises.ts"),
      import("@exercises/05_training/exercises.ts"),
      import("@exercises/06_webgpu/exercises.ts"),
    ]);
  } catch (error) {
    if (sourceInUse() !== "lessons") throw error; // the reference's: the course's bug
    console.error(cannotLoadMessage("profile.ts", error));
    Deno.exit(1);
  }
  const [data, training, { averageGradients }] = lessons;
  await initBackend("wasm");
  console.log(sourceLine());
  console.log(`load average at the start: ${Deno.loadavg().map((x) => x.toFixed(1)).join(", ")}`);
  let lines;
  try {
    lines = await profileWorkers(presets.cpu, trainerParts(data, training), {
      workers,
      steps,
      average: averageGradients,
      workerUrl: new URL("../05_training/train_worker.ts", import.meta.url),
    });
  } catch (error) {
    if (!(error instanceof NotImplementedError)) throw error;
    console.error(stubMessage(error).replace("deno task train --mine", "profile.ts --mine"));
    Deno.exit(1);
  }
  console.log(`CPU ms per call by thread (cpu preset, wasm, ${steps} steps each):`);
  for (const line of lines) {
    const total = line.threads.reduce((s, t) => s + t.ms, 0);
    const threads = line.threads.map((t) => `${t.thread} ${t.ms.toFixed(1)}`).join(", ");
    console.log(`  ${line.what}: ${total.toFixed(1)} in all (${threads})`);
  }
}
