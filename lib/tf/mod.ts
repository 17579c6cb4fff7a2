/**
 * The one place that chooses the TensorFlow.js backend for the course: this module in Deno,
 * `lib/tf/browser.ts` (its browser entry point, with WebGL) in the site's demos; both take the
 * order, the software-adapter test and the start loop from `lib/tf/choose.ts`.
 *
 * `auto` prefers WebGPU when a hardware adapter exists, then wasm (SIMD, the fastest
 * backend on a CPU), then the pure-JavaScript `cpu` backend. A software WebGPU adapter
 * (Mesa's llvmpipe, SwiftShader) is slower than wasm, so `auto` skips it; ask for
 * `webgpu` explicitly to use it anyway. When a backend cannot start, the next one is
 * tried and the reason is reported in {@linkcode BackendInfo.notes}.
 *
 * @example
 * ```ts
 * import { initBackend } from "@lib/tf/mod.ts";
 * const info = await initBackend("auto");
 * console.log(info.summary); // e.g. "wasm (SIMD); webgpu skipped: ..."
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  backendOrder,
  isSoftwareAdapter,
  softwareSkip,
  startFirst,
  type TryResult,
} from "./choose.ts";

/** The backends a learner can ask for on the command line. */
export const BACKEND_CHOICES = ["auto", "cpu", "wasm", "webgpu"] as const;

/** One of {@linkcode BACKEND_CHOICES}. */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/** What {@linkcode initBackend} started, and why. */
export interface BackendInfo {
  /** The backend that runs: `cpu`, `wasm` or `webgpu`. */
  name: "cpu" | "wasm" | "webgpu";
  /** What was asked for. */
  requested: BackendChoice;
  /** Why a preferred backend was skipped or failed, one line each. */
  notes: string[];
  /** A one-line description: the backend in use, then the notes. */
  summary: string;
}

/**
 * Checks a backend name given by a user and explains the choices when it is wrong.
 *
 * @example
 * ```ts
 * import { parseBackend } from "@lib/tf/mod.ts";
 * parseBackend("wasm"); // "wasm"
 * ```
 */
export function parseBackend(text: string): BackendChoice {
  const name = text.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(name)) return name as BackendChoice;
  throw new Error(
    `Unknown backend "${text}". Choose one of: ${BACKEND_CHOICES.join(", ")}.`,
  );
}

/**
 * The backend named by the environment variable `COURSE_BACKEND`, or `auto`.
 * Reads the variable only when the permission is already granted, so it never prompts.
 *
 * @example
 * ```ts
 * import { backendFromEnv } from "@lib/tf/mod.ts";
 * const choice = backendFromEnv(); // "auto" unless COURSE_BACKEND is set
 * ```
 */
export function backendFromEnv(): BackendChoice {
  const value = readEnv("COURSE_BACKEND");
  return value ? parseBackend(value) : "auto";
}

/**
 * Reads an environment variable when the permission is granted, else returns undefined.
 *
 * @example
 * ```ts
 * import { readEnv } from "@lib/tf/mod.ts";
 * readEnv("HOME"); // a string, or undefined without --allow-env
 * ```
 */
export function readEnv(name: string): string | undefined {
  if (typeof Deno === "undefined") return undefined;
  const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
  return state === "granted" ? Deno.env.get(name) : undefined;
}

let started: BackendInfo | undefined;

/**
 * Starts a backend (once per process; later calls return the first result unless
 * another backend is asked for) and returns what runs.
 *
 * @example
 * ```ts
 * import { initBackend } from "@lib/tf/mod.ts";
 * const { name } = await initBackend("cpu");
 * ```
 */
export async function initBackend(requested: BackendChoice = "auto"): Promise<BackendInfo> {
  if (started && (requested === "auto" || requested === started.name)) return started;
  // The cpu backend greets Node users with an advert for tfjs-node, which cannot install
  // here; production mode keeps the terminal quiet.
  tf.env().set("PROD", true);
  const order = backendOrder(requested, ["webgpu", "wasm", "cpu"]) as BackendInfo["name"][];
  const auto = requested === "auto";
  const { name, notes } = await startFirst(order, (name) => tryStart(name, auto));
  const summary = [name === "wasm" ? "wasm (SIMD)" : name, ...notes].join("; ");
  started = { name, requested, notes, summary };
  return started;
}

async function tryStart(name: BackendInfo["name"], auto: boolean): Promise<TryResult> {
  if (name === "webgpu") {
    const why = await webgpuProblem(auto);
    if (why) return { ok: false, why };
    await import("@tensorflow/tfjs-backend-webgpu");
  }
  if (name === "wasm") {
    if (typeof Deno !== "undefined") {
      const state = Deno.permissions.querySync({ name: "read" }).state;
      if (state !== "granted") {
        return {
          ok: false,
          why: "it needs read access to load its .wasm files (run with --allow-read)",
        };
      }
    }
    await import("@tensorflow/tfjs-backend-wasm");
  }
  if (!await tf.setBackend(name)) return { ok: false, why: "it did not initialise" };
  await tf.ready();
  return { ok: true };
}

async function webgpuProblem(auto: boolean): Promise<string | undefined> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return "this runtime has no WebGPU (navigator.gpu is missing)";
  const adapter = await gpu.requestAdapter();
  if (!adapter) return "no WebGPU adapter (no GPU, or no Vulkan driver installed)";
  if (isSoftwareAdapter(adapter.info) && auto) {
    return softwareSkip("adapter", adapter.info.description);
  }
  return undefined;
}
