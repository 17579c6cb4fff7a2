/**
 * The repository tracks no `node_modules`: Deno creates it on a learner's machine
 * (`"nodeModulesDir": "auto"`), and a committed one (a symlink to a developer's own folder) made
 * every fresh clone fail with "Too many levels of symbolic links". `.gitignore` ignores it whether
 * it is a folder or a symlink (`node_modules/` matches folders only).
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

async function git(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout } = await new Deno.Command("git", {
    args: ["-C", ROOT, ...args],
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code, out: new TextDecoder().decode(stdout) };
}

const inGit = await git(["rev-parse", "--is-inside-work-tree"]).then(
  (r) => r.code === 0,
  () => false,
);
if (!inGit) console.log("tracked_files_test: not a git checkout (or no git), nothing to check");

Deno.test({
  name: "no node_modules is tracked, and .gitignore ignores one that is a symlink",
  ignore: !inGit,
  fn: async () => {
    const tracked = (await git(["ls-files", "-s"])).out.split("\n")
      .filter((l) => /\tnode_modules(\/|$)/.test(l));
    assert.deepEqual(tracked, [], "node_modules is tracked: git rm --cached node_modules");
    // --no-index: checks the pattern, not whether the path is tracked; a path that does not
    // exist as a folder is matched as a file, as a symlink is.
    const ignored = await git(["check-ignore", "--no-index", "-q", "node_modules"]);
    assert.equal(ignored.code, 0, ".gitignore does not ignore a node_modules symlink");
  },
});
