/**
 * A live progress bar for training (npm `cli-progress`): step, the last evaluated loss and
 * in-context accuracy, and the time per step. When stdout is not a terminal (a log file, CI) it
 * prints one plain line per evaluation instead.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { progressReporter } from "@lib/train/progress_bar.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { train } from "@lib/train/trainer.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const progress = progressReporter(presets.tiny.steps);
 * const parts = trainerParts(data, training);
 * await train(presets.tiny, { parts, onStep: progress.onStep, onEval: progress.onEval });
 * progress.stop();
 * ```
 * @module
 */
// @ts-types="@types/cli-progress"
import cliProgress from "cli-progress";
import type { EvalRecord } from "./trainer.ts";

/** Callbacks to pass to `train`, and `stop` to call when it returns. */
export interface ProgressReporter {
  /** After each step. */
  onStep: (stepCount: number) => void;
  /** After each evaluation. */
  onEval: (record: EvalRecord) => void;
  /** Ends the bar (leaves its last state on screen). */
  stop: () => void;
}

/**
 * A reporter for a run of `total` steps; `loss` names the metric shown as the loss.
 *
 * @example
 * ```ts
 * import { progressReporter } from "@lib/train/progress_bar.ts";
 * const p = progressReporter(100, { loss: "lossAll" });
 * p.stop();
 * ```
 */
export function progressReporter(
  total: number,
  options: { loss?: "lossInContext" | "lossAll"; tty?: boolean } = {},
): ProgressReporter {
  const lossKey = options.loss ?? "lossInContext";
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const format = (r: EvalRecord) =>
    `step ${r.step}/${total}  loss ${r[lossKey].toFixed(3)}  in-context acc ${
      r.inContextAcc.toFixed(3)
    }  W_O2 ${r.wO2.toFixed(2)} W_K2 ${r.wK2.toFixed(2)} W_K1(<64) ${r.wK1Early.toFixed(2)}  ` +
    `${(r.elapsedMs / 1000).toFixed(1)} s`;
  if (!tty) {
    return { onStep: () => {}, onEval: (r) => console.log(format(r)), stop: () => {} };
  }
  const bar = new cliProgress.SingleBar({
    format: "step {value}/{total} [{bar}] loss {loss}  in-context acc {acc}  {speed} s/step",
    hideCursor: true,
    barsize: 24,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let last = { step: 0, time: performance.now() };
  const payload = { loss: "-", acc: "-", speed: "-" };
  return {
    onStep: (step) => {
      if (!started) {
        bar.start(total, step, payload);
        started = true;
      }
      const now = performance.now();
      payload.speed = ((now - last.time) / 1000 / Math.max(1, step - last.step)).toFixed(2);
      last = { step, time: now };
      bar.update(step, payload);
    },
    onEval: (r) => {
      payload.loss = r[lossKey].toFixed(3);
      payload.acc = r.inContextAcc.toFixed(3);
      if (started) bar.update(r.step, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
