/**
 * A seeded random number generator, the same on every machine and backend.
 *
 * It wraps the Mersenne Twister of the `pure-rand` package (a well-kept library used by
 * fast-check) and adds the few draws the course needs: uniform floats and integers,
 * categorical draws, Gaussians and sampling without replacement. Everything random in the
 * course takes an {@linkcode Rng}, so a seed fixes a whole experiment.
 *
 * @example
 * ```ts
 * import { Rng } from "@lib/rng/mod.ts";
 * const rng = new Rng(42);
 * const coin = rng.int(2); // 0 or 1, the same for seed 42 everywhere
 * ```
 * @module
 */
import { mersenne } from "pure-rand/generator/mersenne";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";

type Generator = ReturnType<typeof mersenne>;

/**
 * A seeded source of randomness.
 *
 * @example
 * ```ts
 * import { Rng } from "@lib/rng/mod.ts";
 * const rng = new Rng(0);
 * rng.categorical([0.1, 0.9]); // most often 1
 * ```
 */
export class Rng {
  #gen: Generator;
  #spare: number | undefined;
  /** The seed this generator started from. */
  readonly seed: number;

  /** Creates a generator from an integer seed. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`Rng seed must be an integer, got ${seed}`);
    this.seed = seed;
    this.#gen = mersenne(seed | 0);
  }

  /** A float uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.#gen);
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int needs n >= 1, got ${n}`);
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** An index drawn with probability proportional to `weights` (need not sum to 1). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) throw new Error("Rng.categorical needs weights with a positive sum");
    let u = this.next() * total;
    let last = 0;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i] <= 0) continue;
      last = i;
      u -= weights[i];
      if (u < 0) return i;
    }
    return last; // rounding left u a hair above zero
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `count` normal draws with the given standard deviation, as a Float32Array. */
  normals(count: number, std = 1): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = std * this.normal();
    return out;
  }

  /** `count` draws uniform in (-limit, limit), as a Float32Array. */
  uniforms(count: number, limit: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (2 * this.next() - 1) * limit;
    return out;
  }

  /** A new generator whose stream depends on this one's seed and `label` only. */
  fork(label: number): Rng {
    return new Rng(((this.seed * 1_000_003) ^ (label * 7919 + 17)) | 0);
  }
}
