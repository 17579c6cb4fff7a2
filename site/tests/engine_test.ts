// Tests of the demos' engine built from a learner's lessons (`glue/bundle.ts`'s EngineBundles):
// one exercise file that is missing or does not compile stops only the demos that import it.
// The learner's course is a copy of `lessons/` in a temporary folder, with lesson 2's file
// holding a syntax error, lesson 3's deleted, lesson 4's written (it calls lesson 2) and lesson
// 8's importing a module that does not exist; the built engine is then imported in a fresh
// process and each lesson's experiment loaded.
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { COURSE_ROOT } from "../main.ts";
import { EngineBundles } from "../glue/bundle.ts";
import { learnerCourse, snapshot } from "./learner_course.ts";
import { blameLesson, plainError } from "../glue/stand_ins.ts";

/**
 * Imports the built engine in a fresh Deno process (browser code: TensorFlow.js must not find
 * the Node.js `process`, nor this process's own TensorFlow.js) and loads every lesson's
 * experiment: "loaded", or "needs SLUG" when it stopped at a broken lesson's stand-in.
 */
async function loadAll(dir: string, entry: string): Promise<Record<string, string>> {
  const script = `delete globalThis.process;
    const engine = await import(${JSON.stringify(pathToFileURL(join(dir, entry)).href)});
    const load = async (slug) => {
      try {
        await engine.experiments[slug]();
        return "loaded";
      } catch (e) {
        return e.name === "BrokenLessonError" && e.broken ? "needs " + e.broken.slug : e.name + ": " + e.message;
      }
    };
    const out = {};
    for (const slug of Object.keys(engine.experiments)) out[slug] = await load(slug);
    out["04_induction_transformer again"] = await load("04_induction_transformer");
    console.log(JSON.stringify(out));`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assertEquals(code, 0, `the engine loads: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(text.trim().split("\n").pop()!);
}

Deno.test({
  name: "a missing or broken exercise file stops only the demos that import it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Lesson 4 written: its code calls lesson 2's (a stub's unused imports are dropped).
    const root = await learnerCourse(["04_induction_transformer"]);
    const out = join(root, "engine");
    try {
      const lessons = join(root, "lessons");
      const file = (slug: string) => join(lessons, slug, "exercises.ts");
      await Deno.writeTextFile(file("02_attention"), "\nconst broken = ;\n", { append: true });
      await Deno.remove(file("03_associative_memory"));
      const eight = await Deno.readTextFile(file("08_data_distribution"));
      await Deno.writeTextFile(
        file("08_data_distribution"),
        `import "@lib/no_such_module.ts";\n${eight}`,
      );
      const before = await snapshot(lessons);

      const engines = new EngineBundles(COURSE_ROOT, "site/client/engine.ts", {
        learner: lessons,
        reference: "solutions",
      });
      const info = await engines.info("learner");
      assert("file" in info, `the engine was built: ${"error" in info ? info.error : ""}`);
      const broken = info.broken ?? {};
      assertEquals(Object.keys(broken).sort(), [
        "02_attention",
        "03_associative_memory",
        "08_data_distribution",
      ]);
      assertEquals(broken["02_attention"].missing, false);
      assertMatch(broken["02_attention"].problem, /^SyntaxError: Expression expected$/);
      assertMatch(
        broken["02_attention"].where ?? "",
        /^lessons\/02_attention\/exercises\.ts:\d+:\d+$/,
      );
      assertEquals(broken["03_associative_memory"].missing, true);
      assertEquals(
        broken["03_associative_memory"].file,
        "lessons/03_associative_memory/exercises.ts",
      );
      assertMatch(
        broken["08_data_distribution"].problem,
        /Module not found "lib\/no_such_module\.ts"/,
      );
      assertMatch(
        broken["08_data_distribution"].where ?? "",
        /^lessons\/08_data_distribution\/exercises\.ts:1:\d+$/,
      );
      assertEquals(await snapshot(lessons), before, "the learner's files are as they were");

      // The built engine, imported here: each experiment loads unless it imports a broken file.
      await Deno.mkdir(out);
      for (const name of new Set([info.file, ...engines.names()])) {
        await Deno.writeFile(join(out, name), engines.file(name)!);
      }
      const loaded = await loadAll(out, info.file);
      assertEquals(loaded, {
        "00_tfjs_primer": "loaded",
        "01_bigram_data": "loaded",
        "02_attention": "needs 02_attention",
        "03_associative_memory": "needs 03_associative_memory",
        "04_induction_transformer": "needs 02_attention", // lesson 4 builds on lesson 2
        "05_training": "loaded",
        "06_webgpu": "loaded",
        "07_top_down": "loaded",
        "08_data_distribution": "needs 08_data_distribution",
        "09_beyond_simplified": "needs 08_data_distribution",
        "04_induction_transformer again": "needs 02_attention", // the module's error stays
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("blameLesson names the learner's lesson a bundler error points at, or none", () => {
  const esc = "\u001b[0m\u001b[1m\u001b[31merror\u001b[0m: ";
  // An import of a name another lesson does not export: the importer is to blame.
  assertEquals(
    blameLesson(
      `deno bundle failed (exit 1):\n${esc}No matching export in "../../other/c/lessons/01_bigram_data/exercises.ts" for import "nope"\n    at \u001b[0m\u001b[36mfile:///c/lessons/05_training/exercises.ts\u001b[0m:\u001b[0m\u001b[33m22\u001b[0m:\u001b[0m\u001b[33m13\u001b[0m\n${esc}bundling failed`,
      "/c",
      "/c/lessons",
    ),
    {
      slug: "05_training",
      problem:
        'No matching export in "/other/c/lessons/01_bigram_data/exercises.ts" for import "nope"',
      where: "lessons/05_training/exercises.ts:22:13",
    },
  );
  // A module of lib that is not there, imported by a learner's file in another folder.
  assertEquals(
    blameLesson(
      `${esc}Module not found "file:///course/lib/x.ts".\n    at file:///me/lessons/08_data_distribution/exercises.ts:1:8`,
      "/course",
      "/me/lessons",
    ),
    {
      slug: "08_data_distribution",
      problem: 'Module not found "lib/x.ts"',
      where: "lessons/08_data_distribution/exercises.ts:1:8",
    },
  );
  // An error in the site's own code or in lib is nobody's lesson.
  assertEquals(
    blameLesson(
      `${esc}Module not found "file:///c/lib/x.ts".\n    at file:///c/site/client/engine.ts:3:1`,
      "/c",
      "/c/lessons",
    ),
    undefined,
  );
  assertEquals(blameLesson("error: something else", "/c", "/c/lessons"), undefined);
  assertEquals(
    plainError('Module not found "file:///c/lessons/02_attention/x.ts"', "/c", "/c/lessons"),
    'Module not found "lessons/02_attention/x.ts"',
  );
});
