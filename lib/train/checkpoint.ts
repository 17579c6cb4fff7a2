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
import type { TrainConfig } from "./config.ts";

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
  return parsed as Checkpoint;
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
  await Deno.writeTextFile(tmp, JSON.stringify(checkpoint));
  await Deno.rename(tmp, path);
}
