/**
 * The backend choice shared by the terminal (`lib/tf/mod.ts`) and the browser
 * (`lib/tf/browser.ts`): the order in which backends are tried, which WebGPU adapters and WebGL
 * renderers are software ones (`auto` skips them: slower than wasm, see
 * shared/notes/tfjs_backends.md), and the loop that starts the first backend that works and
 * notes why each one before it was skipped.
 *
 * @example
 * ```ts
 * import { backendOrder } from "@lib/tf/choose.ts";
 * backendOrder("auto", ["webgpu", "wasm", "cpu"]); // ["webgpu", "wasm", "cpu"]
 * backendOrder("webgpu", ["webgpu", "wasm", "cpu"]); // ["webgpu", "wasm", "cpu"]: then the fallbacks
 * ```
 * @module
 */

/** A TensorFlow.js backend the course can run on. */
export type BackendName = "webgpu" | "webgl" | "wasm" | "cpu";

/** What a WebGPU adapter says about itself (`GPUAdapterInfo`). */
export interface AdapterInfo {
  /** The vendor. */
  vendor?: string;
  /** The architecture. */
  architecture?: string;
  /** The description (`llvmpipe (LLVM 15.0.6, 256 bits)`). */
  description?: string;
  /** True for a software fallback adapter. */
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader/i;

/**
 * The backends to try for `choice`: `auto`'s own order, or the named backend then the CPU
 * fallbacks (wasm, then cpu).
 *
 * @example
 * ```ts
 * import { backendOrder } from "@lib/tf/choose.ts";
 * backendOrder("cpu", ["webgpu", "wasm", "cpu"]); // ["cpu", "wasm"]
 * ```
 */
export function backendOrder(choice: "auto" | BackendName, auto: BackendName[]): BackendName[] {
  if (choice === "auto") return [...auto];
  return [choice, ...(["wasm", "cpu"] as const).filter((b) => b !== choice)];
}

/**
 * Whether a WebGPU adapter is a software one (Mesa's llvmpipe or lavapipe, SwiftShader).
 *
 * @example
 * ```ts
 * import { isSoftwareAdapter } from "@lib/tf/choose.ts";
 * isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }); // true
 * ```
 */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return info.isFallbackAdapter === true ||
    SOFTWARE.test(`${info.description ?? ""} ${info.architecture ?? ""}`);
}

/**
 * Whether a WebGL renderer string names a software renderer.
 *
 * @example
 * ```ts
 * import { isSoftwareRenderer } from "@lib/tf/choose.ts";
 * isSoftwareRenderer("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))"); // true
 * ```
 */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE.test(renderer) || /software/i.test(renderer);
}

/**
 * Why `auto` skips a software device (one line for the notes).
 *
 * @example
 * ```ts
 * import { softwareSkip } from "@lib/tf/choose.ts";
 * softwareSkip("adapter", "llvmpipe"); // "the only adapter is a software one (llvmpipe), slower than wasm"
 * ```
 */
export function softwareSkip(kind: "adapter" | "renderer", device: string): string {
  return `the only ${kind} is a software one (${device}), slower than wasm`;
}

/** What one try gives: started (with the device, when known), or why not. */
export type TryResult = { ok: true; device?: string } | { ok: false; why: string };

/**
 * Tries `order` in turn with `tryOne` and returns the first backend that starts, the notes of
 * those skipped before it (`webgpu skipped: why`) and its device. Throws when none starts.
 *
 * @example
 * ```ts
 * import { startFirst } from "@lib/tf/choose.ts";
 * const r = await startFirst(["webgpu", "wasm"], async (name) =>
 *   name === "wasm" ? { ok: true } : { ok: false, why: "no adapter" });
 * r; // { name: "wasm", notes: ["webgpu skipped: no adapter"], device: undefined }
 * ```
 */
export async function startFirst<N extends BackendName>(
  order: N[],
  tryOne: (name: N) => Promise<TryResult>,
): Promise<{ name: N; notes: string[]; device?: string }> {
  const notes: string[] = [];
  for (const name of order) {
    let result: TryResult;
    try {
      result = await tryOne(name);
    } catch (error) {
      result = {
        ok: false,
        why: error instanceof Error ? error.message.split("\n")[0] : String(error),
      };
    }
    if (result.ok) return { name, notes, device: result.device };
    notes.push(`${name} skipped: ${result.why}`);
  }
  throw new Error(`No TensorFlow.js backend could start: ${notes.join("; ")}`);
}
