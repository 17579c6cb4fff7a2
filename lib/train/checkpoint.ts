/**
 * Checkpoints: one JSON file with the config, the step, every parameter, the optimizer's state
 * and the position of the data stream, so that a resumed run makes exactly the same next steps.
 * Tensors are stored as base64 of their little-endian float32 bytes (exact, and a quarter of
 * the size of printed numbers).
 *
 * @example
 * ```ts
 * import { decodeTensor, encodeTensor } from "@lib/train/checkpoint.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const saved = await encodeTensor(tf.tensor2d([[1, 2], [3, 4]]));
 * decodeTensor(saved).shape; // [2, 2]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type TrainConfig, validateConfig } from "./config.ts";

/** The tag in every checkpoint file. */
export const CHECKPOINT_FORMAT = "birth-of-a-transformer/checkpoint";
/** The version this code writes and reads. */
export const CHECKPOINT_VERSION = 1;

/** A tensor as JSON. */
export interface SavedTensor {
  /** Its shape. */
  shape: number[];
  /** Always float32. */
  dtype: "float32";
  /** Base64 of the little-endian float32 values, row-major. */
  data: string;
}

/** What a checkpoint file holds. */
export interface Checkpoint {
  /** {@linkcode CHECKPOINT_FORMAT}. */
  format: string;
  /** {@linkcode CHECKPOINT_VERSION}. */
  version: number;
  /** The run's configuration. */
  config: TrainConfig;
  /** Optimizer steps done: the next step to run. */
  step: number;
  /** Wall time spent so far, in milliseconds. */
  elapsedMs: number;
  /** Every parameter of the model by name. */
  params: Record<string, SavedTensor>;
  /** The optimizer: its kind, state tensors and counters. */
  optimizer: { kind: string; slots: Record<string, SavedTensor>; counters: Record<string, number> };
  /** The data stream: batch `s` is drawn from `Rng(seed).fork(s)`, so its position is the step. */
  data: { seed: number; nextBatch: number };
}

/**
 * A tensor's values and shape as JSON (reads the tensor back from the device, asynchronously).
 *
 * @example
 * ```ts
 * import { encodeTensor } from "@lib/train/checkpoint.ts";
 * import * as tf from "@tensorflow/tfjs";
 * (await encodeTensor(tf.tensor1d([1]))).data; // "AACAPw=="
 * ```
 */
export async function encodeTensor(t: tf.Tensor): Promise<SavedTensor> {
  const values = new Float32Array(await t.data()); // async: a GPU backend cannot read synchronously
  return {
    shape: t.shape.slice(),
    dtype: "float32",
    data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength).toBase64(),
  };
}

/**
 * The values of a {@linkcode SavedTensor}, checked against its shape.
 *
 * @example
 * ```ts
 * import { decodeValues } from "@lib/train/checkpoint.ts";
 * decodeValues({ shape: [1], dtype: "float32", data: "AACAPw==" }); // Float32Array [1]
 * ```
 */
export function decodeValues(saved: SavedTensor): Float32Array {
  const bytes = Uint8Array.fromBase64(saved.data); // a fresh, aligned buffer
  const size = saved.shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== size * 4) {
    throw new Error(
      `corrupt checkpoint tensor: shape [${saved.shape}] needs ${
        size * 4
      } bytes, got ${bytes.byteLength}`,
    );
  }
  const out = new Float32Array(size);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * A new tensor from a {@linkcode SavedTensor}.
 *
 * @example
 * ```ts
 * import { decodeTensor } from "@lib/train/checkpoint.ts";
 * decodeTensor({ shape: [1], dtype: "float32", data: "AACAPw==" }).dataSync(); // [1]
 * ```
 */
export function decodeTensor(saved: SavedTensor): tf.Tensor {
  return tf.tensor(decodeValues(saved), saved.shape, "float32");
}

/**
 * Reads and checks a checkpoint file, with a clear message when it is not one.
 *
 * @example
 * ```ts
 * import { readCheckpoint } from "@lib/train/checkpoint.ts";
 * // const ckpt = await readCheckpoint("run/checkpoint.json"); ckpt.step
 * ```
 */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let parsed: Partial<Checkpoint>;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read checkpoint ${path}: ${why}`);
  }
  if (parsed.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path} is not a training checkpoint (no "format": "${CHECKPOINT_FORMAT}")`);
  }
  if (parsed.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${path} is a version ${parsed.version} checkpoint; this code reads version ${CHECKPOINT_VERSION}`,
    );
  }
  const problem = checkpointProblem(parsed);
  if (problem) throw new Error(`${path} is not a usable checkpoint: ${problem}`);
  return parsed as Checkpoint;
}

/**
 * What is wrong with the fields of a parsed checkpoint (its format and version already
 * checked), or `undefined`: the step, time and data position must be whole numbers >= 0,
 * every tensor's bytes must match its shape, the counters must be whole numbers and the config
 * must be one the trainer can run. Whether the tensors fit the model is checked when it loads.
 *
 * @example
 * ```ts
 * import { checkpointProblem } from "@lib/train/checkpoint.ts";
 * checkpointProblem({ step: -1 }); // "\"step\" must be a whole number >= 0, got -1"
 * ```
 */
export function checkpointProblem(c: Partial<Checkpoint>): string | undefined {
  const whole = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  const shown = (v: unknown) => JSON.stringify(v) ?? String(v);
  if (!whole(c.step)) return `"step" must be a whole number >= 0, got ${shown(c.step)}`;
  const elapsed = c.elapsedMs as unknown;
  if (typeof elapsed !== "number" || !(elapsed >= 0) || !Number.isFinite(elapsed)) {
    return `"elapsedMs" must be a number >= 0, got ${shown(elapsed)}`;
  }
  const next = c.data?.nextBatch;
  if (!whole(next)) return `"data.nextBatch" must be a whole number >= 0, got ${shown(next)}`;
  if (next !== c.step) return `"data.nextBatch" (${next}) must equal "step" (${c.step})`;
  const tensors = (group: unknown, name: string): string | undefined => {
    if (typeof group !== "object" || group === null) return `"${name}" must be an object`;
    for (const [key, t] of Object.entries(group)) {
      const problem = tensorProblem(t);
      if (problem) return `${name}.${key}: ${problem}`;
    }
  };
  const params = tensors(c.params, "params");
  if (params) return params;
  if (typeof c.optimizer?.kind !== "string") return `"optimizer.kind" must be a string`;
  const slots = tensors(c.optimizer.slots, "optimizer.slots");
  if (slots) return slots;
  for (const [key, v] of Object.entries(c.optimizer.counters ?? {})) {
    if (!whole(v)) return `optimizer.counters.${key} must be a whole number >= 0, got ${shown(v)}`;
  }
  try {
    validateConfig(c.config as TrainConfig);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `its config cannot run: ${why.replace(/\s*\n\s*-?\s*/g, " ")}`;
  }
  return undefined;
}

/** What is wrong with a saved tensor's shape, type or bytes, or `undefined`. */
function tensorProblem(t: unknown): string | undefined {
  const saved = t as Partial<SavedTensor> | null;
  if (typeof saved !== "object" || saved === null) return "not a tensor";
  const shape = saved.shape as unknown;
  if (
    !Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 31)
  ) {
    return `bad shape ${JSON.stringify(shape)}`;
  }
  if (saved.dtype !== "float32") {
    return `dtype must be "float32", got ${JSON.stringify(saved.dtype)}`;
  }
  if (typeof saved.data !== "string") return "no base64 data";
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  const padding = saved.data.endsWith("==") ? 2 : saved.data.endsWith("=") ? 1 : 0;
  const bytes = Math.floor((saved.data.length * 3) / 4) - padding;
  if (bytes !== size * 4 || saved.data.length % 4 !== 0) {
    return `shape [${shape}] needs ${size * 4} bytes, got ${bytes}`;
  }
  return undefined;
}

/**
 * Writes a checkpoint file (to a temporary name, then renamed, so a crash never leaves half a
 * file).
 *
 * @example
 * ```ts
 * import { writeCheckpoint } from "@lib/train/checkpoint.ts";
 * // await writeCheckpoint("run/checkpoint.json", checkpoint);
 * ```
 */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(checkpoint));
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {}); // never leave the temporary file behind
    throw error;
  }
}
