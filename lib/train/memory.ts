/**
 * Will a training configuration fit? A lower bound on the memory one step needs (parameters,
 * optimizer state and gradients, plus the activations no step can do without), checked against
 * what the backend has, before anything is allocated: a run too big for the machine stops with
 * one line instead of a RangeError or an endless batch draw.
 *
 * @example
 * ```ts
 * import { memoryNeed, memoryProblem } from "@lib/train/memory.ts";
 * import { presets, withOverrides } from "@lib/train/config.ts";
 * memoryNeed(presets.cpu).bytes; // about 0.1 GB
 * memoryProblem(withOverrides(presets.cpu, { model: { dim: 1_000_000 } }), {
 *   backend: "wasm",
 *   bytes: 4 * 2 ** 30,
 * }); // "... needs at least 12 TB ..."
 * ```
 * @module
 */
import { hasParam, PARAM_NAMES, paramShape } from "@lib/model/mod.ts";
import type { TrainConfig } from "./config.ts";

/** A lower bound on what one training step of a configuration holds in memory. */
export interface MemoryNeed {
  /** Bytes in all (float32). */
  bytes: number;
  /** The largest single tensor, in bytes. */
  largestBytes: number;
  /** What that tensor is, e.g. `attention scores [B, T, T]`. */
  largest: string;
}

/**
 * A lower bound on the memory of one step of `config`: every parameter, its gradient and
 * optimizer state (1 slot for SGD, 2 for AdamW), the one-hot inputs and logits `[B, T, N]`
 * (twice: logits and their softmax, plus the inputs), three `[B, T, d]` hidden states and both
 * layers' scores and attention `[B, T, T]`. The real peak is higher (the backward pass).
 *
 * @example
 * ```ts
 * import { memoryNeed } from "@lib/train/memory.ts";
 * import { presets } from "@lib/train/config.ts";
 * memoryNeed(presets.paper).largest; // "attention scores [B, T, T]"
 * ```
 */
export function memoryNeed(config: TrainConfig): MemoryNeed {
  const m = config.model;
  const trainable = new Set<string>(m.trainable);
  const slots = config.optimizer.kind === "adamw" ? 2 : 1;
  let params = 0;
  let largest = { floats: 0, what: "" };
  const consider = (floats: number, what: string) => {
    if (floats > largest.floats) largest = { floats, what };
  };
  for (const name of PARAM_NAMES) {
    if (!hasParam(name, m)) continue;
    const [rows, cols] = paramShape(name, m);
    params += rows * cols * (trainable.has(name) ? 2 + slots : 1);
    consider(rows * cols, `${name} [${rows}, ${cols}]`);
  }
  const rows = config.batchSize * config.data.seqLen;
  const t = config.data.seqLen;
  const activations = 3 * rows * m.vocabSize + 3 * rows * m.dim + 4 * rows * t;
  consider(rows * m.vocabSize, "logits [B, T, N]");
  consider(rows * m.dim, "hidden states [B, T, d]");
  consider(rows * t, "attention scores [B, T, T]");
  return {
    bytes: 4 * (params + activations),
    largestBytes: 4 * largest.floats,
    largest: largest.what,
  };
}

/** What a backend can hold: in all, and in one tensor (either may be unknown). */
export interface MemoryLimit {
  /** The backend's name, for the message. */
  backend: string;
  /** Bytes in all. */
  bytes?: number;
  /** Bytes in one tensor (a WebGPU buffer). */
  largestBytes?: number;
  /** Where the limit comes from, for the message. */
  source?: string;
}

/**
 * The memory a backend has: `wasm` its 4 GiB heap (and the machine's free memory if less),
 * `cpu` the machine's free memory, `webgpu` the adapter's largest buffer (`device`, when given)
 * and the machine's free memory for the data.
 *
 * @example
 * ```ts
 * import { backendMemory } from "@lib/train/memory.ts";
 * backendMemory("wasm").bytes! <= 4 * 2 ** 30; // true
 * ```
 */
export function backendMemory(
  backend: string,
  device?: { limits?: { maxBufferSize?: number } },
): MemoryLimit {
  let free: number | undefined;
  try {
    free = Deno.systemMemoryInfo().available;
  } catch { /* not available: no total */ }
  if (backend === "wasm") {
    const heap = 4294901760; // tfjs-backend-wasm's maximum heap (wasm32)
    return free !== undefined && free < heap
      ? { backend, bytes: free, source: "the machine's free memory" }
      : { backend, bytes: heap, source: "its 4 GiB heap" };
  }
  if (backend === "webgpu") {
    return {
      backend,
      bytes: free,
      largestBytes: device?.limits?.maxBufferSize,
      source: "the adapter's largest buffer",
    };
  }
  return { backend, bytes: free, source: "the machine's free memory" };
}

/**
 * Why `config` cannot fit `limit`, in one line, or `undefined` when it may fit.
 *
 * @example
 * ```ts
 * import { memoryProblem } from "@lib/train/memory.ts";
 * import { presets } from "@lib/train/config.ts";
 * memoryProblem(presets.cpu, { backend: "wasm", bytes: 4 * 2 ** 30 }); // undefined
 * ```
 */
export function memoryProblem(config: TrainConfig, limit: MemoryLimit): string | undefined {
  const need = memoryNeed(config);
  const shape = `d=${config.model.dim}, T=${config.data.seqLen}, batch ${config.batchSize}`;
  const advice = "use a smaller --dim, --seq-len or --batch";
  if (limit.bytes !== undefined && need.bytes > limit.bytes) {
    return `this configuration (${shape}) needs at least ${formatBytes(need.bytes)} of memory ` +
      `(largest tensor: ${need.largest}, ${
        formatBytes(need.largestBytes)
      }); the ${limit.backend} ` +
      `backend has ${formatBytes(limit.bytes)} (${limit.source ?? "its limit"}): ${advice}.`;
  }
  if (limit.largestBytes !== undefined && need.largestBytes > limit.largestBytes) {
    return `this configuration (${shape}) needs a tensor of ${formatBytes(need.largestBytes)} ` +
      `(${need.largest}); the ${limit.backend} backend's largest buffer is ` +
      `${formatBytes(limit.largestBytes)}: ${advice}.`;
  }
  return undefined;
}

/**
 * Bytes in a readable unit (decimal: kB, MB, GB, TB).
 *
 * @example
 * ```ts
 * import { formatBytes } from "@lib/train/memory.ts";
 * formatBytes(4_294_901_760); // "4.3 GB"
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  let i = 0;
  let v = bytes;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
