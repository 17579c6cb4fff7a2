/**
 * Is there a WebGPU adapter, and is it a real GPU? Tests and the benchmark ask this before they
 * run a WGSL kernel, so that a machine without one says so instead of passing silently.
 *
 * On a machine without a GPU, Debian's `mesa-vulkan-drivers` gives Deno a software adapter
 * ("llvmpipe"): WebGPU then works, slowly, on the CPU. Mesa warns about `XDG_RUNTIME_DIR` unless
 * that variable names a private folder; the course's runners set one.
 *
 * `COURSE_WEBGPU=off` in the environment makes {@linkcode probeWebGPU} report no adapter, to try
 * the fallback paths on a machine that has one.
 *
 * @example
 * ```ts
 * import { probeWebGPU } from "@lib/webgpu/adapter.ts";
 * const gpu = await probeWebGPU();
 * console.log(gpu.available ? gpu.description : gpu.reason);
 * ```
 * @module
 */

import { readEnv } from "@lib/tf/mod.ts";

/** What {@linkcode probeWebGPU} found. */
export interface WebGPUStatus {
  /** An adapter exists: WGSL kernels can run. */
  available: boolean;
  /** The adapter's description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"; "" without one. */
  description: string;
  /** A software rasteriser (llvmpipe, lavapipe, SwiftShader) rather than a GPU. */
  software: boolean;
  /** Why there is no adapter (only when `available` is false). */
  reason?: string;
}

let cached: Promise<WebGPUStatus> | undefined;

/**
 * Looks for a WebGPU adapter once per process.
 *
 * @example
 * ```ts
 * import { probeWebGPU } from "@lib/webgpu/adapter.ts";
 * const { available, software } = await probeWebGPU();
 * ```
 */
export function probeWebGPU(): Promise<WebGPUStatus> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<WebGPUStatus> {
  if (readEnv("COURSE_WEBGPU")?.toLowerCase() === "off") {
    return absent("WebGPU switched off by COURSE_WEBGPU=off");
  }
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) {
    return absent("this runtime has no WebGPU (navigator.gpu is missing)");
  }
  await quietMesa(); // before the Vulkan loader starts, which reads XDG_RUNTIME_DIR once
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return absent(`requestAdapter() failed: ${(error as Error).message}`);
  }
  if (!adapter) {
    return absent(
      "no WebGPU adapter: no GPU and no Vulkan driver (on Debian/Ubuntu, " +
        "`apt-get install mesa-vulkan-drivers libvulkan1` gives a software one)",
    );
  }
  const info = adapter.info;
  const description = info.description || info.device || info.vendor || "unknown adapter";
  const software = info.isFallbackAdapter ||
    /llvmpipe|lavapipe|swiftshader|software/i.test(description);
  return { available: true, description, software };
}

function absent(reason: string): WebGPUStatus {
  return { available: false, description: "", software: false, reason };
}

/**
 * The line a test prints when it runs its fallback because no adapter exists: what was not
 * checked, and how to get an adapter.
 *
 * @example
 * ```ts
 * import { fallbackNotice } from "@lib/webgpu/adapter.ts";
 * fallbackNotice("the WGSL kernel", "no WebGPU adapter");
 * // "FALLBACK (no WebGPU adapter): NOT run here: the WGSL kernel. ..."
 * ```
 */
export function fallbackNotice(what: string, reason: string): string {
  return `FALLBACK (${reason}): NOT run here: ${what}. Only the fallback path was checked; ` +
    `install Mesa's Vulkan driver (mesa-vulkan-drivers) or use a GPU to run it.`;
}

/**
 * Points `XDG_RUNTIME_DIR` at a private folder (`.course/runtime`) when it is not set, so that
 * Mesa's software driver does not print "XDG_RUNTIME_DIR is invalid". Call it before the first
 * adapter request; it needs env and write permissions and does nothing without them.
 *
 * @example
 * ```ts
 * import { quietMesa } from "@lib/webgpu/adapter.ts";
 * await quietMesa();
 * ```
 */
export async function quietMesa(root = Deno.cwd()): Promise<void> {
  if (readEnv("XDG_RUNTIME_DIR") !== undefined) return;
  if (
    Deno.permissions.querySync({ name: "env", variable: "XDG_RUNTIME_DIR" }).state !== "granted"
  ) {
    return;
  }
  const dir = `${root}/.course/runtime`;
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch {
    // no write permission: Mesa will just print its warning
  }
}
