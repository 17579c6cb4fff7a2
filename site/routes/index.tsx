/**
 * Home: the course map. Every lesson with its objectives and exercises (difficulty and time
 * box), read from the lessons' READMEs, the learner's progress as the CLI last recorded it, a
 * link to the paper spec the lessons cite, and the picture of the induction head the course
 * builds (`lessons/figures/induction_head.svg`).
 *
 * @example
 * ```ts
 * // GET / renders this page.
 * ```
 * @module
 */
import { join } from "node:path";
import { type Lesson, listLessons } from "@lib/course/lessons.ts";
import type { Handlers, PageProps } from "../glue/types.ts";
import { LessonCard } from "../components/lesson_card.tsx";
import { type Progress, readProgress } from "@lib/course/progress.ts";
import { SPEC_PATH } from "./spec.tsx";
import { progressEntries } from "@lib/course/lesson_check.ts";
import { lessonStatus } from "@lib/course/status.ts";
import { courseCount } from "../utils/check_status.ts";

/** What the handler passes to the page. */
export interface HomeData {
  /** The lessons, by number. */
  lessons: Lesson[];
  /** The learner's progress (`.course/progress.json`, written by the CLI). */
  progress: Progress;
  /** Whether the course has its paper spec (`lessons/paper_spec.md`, shown at `/spec`). */
  spec?: boolean;
  /** Exercises that pass, of all, over the course (from the same status as the terminal's). */
  count?: { done: number; total: number };
  /** Whether the course has its picture of the induction head ({@linkcode MAP_FIGURE}). */
  figure?: boolean;
}

/** The induction head's circuit, the paper's Figure 1 as the course draws it, under lessons/. */
export const MAP_FIGURE = "lessons/figures/induction_head.svg";

/** What the picture shows, for those who do not see it. */
export const MAP_FIGURE_ALT =
  "The induction head on the tokens … a b … a, in three rows. Layer 1: the previous-token " +
  "head, whose key memory is W K 1, lets the position of b attend to the a before it, and the " +
  "fixed random remapping W O 1 times W V 1 writes a copy of that a there. Layer 2: the " +
  "induction head, whose key memory is W K 2, lets the query a at the last position find that " +
  "copy, and the output memory W O 2 maps the attended value of b onto the unembedding of b, " +
  "so the model predicts b.";

/** Reads the lessons and the progress file. */
export const handler: Handlers<HomeData> = {
  async GET(_req, ctx) {
    const isFile = (path: string) =>
      Deno.stat(join(ctx.state.root, path)).then((s) => s.isFile, () => false);
    const [lessons, progress, spec, figure] = await Promise.all([
      listLessons(ctx.state.root),
      readProgress(ctx.state.root),
      isFile(SPEC_PATH),
      isFile(MAP_FIGURE),
    ]);
    const entries = await progressEntries(ctx.state.root, lessons, progress);
    ctx.state.title = "Course map";
    return ctx.render({
      lessons,
      progress,
      spec,
      figure,
      count: courseCount(entries.map(lessonStatus)),
    });
  },
};

/**
 * The course map.
 *
 * @example
 * ```tsx
 * import Home from "./index.tsx";
 * import { emptyProgress } from "@lib/course/progress.ts";
 * <Home data={{ lessons: [], progress: emptyProgress() }} params={{}} url={new URL("http://x/")} state={{ root: "." }} />;
 * ```
 */
export default function Home({ data }: PageProps<HomeData>) {
  const { lessons, progress, spec, count, figure } = data;
  const checked = Object.values(progress.lessons).some((l) => l.lastChecked);
  return (
    <main id="main" class="home">
      <h1>Birth of a Transformer: the course map</h1>
      <p class="lede">
        You rebuild the experiments of Bietti et al.,{" "}
        <cite>
          Birth of a Transformer: A Memory Viewpoint
        </cite>{" "}
        (NeurIPS 2023) in TypeScript: the bigram data with in-context triggers, attention,
        associative memories, a hand-wired induction head, and finally the training run in which the
        induction head is born. Each lesson has exercises that you write in{" "}
        <code>lessons/NN_slug/exercises.ts</code> and check with{" "}
        <code>deno task lesson N</code>, and a live demo you can run here.
      </p>
      {spec && (
        <p class="reference">
          Reference: <a href="/spec">the paper spec</a>{" "}
          (the setup, equations and hyperparameters the lessons cite as “spec §N”).
        </p>
      )}
      {figure && (
        <figure class="map-figure" id="induction-head">
          <div class="figure-scroll">
            <img
              src={`/_${MAP_FIGURE}`}
              alt={MAP_FIGURE_ALT}
              width="1100"
              height="770"
            />
          </div>
          <figcaption>
            Where the course goes: the induction head as three associative memories (the paper's
            Figure 1). Lesson 1 makes the tokens, lesson 2 the attention, lesson 3 the memories;
            lesson 4 wires this circuit by hand and lesson 5 watches training find it.
          </figcaption>
        </figure>
      )}
      {!checked && (
        <p class="note">
          Progress: not checked yet. Run <code>deno task lesson 1</code> (or{" "}
          <code>deno task lesson 0</code>, the TensorFlow.js primer, first) in a terminal; this page
          shows the result of the last check of each lesson.
        </p>
      )}
      {count && count.total > 0 && (
        <p id="course-progress" class="course-progress" data-live>
          <label for="course-progress-bar">Your progress:</label>{" "}
          <progress id="course-progress-bar" max={count.total} value={count.done} /> {count.done} of
          {" "}
          {count.total} exercises pass
        </p>
      )}
      <h2>Lessons</h2>
      {lessons.length === 0
        ? (
          <p>
            No lessons found under <code>lessons/</code>.
          </p>
        )
        : (
          <ol id="lesson-list" class="lesson-list" data-live>
            {lessons.map((lesson) => (
              <li>
                <LessonCard lesson={lesson} progress={progress.lessons[lesson.slug]} />
              </li>
            ))}
          </ol>
        )}
    </main>
  );
}
