/**
 * Lesson 7's demo engine, loaded when the demo starts: a {@linkcode TopDownSession} of the
 * lesson's experiment module (`lessons/07_top_down/experiment.ts`) running the lesson's reference
 * code, stepped one matrix at a time so the page can show the probes after each step.
 *
 * @example
 * ```ts
 * const { startSession } = await import("./top_down.ts");
 * const session = await startSession("ideal");
 * session.step("wO2").probes.wO2; // about 0.8
 * ```
 * @module
 */
import * as reference from "@exercises/07_top_down/exercises.ts";
import {
  defaultTopDownSettings,
  TopDownSession,
  type TopDownSettings,
} from "../../lessons/07_top_down/experiment.ts";
import { startBackend } from "./tf.ts";

/** The page's setting: the lesson's, with fewer sequences so that a step takes seconds. */
export const pageSettings: TopDownSettings = {
  ...defaultTopDownSettings,
  sequences: 128,
  heldOut: 64,
};

let backend: string | undefined;

/**
 * Starts TensorFlow.js (wasm) once, samples the sequences and builds the model at zero memories.
 *
 * @example
 * ```ts
 * import { startSession } from "./top_down.ts";
 * const s = await startSession("random");
 * s.dim; // 256
 * ```
 */
export async function startSession(kind: "ideal" | "random"): Promise<TopDownSession> {
  backend ??= (await startBackend("wasm")).name;
  return new TopDownSession(reference, pageSettings, kind);
}

/**
 * The backend in use (after {@linkcode startSession}).
 *
 * @example
 * ```ts
 * import { backendName } from "./top_down.ts";
 * backendName(); // "wasm"
 * ```
 */
export function backendName(): string {
  return backend ?? "not started";
}
