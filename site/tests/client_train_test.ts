// The lesson-5 demo's engine (lessons/05_training/experiment.ts's LiveTraining, which the site's
// training island drives), run with the reference code on the cpu backend in a child process
// whose import map points `@exercises/` at `solutions/`: a Reset (dispose, then a fresh run) must
// give back every tensor the run made.
import { assertEquals } from "./assert.ts";
import { writeImportMap } from "@lib/course/run_tests.ts";
import { COURSE_ROOT } from "../main.ts";

Deno.test("the lesson-5 demo frees every tensor on Reset (no growth over three runs)", async () => {
  const map = await writeImportMap(COURSE_ROOT, "solutions");
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--import-map=${map}`, "site/tests/fixtures/train_reset.ts"],
      cwd: COURSE_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assertEquals(code, 0, text.decode(stderr));
    const counts = JSON.parse(text.decode(stdout).trim().split("\n").at(-1)!) as number[];
    assertEquals(counts[1], counts[0], `tensors alive after each Reset: ${counts.join(", ")}`);
    assertEquals(counts[2], counts[0], `tensors alive after each Reset: ${counts.join(", ")}`);
  } finally {
    await Deno.remove(map).catch(() => {});
  }
});
