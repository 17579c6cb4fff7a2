/**
 * Imported first by the benchmark's worker (`lessons/06_webgpu/bench_worker.ts`) for the GPU
 * kit's bundle: tfjs-backend-wasm's Emscripten loader looks for its `.wasm` files in
 * `__dirname`, which an ES module bundle does not define. In the bundle (a `.js` file) this sets
 * it to the bundle's own folder, where `lib/bench/gpu_kit.sh` copies the `.wasm` files; run from
 * source (a `.ts` module, the package's own `__dirname` applies) it does nothing.
 *
 * @example
 * ```ts
 * import "@lib/bench/wasm_dirname.ts";
 * ```
 * @module
 */
if (!import.meta.url.endsWith(".ts")) {
  (globalThis as { __dirname?: string }).__dirname ??= new URL(".", import.meta.url).pathname;
}
