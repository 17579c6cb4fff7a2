/**
 * An exercise's difficulty as stars, with a text alternative for screen readers.
 *
 * @example
 * ```tsx
 * import { Difficulty } from "./difficulty.tsx";
 * <Difficulty level={2} />; // ★★☆, read as "difficulty 2 of 3"
 * ```
 * @module
 */

/**
 * One to three filled stars out of three.
 *
 * @example
 * ```tsx
 * import { Difficulty } from "./difficulty.tsx";
 * <Difficulty level={1} />;
 * ```
 */
export function Difficulty({ level }: { level: number }) {
  const n = Math.max(1, Math.min(3, Math.round(level)));
  return (
    <span class="difficulty" role="img" aria-label={`difficulty ${n} of 3`}>
      {"★".repeat(n) + "☆".repeat(3 - n)}
    </span>
  );
}
