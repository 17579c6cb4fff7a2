/**
 * The birth of the induction head, as the course measures it: the first evaluation whose
 * in-context accuracy (on the training batch, the paper's convention) reaches 0.95. One home for
 * the threshold and the test, used by `deno task train` and `deno task bench`.
 *
 * @example
 * ```ts
 * import { BirthWatch } from "@lib/train/birth.ts";
 * const watch = new BirthWatch();
 * watch.see({ step: 170, inContextAcc: 0.93, elapsedMs: 40_000 }); // false
 * watch.see({ step: 180, inContextAcc: 0.953, elapsedMs: 44_000 }); // true: born now
 * watch.born?.step; // 180
 * ```
 * @module
 */

/** In-context accuracy at which the head counts as born. */
export const BIRTH_THRESHOLD = 0.95;

/** What {@linkcode BirthWatch} reads from an evaluation record. */
export interface BirthRecord {
  /** Optimizer steps done before the evaluation. */
  step: number;
  /** In-context accuracy on the evaluated batch. */
  inContextAcc: number;
  /** Wall time of the run until then, in milliseconds. */
  elapsedMs: number;
}

/** When the head was born. */
export interface Birth {
  /** The first evaluated step at or above the threshold. */
  step: number;
  /** Its in-context accuracy. */
  acc: number;
  /** Wall time of the run until then, in seconds. */
  seconds: number;
}

/**
 * Watches the evaluations of a run for the birth of the induction head.
 *
 * @example
 * ```ts
 * import { BirthWatch } from "@lib/train/birth.ts";
 * const watch = new BirthWatch(0.9);
 * watch.see({ step: 10, inContextAcc: 0.2, elapsedMs: 1000 });
 * watch.summary(); // "Induction head: not born by step 10 (in-context accuracy below 0.9; best 0.200 at step 10)."
 * ```
 */
export class BirthWatch {
  /** The threshold. */
  readonly threshold: number;
  /** Set at the first record at or above the threshold. */
  born: Birth | undefined;
  /** The first record seen (a resumed run may start after the birth). */
  first: BirthRecord | undefined;
  /** The last record seen. */
  last: BirthRecord | undefined;
  /** The best in-context accuracy seen. */
  best: BirthRecord | undefined;

  /** Creates a watch for `threshold` (default {@linkcode BIRTH_THRESHOLD}). */
  constructor(threshold = BIRTH_THRESHOLD) {
    this.threshold = threshold;
  }

  /** Reads one evaluation; true when the head is born at this one. */
  see(record: BirthRecord): boolean {
    this.first ??= record;
    this.last = record;
    if (!this.best || record.inContextAcc > this.best.inContextAcc) this.best = record;
    if (this.born || !(record.inContextAcc >= this.threshold)) return false;
    this.born = { step: record.step, acc: record.inContextAcc, seconds: record.elapsedMs / 1000 };
    return true;
  }

  /**
   * One line for the end of a run: the step of the birth, or that it has not happened.
   *
   * @example
   * ```ts
   * import { BirthWatch } from "@lib/train/birth.ts";
   * const w = new BirthWatch();
   * w.see({ step: 180, inContextAcc: 0.953, elapsedMs: 44_000 });
   * w.summary(); // "Induction head born at step 180 (in-context accuracy 0.953 >= 0.95), 44.0 s into the run."
   * ```
   */
  summary(): string {
    const t = this.threshold;
    if (this.born) {
      const resumedAfter = this.first && this.first.step > 0 && this.born.step === this.first.step;
      return resumedAfter
        ? `Induction head born at or before step ${this.born.step} (in-context accuracy ` +
          `${this.born.acc.toFixed(3)} >= ${t} at the resumed run's first evaluation).`
        : `Induction head born at step ${this.born.step} (in-context accuracy ` +
          `${this.born.acc.toFixed(3)} >= ${t}), ${this.born.seconds.toFixed(1)} s into the run.`;
    }
    if (!this.last || !this.best) return "Induction head: no evaluation yet.";
    return `Induction head: not born by step ${this.last.step} (in-context accuracy below ${t}; ` +
      `best ${this.best.inContextAcc.toFixed(3)} at step ${this.best.step}).`;
  }
}
