/// <reference lib="dom" />
/**
 * The browser entry point of the course's backend choice (`lib/tf/mod.ts` is the Deno one; both
 * share `lib/tf/choose.ts`): TensorFlow.js in the page, loaded only when a demo starts (the
 * site's islands `import()` it through `site/client/tf.ts`), with the backend a demo asks for.
 * `auto` tries WebGPU, then WebGL, then wasm, then the plain-JavaScript `cpu` backend; a
 * software WebGPU adapter or WebGL renderer (SwiftShader, llvmpipe: a machine without a usable
 * GPU) is skipped by `auto` because it is far slower than wasm (see
 * shared/notes/tfjs_backends.md). Asking for a backend by name always tries it. The wasm
 * backend's `.wasm` files are served by the site from the installed npm package
 * (`/_vendor/tfjs-wasm/`), so nothing is fetched from the internet.
 *
 * @example
 * ```ts
 * const { startBackend } = await import("@lib/tf/browser.ts");
 * const info = await startBackend("auto"); // { name: "webgl", notes: ["webgpu skipped: ..."] }
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type AdapterInfo,
  backendOrder,
  isSoftwareAdapter,
  isSoftwareRenderer,
  softwareSkip,
  startFirst,
  type TryResult,
} from "./choose.ts";

export { tf };

/** The backends a demo can ask for. */
export type BackendChoice = "auto" | "webgpu" | "webgl" | "wasm" | "cpu";

/** What {@linkcode startBackend} started, and why the preferred ones were skipped. */
export interface BackendInfo {
  /** The backend in use. */
  name: "webgpu" | "webgl" | "wasm" | "cpu";
  /** One line per backend skipped or failed. */
  notes: string[];
  /** The GPU adapter or renderer, when known. */
  device?: string;
}

/** Where the site serves `@tensorflow/tfjs-backend-wasm/dist/*.wasm`. */
export const WASM_PATH = "/_vendor/tfjs-wasm/";

let current: { choice: BackendChoice; info: Promise<BackendInfo> } | undefined;

/**
 * Starts the asked-for backend (or the next that works) and returns what runs. Calls are
 * serialised and a repeated choice returns the same start, so two parts of a page that ask at
 * once never initialise a backend twice (tfjs runs kernels on a half-switched engine then).
 * Switching backends is allowed; tensors made on the old one should be disposed first.
 *
 * @example
 * ```ts
 * import { startBackend } from "@lib/tf/browser.ts";
 * await startBackend("wasm");
 * ```
 */
export function startBackend(choice: BackendChoice): Promise<BackendInfo> {
  if (current?.choice === choice) return current.info;
  const previous = current?.info.catch(() => undefined);
  const info = (async () => {
    await previous;
    return await start(choice);
  })();
  current = { choice, info };
  info.catch(() => {
    if (current?.info === info) current = undefined; // let a later call try again
  });
  return info;
}

async function start(choice: BackendChoice): Promise<BackendInfo> {
  tf.env().set("PROD", true);
  const order = backendOrder(choice, ["webgpu", "webgl", "wasm", "cpu"]);
  return await startFirst(order, (name) => tryBackend(name, choice === "auto"));
}

let wasmPathSet = false;

async function tryBackend(name: BackendInfo["name"], auto: boolean): Promise<TryResult> {
  let device: string | undefined;
  if (name === "webgpu") {
    const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
    if (!gpu) return { ok: false, why: "this browser has no WebGPU (navigator.gpu is missing)" };
    const info = await adapterInfo(gpu);
    if (!info) return { ok: false, why: "no WebGPU adapter" };
    device = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") ||
      "unknown adapter";
    if (isSoftwareAdapter(info) && auto) return { ok: false, why: softwareSkip("adapter", device) };
    await import("@tensorflow/tfjs-backend-webgpu");
  }
  if (name === "webgl") {
    device = webglRenderer();
    if (!device) return { ok: false, why: "this browser has no WebGL2" };
    if (auto && isSoftwareRenderer(device)) {
      return { ok: false, why: softwareSkip("renderer", device) };
    }
  }
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // From the origin: a Worker started from a blob: URL has no path to resolve against.
    if (!wasmPathSet) wasm.setWasmPaths(new URL(WASM_PATH, globalThis.location.origin).href);
    wasmPathSet = true;
  }
  if (!await tf.setBackend(name)) return { ok: false, why: "it did not initialise" };
  await tf.ready();
  return { ok: true, device };
}

let adapterProbe: Promise<AdapterInfo | null> | undefined;

/**
 * The WebGPU adapter's description, or null when there is none, asked once per page. Chromium
 * itself logs the console warning "No available adapters." each time `requestAdapter()` finds
 * none (page code cannot stop it), so a page that starts `auto` again does not ask again. Only
 * the description is kept; tfjs's WebGPU backend requests its own adapter and device.
 */
function adapterInfo(gpu: GpuLike): Promise<AdapterInfo | null> {
  adapterProbe ??= gpu.requestAdapter().then((adapter) => adapter ? adapter.info ?? {} : null);
  adapterProbe.catch(() => {
    adapterProbe = undefined; // a failed request may be retried
  });
  return adapterProbe;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: AdapterInfo } | null>;
}

function webglRenderer(): string | undefined {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return undefined;
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return renderer;
  } catch {
    return undefined;
  }
}
