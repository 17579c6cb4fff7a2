/**
 * The run log, in JSON lines like the authors' `res.jsonl`: a header line with the config, then
 * one line per evaluation. A resumed run appends a new header and goes on.
 *
 * @example
 * ```ts
 * import { readLog } from "@lib/train/log.ts";
 * // const { header, records } = await readLog(".course/runs/05_training/cpu/log.jsonl");
 * // records.at(-1)?.inContextAcc
 * ```
 * @module
 */
import type { BatchMetrics, MemoryProbes } from "@lib/model/mod.ts";
import type { TrainConfig } from "./config.ts";

/** One evaluation: the batch metrics, the memory probes and the attention probes. */
export interface EvalRecord extends BatchMetrics, MemoryProbes {
  /** Optimizer steps done before this evaluation. */
  step: number;
  /** Layer 1: fraction of output positions whose attention argmax is the previous token. */
  prevToken: number;
  /** Layer 2: fraction of in-context targets whose attention argmax follows an earlier z_t. */
  induction: number;
  /** Wall time since the run started (summed over resumed parts), in milliseconds. */
  elapsedMs: number;
}

/** The first line of a log (and of each resumed part). */
export interface LogHeader {
  /** The run's configuration. */
  config: TrainConfig;
  /** The step the run (or this resumed part) started at. */
  startStep: number;
  /** The TensorFlow.js backend that ran it. */
  backend: string;
  /** When it started, ISO 8601. */
  startedAt: string;
}

/**
 * Appends JSON lines to a file, one write per line.
 *
 * @example
 * ```ts
 * import { LogWriter } from "@lib/train/log.ts";
 * import { presets } from "@lib/train/config.ts";
 * const header = { config: presets.tiny, startStep: 0, backend: "wasm", startedAt: "2024-01-01" };
 * // const log = await LogWriter.open("run/log.jsonl", header);
 * // await log.write(record);
 * // log.close();
 * ```
 */
export class LogWriter {
  #file: Deno.FsFile;
  #encoder = new TextEncoder();

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Opens `path` (creating its folder), truncating it unless `append`, and writes the header.
   *
   * @example
   * ```ts
   * import { LogWriter } from "@lib/train/log.ts";
   * // const log = await LogWriter.open("run/log.jsonl", header); await log.write(record); log.close();
   * ```
   */
  static async open(path: string, header: LogHeader, append = false): Promise<LogWriter> {
    // The folder part of `path` (no node:path here: this module is also bundled for the browser).
    const folder = path.replace(/[\\/][^\\/]*$/, "");
    if (folder !== path && folder !== "") await Deno.mkdir(folder, { recursive: true });
    const file = await Deno.open(path, { write: true, create: true, append, truncate: !append });
    const writer = new LogWriter(file);
    await writer.#line(header);
    return writer;
  }

  /** Writes one evaluation record. */
  async write(record: EvalRecord): Promise<void> {
    await this.#line(record);
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }

  async #line(value: unknown): Promise<void> {
    const bytes = this.#encoder.encode(JSON.stringify(value) + "\n");
    let written = 0;
    while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
  }
}

/**
 * Reads a log written by {@linkcode LogWriter}: the first header and every record, in order.
 *
 * @example
 * ```ts
 * import { readLog } from "@lib/train/log.ts";
 * // const { records } = await readLog("run/log.jsonl");
 * ```
 */
export async function readLog(path: string): Promise<{ header: LogHeader; records: EvalRecord[] }> {
  const text = await Deno.readTextFile(path);
  let header: LogHeader | undefined;
  const records: EvalRecord[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1} is not JSON`);
    }
    if ("config" in value) header ??= value as unknown as LogHeader;
    else records.push(value as unknown as EvalRecord);
  });
  if (!header) throw new Error(`${path} has no header line (a line with "config")`);
  return { header, records };
}
