/**
 * Custom WGSL kernels in TensorFlow.js's WebGPU backend (lesson 6): finding an adapter,
 * registering a program as a tfjs kernel, catching WebGPU's silent errors, and the plain-tfjs
 * composition of causal attention weights that the lesson's fused kernel replaces.
 *
 * @example
 * ```ts
 * import { probeWebGPU } from "@lib/webgpu/mod.ts";
 * const gpu = await probeWebGPU();
 * gpu.available; // true with a GPU or Mesa's software Vulkan driver
 * ```
 * @module
 */
export * from "./adapter.ts";
export * from "./program.ts";
export * from "./causal_softmax.ts";
