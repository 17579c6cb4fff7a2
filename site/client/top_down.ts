/**
 * Lesson 7's part of the demos' engine (see `engine.ts`): a {@linkcode TopDownSession} of the
 * lesson's experiment module (`lessons/07_top_down/experiment.ts`) running lesson 7's exercises
 * from `@exercises/` (the learner's code or the reference, whichever the engine was built
 * with), stepped one matrix at a time so the page can show the probes after each step. The
 * caller starts the backend.
 *
 * @example
 * ```ts
 * const { startSession } = await import("./top_down.ts");
 * const session = startSession("ideal");
 * session.step("wO2").probes.wO2; // about 0.8
 * ```
 * @module
 */
import * as exercises from "@exercises/07_top_down/exercises.ts";
import {
  defaultTopDownSettings,
  TopDownSession,
  type TopDownSettings,
} from "../../lessons/07_top_down/experiment.ts";

/** The page's setting: the lesson's, with fewer sequences so that a step takes seconds. */
export const pageSettings: TopDownSettings = {
  ...defaultTopDownSettings,
  sequences: 128,
  heldOut: 64,
};

/**
 * Samples the sequences and builds the model at zero memories.
 *
 * @example
 * ```ts
 * import { startSession } from "./top_down.ts";
 * const s = startSession("random");
 * s.dim; // 256
 * ```
 */
export function startSession(kind: "ideal" | "random"): TopDownSession {
  return new TopDownSession(exercises, pageSettings, kind);
}
