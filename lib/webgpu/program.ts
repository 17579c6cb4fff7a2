/**
 * Running your own WGSL compute shader inside TensorFlow.js's WebGPU backend.
 *
 * tfjs-backend-webgpu turns a {@linkcode WebGPUProgram} into a shader: it declares the output
 * buffer `result`, one read-only buffer per name in `variableNames` (so `q` and `k` become
 * `q[i]` and `k[i]`), a `uniforms` struct with every input's shape (`uniforms.qShape`, an
 * `vec3<i32>` for a 3-D input) and the output's (`uniforms.outShape`), and the built-ins
 * `localId`, `workgroupId` and `globalId`. Your `getUserCode()` supplies `fn main()`; the
 * backend launches `dispatch` workgroups of `workgroupSize` invocations each.
 *
 * This module registers such a program as a named tfjs kernel for the `webgpu` backend
 * (`tf.registerKernel`), so that `tf.engine().runKernel(name, inputs)` runs it like any built-in
 * op, and it turns WebGPU's silent validation errors into exceptions.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerWebGPUKernel, runKernel } from "@lib/webgpu/program.ts";
 * registerWebGPUKernel("Double", ({ x }) => ({
 *   variableNames: ["x"], outputShape: x.shape, shaderKey: "double",
 *   dispatchLayout: { x: [0] }, dispatch: [Math.ceil(x.shape[0] / 64), 1, 1],
 *   workgroupSize: [64, 1, 1], size: true,
 *   getUserCode: () => `fn main(index: i32) { if (index < uniforms.size) { result[index] = 2.0 * x[index]; } }`,
 * }));
 * // on the webgpu backend: runKernel("Double", { x: tf.tensor1d([1, 2]) }) is [2, 4]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

export type { WebGPUBackend, WebGPUProgram };

/** The shape and dtype of one input, as a program factory sees it. */
export interface InputInfo {
  /** The input's shape. */
  shape: number[];
  /** Its dtype. */
  dtype: tf.DataType;
}

/** Builds the program for the kernel's named inputs (e.g. `{ q, k }`) and attributes. */
export type ProgramFactory = (
  inputs: Record<string, InputInfo>,
  attrs: Record<string, unknown>,
) => WebGPUProgram;

/**
 * The running WebGPU backend, or a clear error when another backend is active.
 *
 * @example
 * ```ts
 * import { activeWebGPUBackend } from "@lib/webgpu/program.ts";
 * // after `await initBackend("webgpu")`: activeWebGPUBackend().device is the GPUDevice
 * ```
 */
export function activeWebGPUBackend(): WebGPUBackend {
  if (tf.getBackend() !== "webgpu") {
    throw new Error(
      `a WebGPU kernel needs the webgpu backend, but "${tf.getBackend()}" is active ` +
        `(start it with \`await initBackend("webgpu")\` from @lib/tf/mod.ts)`,
    );
  }
  return tf.backend() as unknown as WebGPUBackend;
}

/**
 * Registers `makeProgram` as the `webgpu` kernel `kernelName` (replacing an earlier
 * registration). Inputs are passed to the program in the order of its `variableNames`.
 *
 * @example
 * ```ts
 * import { registerWebGPUKernel } from "@lib/webgpu/program.ts";
 * // registerWebGPUKernel("MyOp", ({ a, b }) => myProgram(a.shape, b.shape));
 * ```
 */
export function registerWebGPUKernel(kernelName: string, makeProgram: ProgramFactory): void {
  if (tf.getKernel(kernelName, "webgpu")) tf.unregisterKernel(kernelName, "webgpu");
  tf.registerKernel({
    kernelName,
    backendName: "webgpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const named = inputs as Record<string, tf.TensorInfo>;
      const program = makeProgram(
        Object.fromEntries(
          Object.entries(named).map(([name, t]) => [name, { shape: t.shape, dtype: t.dtype }]),
        ),
        (attrs ?? {}) as Record<string, unknown>,
      );
      const ordered = program.variableNames.map((name) => {
        const input = named[name];
        if (!input) {
          throw new Error(
            `${kernelName}: the program reads "${name}" but the kernel was given ` +
              `${Object.keys(named).join(", ")}. Name variableNames after the inputs.`,
          );
        }
        return input;
      });
      return (backend as WebGPUBackend).runWebGPUProgram(program, ordered, "float32");
    },
  });
}

/**
 * Runs a registered kernel on named inputs (and attributes, passed to its program factory) and
 * returns its output as a tensor (recorded by tfjs like a built-in op: `tf.tidy` frees it,
 * `tf.profile` counts it).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { runKernel } from "@lib/webgpu/program.ts";
 * // const y = runKernel<tf.Tensor1D>("Double", { x: tf.tensor1d([1, 2]) });
 * ```
 */
export function runKernel<T extends tf.Tensor>(
  kernelName: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, number | string | boolean> = {},
): T {
  return tf.engine().runKernel<T>(kernelName, inputs as tf.NamedTensorMap, attrs);
}

/**
 * Runs `fn` with WebGPU error scopes open and throws the first validation, out-of-memory or
 * internal error the device reports. Without this, an invalid shader or dispatch only prints a
 * warning (or nothing) and every kernel in the same command buffer silently writes zeros.
 * On another backend, it just runs `fn`.
 *
 * @example
 * ```ts
 * import { withGpuErrors } from "@lib/webgpu/program.ts";
 * // const values = await withGpuErrors(async () => await myOp(q, k).data());
 * ```
 */
export async function withGpuErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  if (tf.getBackend() !== "webgpu") return await fn();
  const device = activeWebGPUBackend().device;
  const filters: GPUErrorFilter[] = ["validation", "out-of-memory", "internal"];
  for (const f of filters) device.pushErrorScope(f);
  let value: T | undefined;
  let failure: { error: unknown } | undefined;
  try {
    value = await fn();
  } catch (error) {
    failure = { error };
  }
  // Flush tfjs's pending commands so that their errors land in these scopes.
  const backend = activeWebGPUBackend();
  backend.endComputePassEncoder();
  backend.ensureCommandEncoderReady();
  backend.submitQueue();
  const errors = [];
  for (let i = 0; i < filters.length; i++) errors.push(await device.popErrorScope());
  const gpuError = errors.find((e) => e !== null);
  // A device error usually explains an exception of `fn` too, so it comes first.
  if (gpuError) throw new Error(explainGpuError(gpuError.message));
  if (failure) throw failure.error;
  return value as T;
}

/**
 * A WebGPU error message with a hint for the mistakes a first kernel usually makes.
 *
 * @example
 * ```ts
 * import { explainGpuError } from "@lib/webgpu/program.ts";
 * explainGpuError("Number of bindings in bind group descriptor (4) does not match ... (3)");
 * ```
 */
export function explainGpuError(message: string): string {
  // A WGSL syntax error (naga's report: the message, then a frame with `wgsl:LINE:COL` and the
  // line's text). The frame is folded into one line, since the course shows one paragraph.
  const parse = message.match(
    /Shader '([^']*)' parsing error: ([^\n]*)[\s\S]*?wgsl:(\d+):(\d+)[\s\S]*?\n\s*\d+\s*│([^\n]*)/,
  );
  if (parse) {
    const [, label, what, line, col, text] = parse;
    return `WebGPU error: your WGSL does not parse: ${what.trim()}, at line ${line}, column ` +
      `${col} of the generated shader, on the line \`${text.trim()}\`. (tfjs adds its own ` +
      `header before your \`getUserCode()\` text, so search your code for that line; ` +
      `"${label}" is the name tfjs gave the program: its class name, or "Object" for an object ` +
      `literal.)`;
  }
  let hint = "";
  if (/Number of bindings|bind group layout/i.test(message)) {
    hint = " Hint: WebGPU drops bindings the shader never reads, and tfjs always binds every " +
      "input and the uniforms: read each input and `uniforms` (e.g. `uniforms.outShape`) at " +
      "least once.";
  } else if (/workgroup storage|WorkgroupStorageSize/i.test(message)) {
    hint = " Hint: var<workgroup> arrays may use at most 16 KiB in total.";
  } else if (/Dispatch|workgroups per dimension/i.test(message)) {
    hint = " Hint: each dispatch dimension may have at most 65535 workgroups.";
  }
  return `WebGPU error: ${message.trim()}${hint}`;
}
