/**
 * One lesson: its README rendered (math typeset with KaTeX, code highlighted, hints folded),
 * each exercise's reference solution folded under it, where the exercise file is and how to
 * check it, the learner's last check, and the lesson's live demo. A table of contents (sections
 * and exercises) sits in the right margin, every heading links to itself, the previous and next
 * lessons are linked at the top and at the bottom, and each "spec §N" goes to that section of
 * `/spec`.
 *
 * `/lessons/1`, `/lessons/01` and `/lessons/01_bigram_data` all show lesson 1 (`/lessons/1/`
 * is redirected to `/lessons/1`, see `glue/server.ts`). Links to the paper spec
 * (`../paper_spec.md`) point at `/spec`.
 *
 * @example
 * ```ts
 * // GET /lessons/1 renders this page.
 * ```
 * @module
 */
import { join } from "node:path";
import { type Exercise, type Lesson, listLessons } from "@lib/course/lessons.ts";
import type { Handlers, PageProps } from "../../glue/types.ts";
import { codeProps, LessonDemo } from "../../components/lesson_demo.tsx";
import type { CodeProps } from "../../components/use_experiment.tsx";
import {
  headingAnchors,
  lessonImageUrls,
  lessonLinkUrls,
  linkSpecSections,
  renderMarkdown,
  specLinkUrls,
  specSectionAnchors,
  typesetPlainMath,
} from "../../utils/markdown.ts";
import { Pager } from "../../components/pager.tsx";
import { tocEntries, type TocEntry } from "../../components/toc.tsx";
import PageToc from "../../islands/page_toc.tsx";
import { SPEC_PATH } from "../spec.tsx";
import { withSolutions } from "../../utils/lesson_text.ts";
import { solutionRegions, solutionShown } from "../../utils/solutions.ts";
import { type LessonView, lessonView } from "../../utils/check_status.ts";
import { CheckStatus } from "../../components/check_status.tsx";
import { type LessonProgress, readProgress } from "@lib/course/progress.ts";
import { brokenNote } from "../../client/broken_lesson.ts";

/** What the handler passes to the page. */
export interface LessonData {
  /** The lesson. */
  lesson: Lesson;
  /** The README without its title, with solutions, as HTML. */
  html: string;
  /** Why the solutions are missing, when they are. */
  solutionNote?: string;
  /** The last check of this lesson, if any. */
  progress?: LessonProgress;
  /** The lessons before and after, for navigation. */
  previous?: Lesson;
  /** The next lesson. */
  next?: Lesson;
  /** What the demo is told about the code it runs. */
  code: CodeProps;
  /** The line of each exercise function in the learner's file (`export function name`). */
  functionLines: Record<string, number>;
  /** True when the learner's exercise file is not there. */
  missingFile?: boolean;
  /** The table of contents: the text's sections and exercises, then the demo. */
  toc: TocEntry[];
  /** The exercises' states and next steps, from the recorded checks. */
  checks: LessonView;
  /** Whether the page offers the Check button (the site is served on this machine only). */
  workspace: boolean;
}

/**
 * The line (1-based) of each `export function NAME` (or `export async function`) in a file.
 *
 * @example
 * ```ts
 * import { functionLines } from "./[lesson].tsx";
 * functionLines("// x\nexport function f() {}"); // { f: 2 }
 * ```
 */
export function functionLines(text: string): Record<string, number> {
  const lines: Record<string, number> = {};
  text.split("\n").forEach((line, i) => {
    const name = line.match(/^export (?:async )?function\s*\*?\s*(\w+)/)?.[1];
    if (name && !(name in lines)) lines[name] = i + 1;
  });
  return lines;
}

/**
 * Finds the lesson named by the URL: a number (`1`, `01`) or a slug (`01_bigram_data`).
 *
 * @example
 * ```ts
 * import { lessonFromParam } from "./[lesson].tsx";
 * lessonFromParam([], "1"); // undefined
 * ```
 */
export function lessonFromParam(lessons: Lesson[], param: string): Lesson | undefined {
  if (/^\d{1,3}$/.test(param)) return lessons.find((l) => l.number === Number(param));
  return lessons.find((l) => l.slug === param);
}

/** Reads the lesson, its solution file and the progress file. */
export const handler: Handlers<LessonData> = {
  async GET(_req, ctx) {
    const root = ctx.state.root;
    const lessons = await listLessons(root);
    const lesson = lessonFromParam(lessons, ctx.params.lesson);
    if (!lesson) return ctx.renderNotFound();
    let regions = new Map<string, string>();
    let solutionNote: string | undefined;
    try {
      regions = solutionRegions(await Deno.readTextFile(join(root, lesson.paths.solution)));
    } catch (error) {
      solutionNote = error instanceof Deno.errors.NotFound
        ? `there is no ${lesson.paths.solution} yet`
        : `${lesson.paths.solution} could not be read: ${(error as Error).message}`;
    }
    const body = lessonLinkUrls(specLinkUrls(
      lessonImageUrls(lesson.markdown.replace(/^# .*\n/, ""), lesson.slug),
    ));
    const all = await readProgress(root);
    const progress = all.lessons[lesson.slug];
    // The reference code of an exercise shows once it passes (the terminal asks before).
    const shown = (e: Exercise) => solutionShown(progress, e);
    const spec = await Deno.readTextFile(join(root, SPEC_PATH)).catch(() => "");
    const html = linkSpecSections(
      headingAnchors(
        renderMarkdown(
          typesetPlainMath(
            withSolutions({ ...lesson, markdown: body }, regions, shown, ctx.state.workspace),
          ),
        ),
      ),
      specSectionAnchors(spec),
    );
    const learnerFile = await Deno.readTextFile(join(root, lesson.paths.exercises)).catch((e) =>
      e instanceof Deno.errors.NotFound ? undefined : ""
    );
    const i = lessons.indexOf(lesson);
    ctx.state.title = `Lesson ${lesson.number}: ${lesson.title}`;
    return ctx.render({
      lesson,
      html,
      solutionNote,
      progress,
      previous: lessons[i - 1],
      next: lessons[i + 1],
      code: codeProps(lessons, ctx.state.code ?? "learner"),
      functionLines: functionLines(learnerFile ?? ""),
      missingFile: learnerFile === undefined,
      toc: [...tocEntries(html), { id: "demo", html: "Live demo", level: 2 }],
      checks: await lessonView(root, lesson, lessons, all),
      workspace: ctx.state.workspace ?? false,
    });
  },
};

/**
 * The lesson page.
 *
 * @example
 * ```tsx
 * // Rendered by the server from the handler's data.
 * ```
 */
export default function LessonPage({ data }: PageProps<LessonData>) {
  const { lesson, html, previous, next, solutionNote, code, functionLines, toc } = data;
  return (
    <main id="main" class="lesson with-toc">
      <PageToc entries={toc} />
      <div class="page-body">
        <nav aria-label="Breadcrumb" class="breadcrumb">
          <a href="/">Course map</a> › Lesson {lesson.number}
        </nav>
        <Pager label="Lessons (top)" previous={previous} next={next} top />
        <h1>
          Lesson {lesson.number}: {lesson.title}
        </h1>
        <section class="lesson-meta" aria-labelledby="work-heading">
          <h2 id="work-heading" class="visually-hidden">Your work</h2>
          {data.missingFile ? <MissingFile lesson={lesson} /> : (
            <p>
              Your exercise file:{" "}
              <a href={`/source/${lesson.paths.exercises}`}>
                <code>{lesson.paths.exercises}</code>
              </a>{" "}
              (open it in your editor). Check it with{" "}
              <code>deno task lesson {lesson.number}</code>; the tests are in{" "}
              <a href={`/source/${lesson.paths.test}`}>
                <code>{lesson.paths.test}</code>
              </a>.
            </p>
          )}
          <CheckStatus
            view={data.checks}
            functionLines={functionLines}
            workspace={data.workspace}
          />
          <p>
            <a href="#demo">Jump to the live demo</a>
          </p>
        </section>
        <article class="lesson-text" dangerouslySetInnerHTML={{ __html: html }} />
        {solutionNote && <p class="note">Solutions are not shown: {solutionNote}.</p>}
        <section id="demo" class="demo" aria-labelledby="demo-heading">
          <h2 id="demo-heading">Live demo</h2>
          <LessonDemo number={lesson.number} code={code} />
        </section>
        <Pager label="Lessons" previous={previous} next={next} />
      </div>
    </main>
  );
}

/** The line that replaces "Your exercise file" when the learner's file is not there. */
function MissingFile({ lesson }: { lesson: Lesson }) {
  const note = brokenNote({
    lesson: lesson.number,
    slug: lesson.slug,
    file: lesson.paths.exercises,
    missing: true,
    problem: "",
  });
  return (
    <p class="note broken" role="alert">
      Your exercise file <code>{lesson.paths.exercises}</code> is missing{note.sep}{" "}
      <code>{note.command}</code> {note.tail}.
    </p>
  );
}
