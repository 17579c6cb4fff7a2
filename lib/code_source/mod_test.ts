/**
 * Tests of the code-source launcher: a tool restarted by `runEntry` (deno task train, bench,
 * demo) passes Ctrl-C on to its child and waits for it, so the child's clean stop (checkpoint,
 * log, summary) finishes before the command returns, and no child is left running alone.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const MOD = fileURLToPath(new URL("./mod.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

Deno.test("runEntry: SIGINT to the launcher reaches the child, and the launcher waits for it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "code_source_test_" });
  try {
    // The child: says it is ready once it listens for SIGINT, then stops cleanly on it
    // (a short pause, like a checkpoint being written), or exits 3 if no signal comes.
    const child = `${dir}/child.ts`;
    await Deno.writeTextFile(
      child,
      `const stop = () => setTimeout(() => { console.log("child stopped cleanly"); Deno.exit(0); }, 300);
Deno.addSignalListener("SIGINT", stop);
const idle = setTimeout(() => { console.log("child got no signal"); Deno.exit(3); }, 8000);
console.log("ready");
void idle;
`,
    );
    const launcher = `${dir}/launcher.ts`;
    await Deno.writeTextFile(
      launcher,
      `import { runEntry } from ${JSON.stringify(MOD)};
const code = await runEntry(${JSON.stringify(dir)}, "lessons", ${JSON.stringify(child)}, []);
console.log("launcher: child exited " + code);
Deno.exit(code);
`,
    );
    const proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--config=${CONFIG}`, launcher],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the launcher ended before its child was ready:\n${out}`);
      out += value;
    }
    proc.kill("SIGINT"); // the launcher only, as `kill -INT` or a supervisor sends it
    const status = await proc.status;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.match(out, /child stopped cleanly/);
    assert.match(out, /launcher: child exited 0/);
    assert.equal(status.code, 0, out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
