// `deno task lesson N --reset` when the exercise file or the backups folder cannot be written:
// one clear line, exit 1, and the learner's file untouched.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "@lib/course/cli/lesson.ts";
import { copyCourse, fakeIo, LESSON1 } from "@lib/course/_test_course.ts";

const FILE = join("lessons", LESSON1, "exercises.ts");

Deno.test("--reset that cannot save a backup or replace the file says so in one line, exit 1", async () => {
  const { root, remove } = await copyCourse();
  const file = join(root, FILE);
  const mine = (await Deno.readTextFile(file)) + "\n// the learner's work\n";
  await Deno.writeTextFile(file, mine);
  let immutable = false;
  try {
    // A file where the backups folder should be: the backup cannot be made.
    await Deno.mkdir(join(root, ".course"), { recursive: true });
    await Deno.writeTextFile(join(root, ".course", "backups"), "in the way\n");
    let io = fakeIo();
    assert.equal(await main(["1", "--reset"], root, io), 1);
    assert.deepEqual(io.stdout, [], io.text());
    assert.equal(io.stderr.length, 1, io.text());
    assert.match(io.stderr[0], /cannot reset lessons\/01_bigram_data\/exercises\.ts: .*backup/);
    assert.match(io.stderr[0], /nothing was changed/);
    assert.doesNotMatch(io.text(), /\n\s+at /);
    assert.equal(await Deno.readTextFile(file), mine);
    await Deno.remove(join(root, ".course", "backups"));

    // An immutable exercise file (chattr +i, where the file system and user allow it).
    const chattr = await new Deno.Command("chattr", { args: ["+i", file], stderr: "null" })
      .output().catch(() => undefined);
    immutable = chattr?.success === true;
    if (!immutable) {
      console.log("immutable-file case not run: chattr +i is not available here");
      return;
    }
    io = fakeIo();
    assert.equal(await main(["1", "--reset"], root, io), 1);
    assert.equal(io.stderr.length, 1, io.text());
    assert.match(
      io.stderr[0],
      /cannot reset lessons\/01_bigram_data\/exercises\.ts: it cannot be replaced/,
    );
    assert.match(io.stderr[0], /your file is unchanged; a copy is in \.course\/backups\//);
    assert.doesNotMatch(io.text(), /\n\s+at /);
    assert.equal(await Deno.readTextFile(file), mine);
  } finally {
    if (immutable) await new Deno.Command("chattr", { args: ["-i", file] }).output();
    await remove();
  }
});
