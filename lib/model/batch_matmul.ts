/**
 * Batched matrix products `[batch, m, k] @ [batch, k, n]`: the attention's per-sequence
 * products (scores q k^T and the weighted sum of values).
 *
 * Why a module of its own: tfjs's wasm backend sends a matmul to XNNPACK's fast kernel only when
 * the batch is 1 and neither operand is transposed; any rank-3 product runs a plain loop about
 * five times slower, and `tf.slice`/`tf.split` copy the whole input on wasm, so cutting the batch
 * into 2-D pieces with tfjs ops costs more than it saves. On wasm, {@linkcode batchMatMul} runs a
 * registered kernel that calls the backend's own matmul once per batch element on *views* of the
 * operands' memory (no copy), so every piece takes the fast path. Other backends use
 * `tf.matMul`. The kernel has a gradient (written with explicit transposes), so it can be used
 * under autodiff too.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchMatMul } from "@lib/model/batch_matmul.ts";
 * batchMatMul(tf.ones([2, 3, 4]), tf.ones([2, 4, 5])).shape; // [2, 3, 5]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const KERNEL = "CourseBatchMatMulViews";

/** The parts of tfjs-backend-wasm 4.22's backend object this kernel uses. */
interface WasmBackendInternals {
  wasm: {
    cwrap: (name: string, ret: null, args: string[]) => (...args: unknown[]) => void;
    tfjs: {
      registerTensor: (id: number, size: number, offset: number) => void;
      disposeData: (id: number) => void;
    };
  };
  dataIdMap: { get: (dataId: unknown) => { memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput: (shape: number[], dtype: tf.DataType) => tf.TensorInfo;
}

type WasmMatMul = (...args: unknown[]) => void;
const wasmMatMuls = new WeakMap<object, WasmMatMul>();

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** The wasm kernel: one XNNPACK 2-D matmul per batch element, on views of the operands. */
function viewsKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendInternals;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  let matMul = wasmMatMuls.get(backend);
  if (!matMul) {
    // The same C entry point tfjs's own BatchMatMul kernel calls.
    matMul = backend.wasm.cwrap("BatchMatMul", null, [
      "number", // a id
      "array", // a shape
      "number", // a rank
      "number", // b id
      "array", // b shape
      "number", // b rank
      "number", // transpose a
      "number", // transpose b
      "number", // out id
    ]);
    wasmMatMuls.set(backend, matMul);
  }
  const out = backend.makeOutput([batch, m, n], "float32");
  const offsets = [a, b, out].map((t) => backend.dataIdMap.get(t.dataId).memoryOffset);
  const sizes = [m * k, k * n, m * n];
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const { registerTensor, disposeData } = backend.wasm.tfjs;
  for (let i = 0; i < batch; i++) {
    // Register three views (ids the backend never hands out again), multiply, unregister:
    // disposeData on a view frees no memory, it drops the id and XNNPACK's cached operator.
    const ids = sizes.map((size, j) => {
      const id = backend.dataIdNextNumber++;
      registerTensor(id, size, offsets[j] + i * size * 4);
      return id;
    });
    matMul(ids[0], aShape, 3, ids[1], bShape, 3, 0, 0, ids[2]);
    ids.forEach((id) => disposeData(id));
  }
  return out;
}

let registered = false;

function register(): void {
  if (registered) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: "wasm",
    kernelFunc: viewsKernel as tf.KernelFunc,
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as tf.Tensor3D[];
      const g = dy as tf.Tensor3D;
      return {
        a: () => batchMatMul(g, tf.transpose(b, [0, 2, 1])), // dA = dY B^T
        b: () => batchMatMul(tf.transpose(a, [0, 2, 1]), g), // dB = A^T dY
      };
    },
  });
  registered = true;
}

/**
 * `a_i @ b_i` for every i, operands not transposed (transpose them explicitly with
 * `tf.transpose(x, [0, 2, 1])`, which is cheap).
 *
 * @param a `[batch, m, k]` float32.
 * @param b `[batch, k, n]` float32.
 * @returns `[batch, m, n]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchMatMul } from "@lib/model/batch_matmul.ts";
 * batchMatMul(tf.ones([1, 2, 2]), tf.ones([1, 2, 2])).arraySync(); // [[[2, 2], [2, 2]]]
 * ```
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(
      `batchMatMul: expected [batch, m, k] and [batch, k, n], got [${a.shape}] and [${b.shape}]`,
    );
  }
  if (tf.getBackend() !== "wasm" || a.dtype !== "float32" || b.dtype !== "float32") {
    return tf.matMul(a, b);
  }
  register();
  return tf.engine().runKernel(KERNEL, { a, b }, {}) as tf.Tensor3D;
}
