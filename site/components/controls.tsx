/**
 * Labelled form controls for the demos: native `<input>`/`<select>` elements, so they work with
 * the keyboard and screen readers, with the current value shown next to sliders.
 *
 * @example
 * ```tsx
 * import { Slider } from "./controls.tsx";
 * <Slider id="dim" label="d (width)" min={8} max={256} step={8} value={64} onChange={(v) => {}} />;
 * ```
 * @module
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** A labelled range input with its value shown (or what the value stands for: see `format`). */
export interface SliderProps {
  /** The input's id (also names it for tests). */
  id: string;
  /** The visible label. */
  label: ComponentChildren;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Step. */
  step?: number;
  /** Current value. */
  value: number;
  /** Called with the new value as the slider moves. */
  onChange: (value: number) => void;
  /** Disables the input. */
  disabled?: boolean;
  /**
   * What to show for a value, when the slider's positions stand for other values (an index
   * into a list of scales, say); also read out by screen readers. By default the value itself.
   */
  format?: (value: number) => string;
}

/**
 * A slider.
 *
 * @example
 * ```tsx
 * import { Slider } from "./controls.tsx";
 * <Slider id="t" label="T" min={4} max={64} value={16} onChange={() => {}} />;
 * // Positions 0, 1, 2 that stand for 0.1, 1, 10:
 * const scales = [0.1, 1, 10];
 * <Slider id="s" label="scale" min={0} max={2} value={1} format={(i) => `${scales[i]}`} onChange={() => {}} />;
 * ```
 */
export function Slider(props: SliderProps) {
  const shown = props.format ? props.format(props.value) : String(props.value);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        type="range"
        id={props.id}
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        value={props.value}
        aria-valuetext={props.format ? shown : undefined}
        disabled={props.disabled}
        onInput={(e) => props.onChange(Number((e.currentTarget as HTMLInputElement).value))}
      />
      <output for={props.id}>{shown}</output>
    </div>
  );
}

/** A labelled select. */
export interface ChoiceProps<T extends string> {
  /** The select's id. */
  id: string;
  /** The visible label. */
  label: ComponentChildren;
  /** The options: value and text. */
  options: { value: T; text: string }[];
  /** The selected value. */
  value: T;
  /** Called with the new value. */
  onChange: (value: T) => void;
  /** Disables the select. */
  disabled?: boolean;
}

/**
 * A select.
 *
 * @example
 * ```tsx
 * import { Choice } from "./controls.tsx";
 * <Choice id="o" label="Outputs" options={[{ value: "u", text: "uniform" }]} value="u" onChange={() => {}} />;
 * ```
 */
export function Choice<T extends string>(props: ChoiceProps<T>) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value as T)}
      >
        {props.options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
      </select>
    </div>
  );
}

/** The shortest time between two status lines read out by screen readers, in milliseconds. */
export const ANNOUNCE_EVERY_MS = 5000;

/**
 * `text`, changing at most once per `ms`: a change within `ms` of the last one is held back and
 * shown when the time is up (the latest text wins), so a screen reader is not made to read a
 * status line at every training step.
 *
 * @example
 * ```tsx
 * import { useThrottled } from "./controls.tsx";
 * // inside a component: const announced = useThrottled(status, 5000);
 * ```
 */
export function useThrottled(text: string, ms: number): string {
  const [shown, setShown] = useState(text);
  const last = useRef(0);
  useEffect(() => {
    if (text === shown) return;
    const wait = last.current + ms - Date.now();
    const show = () => {
      last.current = Date.now();
      setShown(text);
    };
    if (wait <= 0) return show();
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [text, shown, ms]);
  return shown;
}

/**
 * A status line: shown as it changes, and read out by screen readers at most every
 * {@linkcode ANNOUNCE_EVERY_MS} (a visually hidden live region holds the throttled copy); errors
 * are shown as alerts.
 *
 * @example
 * ```tsx
 * import { Status } from "./controls.tsx";
 * <Status text="Loading TensorFlow.js…" />;
 * ```
 */
export function Status({ text, error }: { text: string; error?: string }) {
  const announced = useThrottled(text, ANNOUNCE_EVERY_MS);
  return (
    <>
      <p class="demo-status" aria-hidden="true">{text}</p>
      <p class="visually-hidden" role="status" aria-live="polite">{announced}</p>
      {error && <p class="demo-error" role="alert">{error}</p>}
    </>
  );
}
