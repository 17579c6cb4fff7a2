/**
 * The course's one terminal spinner: a braille frame redrawn every 100 ms while a check runs
 * (`deno task lesson` and its watch mode).
 *
 * @example
 * ```ts
 * import { spin } from "@lib/course/spinner.ts";
 * const id = spin((frame) => Deno.stdout.writeSync(new TextEncoder().encode(`\r${frame} working`)));
 * clearInterval(id);
 * ```
 * @module
 */

/** The frames, in order. */
export const SPINNER_FRAMES: readonly string[] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Calls `draw` with the next frame every `ms` milliseconds; stop it with `clearInterval`.
 *
 * @example
 * ```ts
 * import { spin } from "@lib/course/spinner.ts";
 * const id = spin((frame) => console.log(frame));
 * clearInterval(id);
 * ```
 */
export function spin(
  draw: (frame: string) => void,
  ms = 100,
): ReturnType<typeof setInterval> {
  let i = 0;
  return setInterval(() => draw(SPINNER_FRAMES[i++ % SPINNER_FRAMES.length]), ms);
}
