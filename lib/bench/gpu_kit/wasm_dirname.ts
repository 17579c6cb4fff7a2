/**
 * Imported first by the GPU kit's bundled worker: tfjs-backend-wasm's Emscripten loader looks
 * for its `.wasm` files in `__dirname`, which an ES module bundle does not define. This sets it
 * to the bundle's own folder, where `lib/bench/gpu_kit.sh` copies the `.wasm` files.
 *
 * @example
 * ```ts
 * import "@lib/bench/gpu_kit/wasm_dirname.ts";
 * ```
 * @module
 */
(globalThis as { __dirname?: string }).__dirname ??= new URL(".", import.meta.url).pathname;
