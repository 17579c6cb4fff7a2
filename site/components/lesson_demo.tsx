/**
 * The live demo of a lesson: the island that belongs to the lesson's number, or a "coming
 * soon" note when the lesson has none yet. Each island shows its text and controls without
 * JavaScript and loads TensorFlow.js only when its demo starts.
 *
 * @example
 * ```tsx
 * import { LessonDemo } from "./lesson_demo.tsx";
 * <LessonDemo number={1} code={{ source: "learner", exercises: {} }} />;
 * ```
 * @module
 */
import type { ComponentType } from "preact";
import { MatrixText } from "./matrix_name.tsx";
import type { Lesson } from "@lib/course/lessons.ts";
import type { CodeProps, CodeSource, ExerciseRef } from "./use_experiment.tsx";
import PrimerDemo from "../islands/primer_demo.tsx";
import BigramDemo from "../islands/bigram_demo.tsx";
import AttentionDemo from "../islands/attention_demo.tsx";
import MemoryDemo from "../islands/memory_demo.tsx";
import InductionDemo from "../islands/induction_demo.tsx";
import TrainDemo from "../islands/train_demo.tsx";
import TopDownDemo from "../islands/top_down_demo.tsx";
import DataDemo from "../islands/data_demo.tsx";
import BeyondDemo from "../islands/beyond_demo.tsx";

/** The demo island of each lesson, by number. */
// deno-lint-ignore no-explicit-any
export const DEMOS: Record<number, { island: ComponentType<any>; props?: object; about: string }> =
  {
    0: {
      island: PrimerDemo,
      about: "Gradient descent in your browser with applyToRows and sgdStep: the loss at each " +
        "learning rate, the tensor count staying flat, and what a leaky function leaves.",
    },
    1: {
      island: BigramDemo,
      about: "Sample sequences from the bigram task with triggers, next to the bigram table.",
    },
    2: {
      island: AttentionDemo,
      about:
        "The attention map of a hand-built previous-token head, as the width d and the length T vary.",
    },
    3: {
      island: MemoryDemo,
      about:
        "How many pairs an associative memory of width d can store: recall plotted as it is measured.",
    },
    4: {
      island: InductionDemo,
      about:
        "The induction transformer wired by hand: type or sample a sequence, see both layers' " +
        "attention and the prediction at each position.",
    },
    5: {
      island: TrainDemo,
      props: { mode: "train" },
      about: "Train the model in your browser and watch the induction head being born: losses, " +
        "in-context accuracy, the memory-recall probes and the attention maps, live.",
    },
    6: {
      island: TrainDemo,
      props: { mode: "backends" },
      about:
        "The same training on the fastest backend your browser has (WebGPU, then WebGL, then " +
        "wasm), with the backend in use and the time per step. On wasm or cpu, with more than " +
        "one core, it trains data-parallel in 1 to 4 Web Workers, your choice (Exercise 6.6).",
    },
    7: {
      island: TopDownDemo,
      about: "Step through the top-down gradient steps on W_O², W_K² and W_K¹, in any order, " +
        "in the ideal model or with random embeddings, and watch the three probes after each step.",
    },
    8: {
      island: DataDemo,
      about:
        "Pick a data setting and see what its sequences are made of, live; train a small model " +
        "on it in the page (150 steps); browse the cached sweep (steps to 50% and 90% " +
        "in-context accuracy) and the out-of-distribution runs.",
    },
    9: {
      island: BeyondDemo,
      about: "Pick a variant of the model (one layer, a freezing schedule, the loss on all " +
        "targets with W_F, learned embeddings, the full transformer) and watch it train in " +
        "your browser: accuracy, probes, and the induction score of each head.",
    },
  };

/**
 * What the islands are told about the code they run: the source they start with and every
 * exercise function of the course, so that a demo stopped by a stub names its exercise.
 *
 * @example
 * ```ts
 * import { codeProps } from "./lesson_demo.tsx";
 * codeProps([], "learner"); // { source: "learner", exercises: {} }
 * ```
 */
export function codeProps(lessons: Lesson[], source: CodeSource): CodeProps {
  const exercises: Record<string, ExerciseRef> = {};
  for (const lesson of lessons) {
    for (const e of lesson.exercises) {
      for (const fn of e.functions) {
        exercises[fn] = { lesson: lesson.number, id: e.id, title: e.title, anchor: e.anchor };
      }
    }
  }
  return { source, exercises };
}

/** Lessons whose demo is planned but not written yet. */
export const PLANNED: Record<number, string> = {};

/**
 * The demo, with a line saying what it does and a note for readers without JavaScript.
 *
 * @example
 * ```tsx
 * import { LessonDemo } from "./lesson_demo.tsx";
 * <LessonDemo number={10} code={{ source: "learner", exercises: {} }} />; // "coming soon"
 * ```
 */
export function LessonDemo({ number, code }: { number: number; code: CodeProps }) {
  const demo = DEMOS[number];
  if (!demo) {
    return (
      <p class="note coming-soon">
        Coming soon: {PLANNED[number] ?? "this lesson's live demo is not written yet"}. Meanwhile,
        {" "}
        <code>deno task demo {number}</code> runs the lesson's demo in the terminal.
      </p>
    );
  }
  const Island = demo.island;
  return (
    <>
      <p>
        <MatrixText text={demo.about} />
      </p>
      <noscript>
        <p class="note">
          This demo runs in your browser and needs JavaScript; the lesson text does not.
        </p>
      </noscript>
      <Island {...(demo.props ?? {})} code={{ ...code, lesson: number }} />
    </>
  );
}
