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

/**
 * The wasm fast path's shortcuts, each giving the same bits as the plain computation, all on:
 * `reorient` computes a per-sequence product as the transpose of its transposed product when
 * XNNPACK then packs a smaller operand (segmentMatMul's `packA`); `gatherEmbedding` copies the
 * rows of W_E (lib/model/forward.ts) instead of multiplying by a one-hot matrix; `keepPacked`
 * lets batchMatMul keep a right operand packed for its next product (`keepB`); `shareSaved`
 * saves a custom gradient's tensors without copying them ({@linkcode saveShared});
 * `transposedLayerOne` computes layer 1's products β1 u1 and dS1 x of lib/model/forward.ts
 * transposed, so that XNNPACK packs the 64×64 square rather than the 64×128 rows. Tests switch
 * them off to compare against the plain computation bit for bit; nothing else should.
 *
 * @example
 * ```ts
 * import { shortcuts } from "@lib/model/batch_matmul.ts";
 * shortcuts.reorient; // true
 * ```
 */
export const shortcuts = {
  reorient: true,
  gatherEmbedding: true,
  keepPacked: true,
  shareSaved: true,
  transposedLayerOne: true,
};

const KERNEL = "CourseBatchMatMulViews";
const SEGMENT_KERNEL = "CourseSegmentMatMul";
const COPY_ROWS_KERNEL = "CourseCopyRows";

/** The parts of tfjs-backend-wasm 4.22's backend object this kernel uses. */
interface WasmBackendInternals {
  wasm: {
    HEAPU8: Uint8Array;
    _malloc: (bytes: number) => number;
    _BatchMatMul: (...args: number[]) => void;
    tfjs: {
      registerTensor: (id: number, size: number, offset: number) => void;
      disposeData: (id: number) => void;
    };
  };
  dataIdMap: {
    get: (dataId: unknown) => { memoryOffset: number };
    has: (dataId: unknown) => boolean;
  };
  dataIdNextNumber: number;
  makeOutput: (shape: number[], dtype: tf.DataType) => tf.TensorInfo;
}

/** out `[m, n]` = a `[m, k]` @ b `[k, n]`, operands and output given by their tensor ids. */
type WasmMatMul = (
  aId: number,
  m: number,
  k: number,
  bId: number,
  n: number,
  outId: number,
) => void;
const wasmMatMuls = new WeakMap<object, WasmMatMul>();

/**
 * The backend's C matmul (the entry point tfjs's own BatchMatMul kernel calls), called directly
 * with the two shapes written into a small buffer of the backend's memory, allocated once:
 * through `cwrap` with array arguments (as tfjs calls it) each call cost about 1.5 µs more,
 * which a per-sequence product of the attention pays hundreds of times a step.
 */
function wasmMatMul(backend: WasmBackendInternals): WasmMatMul {
  let matMul = wasmMatMuls.get(backend);
  if (!matMul) {
    const wasm = backend.wasm;
    const at = wasm._malloc(24); // [1, m, k] and [1, k, n] as int32: kept for the backend's life
    let shapes: Int32Array = new Int32Array(0);
    matMul = (aId, m, k, bId, n, outId) => {
      // a new view when the memory has grown (its buffer is replaced)
      if (shapes.buffer !== wasm.HEAPU8.buffer) shapes = new Int32Array(wasm.HEAPU8.buffer, at, 6);
      shapes.set([1, m, k, 1, k, n]);
      wasm._BatchMatMul(aId, at, 3, bId, at + 12, 3, 0, 0, outId);
    };
    wasmMatMuls.set(backend, matMul);
  }
  return matMul;
}

/**
 * One XNNPACK 2-D product on views of the backend's memory: out `[m, n]` = a `[m, k]` @ b
 * `[k, n]`, each operand given by its byte offset. The views get ids the backend never hands
 * out again and are unregistered after: disposeData on a view frees no memory, it drops the id
 * and XNNPACK's cached operator. With `bId`, b is that view, registered and kept by the caller
 * (its operator, with b packed, is used again).
 */
function viewProduct(
  backend: WasmBackendInternals,
  offsets: [number, number, number],
  m: number,
  k: number,
  n: number,
  bId?: number,
): void {
  const { registerTensor, disposeData } = backend.wasm.tfjs;
  const view = (size: number, offset: number) => {
    const id = backend.dataIdNextNumber++;
    registerTensor(id, size, offset);
    return id;
  };
  const ids = [view(m * k, offsets[0]), bId ?? view(k * n, offsets[1]), view(m * n, offsets[2])];
  wasmMatMul(backend)(ids[0], m, k, ids[1], n, ids[2]);
  ids.forEach((id) => id !== bId && disposeData(id));
}

/**
 * Views kept registered across products, by the tensor data they view: data -> "offset,k,n" ->
 * view id. XNNPACK keeps one operator (with its packed copy of the view) per view id, so a
 * right operand multiplied again later is not packed again. A tensor's views are released with
 * its data ({@linkcode releaseWithData}).
 */
const keptViews = new Map<unknown, Map<string, number>>();

/**
 * How many views {@linkcode batchMatMul} keeps registered (`keepB`): each holds an XNNPACK
 * operator with its packed copy of one sequence's right operand, until the tensor is freed.
 *
 * @example
 * ```ts
 * import { keptViewCount } from "@lib/model/batch_matmul.ts";
 * keptViewCount(); // 0 while no tensor multiplied with keepB is alive
 * ```
 */
export function keptViewCount(): number {
  let count = 0;
  for (const views of keptViews.values()) count += views.size;
  return count;
}

/** A wasm backend object, with the method the engine calls to free a tensor's data. */
type Disposing = WasmBackendInternals & {
  disposeData: (dataId: unknown, force?: boolean) => boolean;
};

const releasing = new WeakSet<object>();

/**
 * Makes the backend release a tensor's kept views when it frees the tensor's data: its
 * `disposeData` (which the engine calls when a tensor's last reference goes) is wrapped, once.
 */
function releaseWithData(backend: Disposing): void {
  if (releasing.has(backend)) return;
  releasing.add(backend);
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: unknown, force?: boolean) => {
    const freed = dispose(dataId, force);
    const views = keptViews.get(dataId);
    if (views && !backend.dataIdMap.has(dataId)) {
      views.forEach((id) => backend.wasm.tfjs.disposeData(id));
      keptViews.delete(dataId);
    }
    return freed;
  };
}

/** The view `[k, n]` at byte `offset` of the data `dataId`, registered once and kept. */
function keptView(
  backend: WasmBackendInternals,
  dataId: unknown,
  offset: number,
  k: number,
  n: number,
): number {
  let views = keptViews.get(dataId);
  if (!views) keptViews.set(dataId, views = new Map());
  const key = `${offset},${k},${n}`;
  let id = views.get(key);
  if (id === undefined) {
    id = backend.dataIdNextNumber++;
    backend.wasm.tfjs.registerTensor(id, k * n, offset);
    views.set(key, id);
  }
  return id;
}

/**
 * The wasm kernel: one XNNPACK 2-D matmul per batch element, on views of the operands; with
 * `keepB`, b's views are kept ({@linkcode keptView}).
 */
function viewsKernel(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as Disposing;
  const keepB = Boolean(args.attrs?.keepB);
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const [, m, k] = a.shape;
  const [batch, , n] = b.shape;
  const aStep = a.shape[0] === 1 ? 0 : m * k * 4; // one a for every b: [1, m, k]
  const out = backend.makeOutput([batch, m, n], "float32");
  const [oa, ob, oo] = [a, b, out].map((t) => backend.dataIdMap.get(t.dataId).memoryOffset);
  if (keepB) releaseWithData(backend);
  for (let i = 0; i < batch; i++) {
    const bAt = ob + i * k * n * 4;
    const bId = keepB ? keptView(backend, b.dataId, bAt, k, n) : undefined;
    viewProduct(backend, [oa + i * aStep, bAt, oo + i * m * n * 4], m, k, n, bId);
  }
  return out;
}

/**
 * One product of {@linkcode segmentMatMul}: out `[m, n]` = A `[m, k]` @ B `[k, n]`, each read at
 * an offset (in floats) into its flat operand. With `transposeA`, A is stored as `[k, m]`.
 */
export interface Segment {
  /** Offset of A in `a`. */
  a: number;
  /** Offset of B in `b`. */
  b: number;
  /** Offset of the product in the output. */
  out: number;
  /** Rows of the product. */
  m: number;
  /** The inner dimension (0: the product is zeros). */
  k: number;
  /** Columns of the product. */
  n: number;
}

/** `dst[j·m + i] = src[i·k + j]`: the transpose `[k, m]` of `[m, k]` floats of `heap`. */
function transposeInto(heap: Float32Array, src: number, dst: number, m: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const row = src + i * k;
    for (let j = 0, at = dst + i; j < k; j++, at += m) heap[at] = heap[row + j];
  }
}

/** The wasm kernel of {@linkcode segmentMatMul}. */
function segmentKernel(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as WasmBackendInternals & {
    wasm: { HEAPU8: Uint8Array };
    disposeData: (dataId: unknown) => void;
  };
  const { segments, shape, transposeA, packA } = args.attrs as unknown as SegmentAttrs;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const out = backend.makeOutput(shape, "float32");
  // Scratch, one segment after the other: a transposed copy of A when it is stored the other
  // way round from what the product reads ([m, k] plain, [k, m] with packA), and with packA
  // the transposed product [n, m]
  const copyA = transposeA === packA ? 0 : 1;
  const scratch = segments.reduce(
    (s, g) => s + (g.m * g.k) * copyA + (packA ? g.m * g.n : 0),
    0,
  );
  const temp = scratch > 0 ? backend.makeOutput([scratch], "float32") : undefined;
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  // Views taken after every allocation (a growing memory replaces its buffer)
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [oa, ob, oo] = [a, b, out].map((t) => offset(t) / 4);
  let ot = temp ? offset(temp) / 4 : 0;
  for (const g of segments) {
    if (g.m === 0 || g.n === 0) continue;
    if (g.k === 0) {
      heap.fill(0, oo + g.out, oo + g.out + g.m * g.n);
      continue;
    }
    let aAt = oa + g.a;
    if (copyA) {
      // A stored [k, m] read as [m, k] (plain), or stored [m, k] read as [k, m] (packA)
      if (packA) transposeInto(heap, aAt, ot, g.m, g.k);
      else transposeInto(heap, aAt, ot, g.k, g.m);
      aAt = ot;
      ot += g.m * g.k;
    }
    if (!packA) {
      viewProduct(backend, [4 * aAt, 4 * (ob + g.b), 4 * (oo + g.out)], g.m, g.k, g.n);
      continue;
    }
    // out^T [n, m] = B^T [n, k] @ A^T [k, m]: XNNPACK packs A^T, then out is its transpose
    viewProduct(backend, [4 * (ob + g.b), 4 * aAt, 4 * ot], g.n, g.k, g.m);
    transposeInto(heap, ot, oo + g.out, g.n, g.m);
    ot += g.m * g.n;
  }
  if (temp) backend.disposeData(temp.dataId);
  return out;
}

/** The attributes of the row-copy kernel. */
interface CopyRowsAttrs {
  rows: number;
  from: Int32Array;
  to: Int32Array;
}

/** The wasm kernel of {@linkcode copyRows}: zeros, then one `copyWithin` per row. */
function copyRowsKernel(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as WasmBackendInternals & { wasm: { HEAPU8: Uint8Array } };
  const { rows, from, to } = args.attrs as unknown as CopyRowsAttrs;
  const x = args.inputs.x as tf.TensorInfo;
  const c = x.shape[1];
  const out = backend.makeOutput([rows, c], "float32");
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const [ox, oo] = [x, out].map((t) => backend.dataIdMap.get(t.dataId).memoryOffset / 4);
  heap.fill(0, oo, oo + rows * c);
  for (let i = 0; i < from.length; i++) {
    heap.copyWithin(oo + to[i] * c, ox + from[i] * c, ox + (from[i] + 1) * c);
  }
  return out;
}

/** The attributes of the segment kernel. */
interface SegmentAttrs {
  segments: Segment[];
  shape: number[];
  transposeA: boolean;
  packA: boolean;
}

let registered = false;

function register(): void {
  if (registered) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: "wasm",
    kernelFunc: viewsKernel as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: SEGMENT_KERNEL,
    backendName: "wasm",
    kernelFunc: segmentKernel as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: COPY_ROWS_KERNEL,
    backendName: "wasm",
    kernelFunc: copyRowsKernel as unknown as tf.KernelFunc,
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as tf.Tensor3D[];
      const g = dy as tf.Tensor3D;
      return {
        a: () => {
          const da = batchMatMul(g, tf.transpose(b, [0, 2, 1])); // dA = dY B^T
          return a.shape[0] === 1 && da.shape[0] > 1 ? da.sum(0, true) : da; // one a for all
        },
        b: () => batchMatMul(tf.transpose(a, [0, 2, 1]), g), // dB = A^T dY
      };
    },
  });
  registered = true;
}

/**
 * Per-sequence transposes: rows `[batch*seq, c]` (or `[batch, seq, c]`) to `[batch, c, seq]`.
 * Applied to `[batch, c, seq]` it gives `[batch, seq, c]` back. The attention products' right
 * operands (x_b^T, h1_b^T) are made this way.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { transposePerSequence } from "@lib/model/batch_matmul.ts";
 * transposePerSequence(tf.ones([6, 4]), 2).shape; // [2, 4, 3]
 * ```
 */
export function transposePerSequence(m: tf.Tensor, batch: number): tf.Tensor3D {
  return tf.transpose(m.reshape([batch, -1, m.shape[m.rank - 1]]), [0, 2, 1]);
}

/**
 * `a_i @ b_i` for every i, operands not transposed (transpose them explicitly with
 * `tf.transpose(x, [0, 2, 1])`, which is cheap). An `a` of batch 1 multiplies every `b_i`.
 *
 * With `keepB` (wasm, `shortcuts.keepPacked`), XNNPACK's packed copy of each `b_i` is kept
 * until b is freed, so a later product with the same b (`keepB` again) does not pack it again:
 * for a right operand used twice, e.g. in a forward pass and its backward pass. Same bits.
 *
 * @param a `[batch, m, k]` (or `[1, m, k]`) float32.
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
export function batchMatMul(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  options: { keepB?: boolean } = {},
): tf.Tensor3D {
  const batchOk = a.shape[0] === b.shape[0] || a.shape[0] === 1;
  if (a.rank !== 3 || b.rank !== 3 || !batchOk || a.shape[2] !== b.shape[1]) {
    throw new Error(
      `batchMatMul: expected [batch, m, k] and [batch, k, n], got [${a.shape}] and [${b.shape}]`,
    );
  }
  if (tf.getBackend() !== "wasm" || a.dtype !== "float32" || b.dtype !== "float32") {
    // tiled: tf.matMul broadcasts a, but its gradient does not sum over the batch
    if (a.shape[0] === b.shape[0]) return tf.matMul(a, b);
    return tf.tidy(() => tf.matMul(tf.tile(a, [b.shape[0], 1, 1]), b));
  }
  register();
  const keepB = Boolean(options.keepB) && shortcuts.keepPacked;
  return tf.engine().runKernel(KERNEL, { a, b }, { keepB }) as tf.Tensor3D;
}

/**
 * Many 2-D products of different shapes in one kernel, on the wasm backend only: for each
 * segment, out[g.out..] `[m, n]` = a[g.a..] `[m, k]` @ b[g.b..] `[k, n]` (offsets in floats into
 * the flat operands; with `transposeA`, each A is stored `[k, m]` and transposed first). Each
 * product is one XNNPACK call on views of the operands, so ragged groups of rows (a different
 * number per sequence) cost what their rows cost. Output floats no segment writes are
 * unspecified; a segment with k = 0 writes zeros. No gradient: it serves hand-written backward
 * passes (lib/model/row_groups.ts).
 *
 * With `packA`, each product is computed in the other orientation, out^T `[n, m]` = B^T `[n, k]`
 * @ A^T `[k, m]`, and `b` holds B^T: each segment's B is stored `[n, k]` at its offset. XNNPACK
 * copies (packs) the right operand of every product, which costs more than the product itself
 * at these sizes, so a product with few rows (m < n) is quicker this way: it packs A (m·k
 * floats) instead of B (k·n). Every float of the product is the same dot product summed in the
 * same order, so the result is the same to the last bit (tested in batch_matmul_test.ts).
 *
 * @param shape The output's shape.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { segmentMatMul } from "@lib/model/batch_matmul.ts";
 * // on wasm: rows 0..1 of a times b, and row 2 of a times b
 * const out = segmentMatMul(tf.ones([3, 2]), tf.ones([2, 4]), [3, 4], [
 *   { a: 0, b: 0, out: 0, m: 2, k: 2, n: 4 },
 *   { a: 4, b: 0, out: 8, m: 1, k: 2, n: 4 },
 * ]);
 * ```
 */
export function segmentMatMul(
  a: tf.Tensor,
  b: tf.Tensor,
  shape: number[],
  segments: Segment[],
  options: { transposeA?: boolean; packA?: boolean } = {},
): tf.Tensor {
  if (tf.getBackend() !== "wasm") {
    throw new Error(`segmentMatMul runs on the wasm backend only, not ${tf.getBackend()}`);
  }
  const [na, nb, nout] = [a.size, b.size, shape.reduce((x, y) => x * y, 1)];
  for (const g of segments) {
    if (g.a + g.m * g.k > na || g.b + g.k * g.n > nb || g.out + g.m * g.n > nout) {
      throw new Error(`segmentMatMul: segment ${JSON.stringify(g)} reaches past its operands`);
    }
  }
  register();
  const attrs: SegmentAttrs = {
    segments,
    shape,
    transposeA: options.transposeA ?? false,
    packA: options.packA ?? false,
  };
  return tf.engine().runKernel(
    SEGMENT_KERNEL,
    { a, b },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor;
}

/**
 * A `[rows, c]` matrix of zeros with row `to[i]` set to row `from[i]` of `x` `[n, c]`: a gather
 * (`to` = 0, 1, ...) or a scatter (`from` = 0, 1, ...) of rows. On wasm one memory copy per
 * row, many times quicker than wasm's `tf.gather`; elsewhere `tf.gather` from `x` with a zero
 * row appended. No gradient (it serves hand-written backward passes).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { copyRows } from "@lib/model/batch_matmul.ts";
 * const x = tf.tensor2d([[1], [2]]);
 * copyRows(x, 3, [1, 0], [0, 2]).arraySync(); // [[2], [0], [1]]
 * ```
 */
export function copyRows(
  x: tf.Tensor2D,
  rows: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
): tf.Tensor2D {
  const [n, c] = x.shape;
  if (from.length !== to.length) {
    throw new Error(`copyRows: ${from.length} source rows for ${to.length} destinations`);
  }
  for (let i = 0; i < from.length; i++) {
    if (!(from[i] >= 0 && from[i] < n && to[i] >= 0 && to[i] < rows)) {
      throw new Error(`copyRows: row ${from[i]} -> ${to[i]} is outside [${n}] -> [${rows}]`);
    }
  }
  if (tf.getBackend() !== "wasm" || x.dtype !== "float32") {
    return tf.tidy(() => {
      const index = new Int32Array(rows).fill(n); // row n: the appended zero row
      for (let i = 0; i < from.length; i++) index[to[i]] = from[i];
      const withZero = tf.concat([x, tf.zeros([1, c], x.dtype)]);
      return tf.gather(withZero, tf.tensor1d(index, "int32")) as tf.Tensor2D;
    });
  }
  register();
  const attrs: CopyRowsAttrs = { rows, from: Int32Array.from(from), to: Int32Array.from(to) };
  return tf.engine().runKernel(
    COPY_ROWS_KERNEL,
    { x },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor2D;
}

/** wasm's Identity as wasm's Reshape does it: the output shares the input's data. */
function shareData(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as { incRef: (dataId: unknown) => void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * `save(tensors)` of a `tf.customGrad` function, without its copies on wasm. tfjs saves a clone
 * of each tensor for the backward pass, and wasm's clone (its Identity kernel) copies the data:
 * megabytes per training step. With `shortcuts.shareSaved`, wasm's Identity is swapped for the
 * length of the call for one that shares the data, as wasm's own reshape does (the backend
 * counts the references to each data). Same values, and the saved tensors keep their data's
 * identity, so what batchMatMul keeps packed for them (`keepB`) is found again in the backward
 * pass. Elsewhere, plain `save(tensors)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { saveShared } from "@lib/model/batch_matmul.ts";
 * const square = tf.customGrad((x, save) => {
 *   saveShared(save as tf.GradSaveFunc, [x as tf.Tensor]);
 *   return { value: (x as tf.Tensor).square(), gradFunc: (dy, [s]) => dy.mul(s).mul(2) };
 * });
 * ```
 */
export function saveShared(save: tf.GradSaveFunc, tensors: tf.Tensor[]): void {
  const identity = tf.getKernel("Identity", "wasm");
  if (tf.getBackend() !== "wasm" || !shortcuts.shareSaved || !identity) return save(tensors);
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    kernelName: "Identity",
    backendName: "wasm",
    kernelFunc: shareData as tf.KernelFunc,
  });
  try {
    save(tensors);
  } finally {
    tf.unregisterKernel("Identity", "wasm");
    tf.registerKernel(identity);
  }
}
