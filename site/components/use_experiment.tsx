/// <reference lib="dom" />
/**
 * The load / run / cancel / status cycle every demo island shares, and the switch that says
 * whose code runs. {@linkcode useExperiment} fetches the demo engine of the chosen code source
 * (`/_engine/learner.json` or `reference.json`, rebuilt by the server when an exercise file was
 * saved), starts the TensorFlow.js backend, loads the lesson's experiment module and runs the
 * island's `run` whenever the island's settings change, dropping the results of a run that was
 * overtaken. A stub (`NotImplementedError`) in the learner's code becomes a note naming the
 * exercise the demo waits for, with a link to it and a button that runs the reference instead;
 * an exercise file of the learner's that is missing or does not compile (see
 * `client/broken_lesson.ts`) becomes a note naming the lesson, the file and the command that
 * helps. Both offer to try again once the file is fixed.
 *
 * @example
 * ```tsx
 * import { CodePanel, useExperiment } from "./use_experiment.tsx";
 * function Demo({ code }: { code: import("./use_experiment.tsx").CodeProps }) {
 *   const exp = useExperiment({
 *     name: "01_bigram_data",
 *     code,
 *     idle: "Press Start.",
 *     deps: [],
 *     run: async (ctx) => ctx.show(await ctx.module.sampleBigram({ seed: 0, k: 5, fixedTriggers: true, outputs: "uniform", seqLen: 32, sequences: 1, batch: 4 }), "done"),
 *   });
 *   return <CodePanel exp={exp} />;
 * }
 * ```
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { BackendChoice, BackendInfo, Experiment, ExperimentName } from "../client/engine.ts";
import { type BrokenLesson, brokenLesson, brokenNote } from "../client/broken_lesson.ts";

type Engine = typeof import("../client/engine.ts");

/** Whose exercises run: the learner's (`lessons/`) or the reference (`solutions/`). */
export type CodeSource = "learner" | "reference";

/** How the page names each source: always with its folder, so nobody wonders whose code runs. */
export const CODE_LABEL: Record<CodeSource, string> = {
  learner: "your code (lessons/)",
  reference: "reference (solutions/)",
};

/** An exercise a demo may wait for. */
export interface ExerciseRef {
  /** The lesson's number. */
  lesson: number;
  /** "1.2". */
  id: string;
  /** The exercise's title. */
  title: string;
  /** The heading's anchor on the lesson page. */
  anchor: string;
}

/** What the server tells each island about the code it may run. */
export interface CodeProps {
  /** The source the demo starts with. */
  source: CodeSource;
  /** Every exercise function of the course, by name (for "waits for exercise N.M"). */
  exercises: Record<string, ExerciseRef>;
  /** The lesson whose page the demo is on (named when another lesson's file stops it). */
  lesson?: number;
}

/** A stub the learner's code still has, as the page shows it. */
export interface Waiting {
  /** The function that is not written yet. */
  fn: string;
  /** Its exercise, when the course knows it. */
  exercise?: ExerciseRef;
}

/** What a run gets: the experiment module, and ways to show results while it is current. */
export interface RunContext<M, R> {
  /** The lesson's experiment module, built from the chosen source. */
  module: M;
  /** The engine (TensorFlow.js, `startBackend`). */
  engine: Engine;
  /** The backend in use. */
  backend: string;
  /** Shows a result and a status line, unless this run was overtaken. */
  show(result: R, status: string): void;
  /** Shows a status line (with whose code runs), unless this run was overtaken. */
  status(text: string): void;
  /** Whether a newer run (or the island's end) replaced this one. */
  cancelled(): boolean;
}

/** Options of {@linkcode useExperiment}. */
export interface ExperimentOptions<N extends ExperimentName, R> {
  /** The lesson whose experiment runs (its folder name). */
  name: N;
  /** The island's code props. */
  code: CodeProps;
  /** The status line before the demo starts. */
  idle: string;
  /** The settings: a change reruns the experiment. */
  deps: unknown[];
  /** The backend to start (default `wasm`). */
  backend?: BackendChoice;
  /** One run of the experiment. */
  run(ctx: RunContext<Experiment<N>, R>): Promise<void>;
  /**
   * Further runs with their own settings (a fixed number per island), sharing the source, the
   * status line and the waits-for note: a change of their `deps` reruns only them.
   */
  more?: { deps: unknown[]; run(ctx: RunContext<Experiment<N>, R>): Promise<void> }[];
}

/** What {@linkcode useExperiment} gives the island. */
export interface ExperimentHandle<R> extends CodeSourceHandle {
  /** Whether the demo was started. */
  started: boolean;
  /** Starts it (runs with the current settings). */
  start(): void;
  /** The last result shown. */
  result?: R;
}

/**
 * The status line while a demo loads `source`'s engine.
 *
 * @example
 * ```ts
 * import { loadingStatus } from "./use_experiment.tsx";
 * loadingStatus("learner"); // "Loading TensorFlow.js and your code (lessons/)…"
 * ```
 */
export function loadingStatus(source: CodeSource): string {
  const what = source === "learner" ? CODE_LABEL.learner : `the ${CODE_LABEL.reference}`;
  return `Loading TensorFlow.js and ${what}…`;
}

/**
 * Why `source`'s engine could not be built, in one line: the first error of the bundler's output
 * (`error`), without its colours, stack and the course folder's path.
 *
 * @example
 * ```ts
 * import { buildFailure } from "./use_experiment.tsx";
 * buildFailure("learner", "error: Module not found"); // "your code (lessons/) could not be built: Module not found"
 * ```
 */
export function buildFailure(source: CodeSource, error: string): string {
  // deno-lint-ignore no-control-regex
  const plain = error.replace(/\u001b\[[0-9;]*m/g, "")
    .replace(/file:\/\/\/\S*?\/(lessons|solutions)\//g, "$1/");
  const first = plain.split("\n").find((l) => l.startsWith("error: "))?.slice(7) ??
    plain.split("\n")[0];
  const what = source === "learner" ? CODE_LABEL.learner : `the ${CODE_LABEL.reference}`;
  return `${what} could not be built: ${first.trim().replace(/\.$/, "")}`;
}

const engines = new Map<string, Promise<Engine>>();

/**
 * The engine built from `source`: asks the server which file is current (it rebuilds after a
 * save) and imports it; an unchanged build is the same module.
 *
 * @example
 * ```ts
 * import { loadEngine } from "./use_experiment.tsx";
 * const engine = await loadEngine("reference");
 * ```
 */
export async function loadEngine(source: CodeSource): Promise<Engine> {
  const response = await fetch(`/_engine/${source}.json`, { cache: "no-store" });
  const info = await response.json() as { file?: string; error?: string };
  if (!info.file) {
    throw new Error(buildFailure(source, info.error ?? response.statusText));
  }
  const url = `/_engine/${info.file}`;
  if (!engines.has(url)) {
    const loading = import(url) as Promise<Engine>;
    engines.set(url, loading);
    loading.catch(() => engines.delete(url));
  }
  return await engines.get(url)!;
}

/**
 * Whether `error` is a stub's "not implemented yet" (the learner has not written that function).
 *
 * @example
 * ```ts
 * import { stubName } from "./use_experiment.tsx";
 * stubName(Object.assign(new Error("x"), { name: "NotImplementedError", exercise: "f" })); // "f"
 * ```
 */
export function stubName(error: unknown): string | undefined {
  const e = error as { name?: string; exercise?: unknown } | undefined;
  return e?.name === "NotImplementedError" && typeof e.exercise === "string"
    ? e.exercise
    : undefined;
}

/** What {@linkcode useCodeSource} gives an island: the source, the status and the failure. */
export interface CodeSourceHandle {
  /** The code source in use. */
  source: CodeSource;
  /** Switches the code source. */
  setSource(source: CodeSource): void;
  /** The status line. */
  status: string;
  /** Sets the status line. */
  setStatus(text: string): void;
  /** An error to show, if the last run failed for another reason than a stub. */
  error?: string;
  /** The stub the last run stopped at, if any. */
  waiting?: Waiting;
  /** The learner's exercise file (missing, or not compiling) the last run stopped at, if any. */
  broken?: BrokenLesson;
  /** The lesson whose page the demo is on. */
  lesson?: number;
  /** Runs the demo again with the same settings (after the learner fixed their file), if it can. */
  retry?: () => void;
  /**
   * Loads the engine of the current source, starts `backend` and loads the lesson's experiment
   * module (saying so in the status line).
   */
  load<N extends ExperimentName>(
    name: N,
    backend: BackendChoice,
  ): Promise<{ engine: Engine; module: Experiment<N>; backend: string; info: BackendInfo }>;
  /** Clears the error and the waits-for note (a run went through). */
  clear(): void;
  /**
   * Shows why a run stopped: a stub becomes the waits-for note, a broken exercise file the note
   * that names it, anything else an error (and, for the reference, a console error: that is the
   * course's bug).
   */
  fail(error: unknown): void;
}

/**
 * The code-source half of {@linkcode useExperiment}, for an island that drives its own runs
 * (the training demo's start / pause / reset). `onSwitch` runs before the source changes (to
 * stop and free a run built from the other source).
 *
 * @example
 * ```tsx
 * import { useCodeSource } from "./use_experiment.tsx";
 * // inside an island: const code = useCodeSource(props.code, "Press Start.");
 * // const { module } = await code.load("01_bigram_data", "wasm");
 * ```
 */
export function useCodeSource(
  code: CodeProps,
  idle: string,
  onSwitch?: (to: CodeSource) => void | Promise<void>,
): CodeSourceHandle {
  const [source, setSourceState] = useState<CodeSource>(code.source);
  const setSource = (to: CodeSource) => {
    if (to === source) return;
    if (!onSwitch) return setSourceState(to);
    void Promise.resolve(onSwitch(to)).then(() => setSourceState(to));
  };
  const [status, setStatus] = useState(idle);
  const [error, setError] = useState<string>();
  const [waiting, setWaiting] = useState<Waiting>();
  const [broken, setBroken] = useState<BrokenLesson>();
  return {
    source,
    setSource,
    status,
    setStatus,
    error,
    waiting,
    broken,
    lesson: code.lesson,
    load: async <N extends ExperimentName>(name: N, backend: BackendChoice) => {
      setStatus(loadingStatus(source));
      const engine = await loadEngine(source);
      const info = await engine.startBackend(backend);
      const module = await engine.experiments[name]() as Experiment<N>;
      return { engine, module, backend: info.name, info };
    },
    clear: () => {
      setError(undefined);
      setWaiting(undefined);
      setBroken(undefined);
    },
    fail: (e) => {
      const fn = stubName(e);
      const b = brokenLesson(e);
      setWaiting(fn ? { fn, exercise: code.exercises[fn] } : undefined);
      setBroken(b);
      if (fn) {
        setError(undefined);
        setStatus(`Waiting for your code: ${fn} is not written yet.`);
        return;
      }
      if (b) {
        setError(undefined);
        setStatus(
          `Stopped: your ${b.file} ${b.missing ? "is missing" : "does not compile"}.`,
        );
        return;
      }
      if (source === "reference") console.error(e);
      setError(`The demo failed (running ${CODE_LABEL[source]}): ${(e as Error).message}`);
    },
  };
}

/**
 * Runs a lesson's experiment for an island: see the module's description.
 *
 * @example
 * ```tsx
 * import { useExperiment } from "./use_experiment.tsx";
 * // inside an island: const exp = useExperiment({ name: "01_bigram_data", code, idle: "…", deps: [settings], run });
 * ```
 */
export function useExperiment<N extends ExperimentName, R>(
  o: ExperimentOptions<N, R>,
): ExperimentHandle<R> {
  const [started, setStarted] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<R>();
  const code = useCodeSource(o.code, o.idle);
  const { source } = code;
  const options = useRef(o);
  options.current = o;
  const latest = useRef(code);
  latest.current = code;

  const runs = [{ deps: o.deps, run: () => options.current.run }].concat(
    (o.more ?? []).map((m, i) => ({ deps: m.deps, run: () => options.current.more![i].run })),
  );
  for (const { deps, run: current } of runs) {
    // deno-lint-ignore react-rules-of-hooks -- `more` has a fixed length per island
    useEffect(() => {
      if (!started) return;
      let cancelled = false;
      const label = CODE_LABEL[source];
      (async () => {
        const run = current();
        try {
          const { engine, module, backend } = await latest.current.load(
            options.current.name,
            options.current.backend ?? "wasm",
          );
          if (cancelled) return;
          await run({
            module: module as Experiment<N>,
            engine,
            backend,
            show: (r, text) => {
              if (cancelled) return;
              setResult(r);
              latest.current.setStatus(`${text} Running ${label}.`);
              latest.current.clear();
            },
            status: (text) => {
              if (!cancelled) latest.current.setStatus(`${text} Running ${label}.`);
            },
            cancelled: () => cancelled,
          });
        } catch (e) {
          if (!cancelled) latest.current.fail(e);
        }
      })();
      return () => {
        cancelled = true;
      };
    }, [started, source, attempt, ...deps]);
  }

  return {
    ...code,
    started,
    start: () => setStarted(true),
    retry: () => setAttempt((n) => n + 1),
    result,
  };
}

/**
 * The switch between the learner's code and the reference, and, when the learner's code has a
 * stub the demo needs, which exercise it waits for with a button to run the reference instead.
 *
 * @example
 * ```tsx
 * import { CodePanel } from "./use_experiment.tsx";
 * <CodePanel exp={{ source: "learner", setSource() {} }} />;
 * ```
 */
export function CodePanel(
  { exp }: {
    exp: Pick<
      CodeSourceHandle,
      "source" | "setSource" | "waiting" | "broken" | "lesson" | "retry"
    >;
  },
) {
  const { waiting, broken } = exp;
  const note = broken && brokenNote(broken, exp.lesson);
  const buttons = (
    <>
      {exp.retry && (
        <>
          <button type="button" class="retry" onClick={exp.retry}>
            Try again
          </button>
          {" "}
        </>
      )}
      <button type="button" class="use-reference" onClick={() => exp.setSource("reference")}>
        Run the reference instead
      </button>
    </>
  );
  return (
    <div class="code-source">
      <div class="code-switch" role="group" aria-label="Whose code the demo runs">
        <span>Runs:</span>
        {(["learner", "reference"] as const).map((s) => (
          <button
            type="button"
            data-source={s}
            aria-pressed={exp.source === s}
            onClick={() => exp.setSource(s)}
          >
            {CODE_LABEL[s]}
          </button>
        ))}
      </div>
      {waiting && (
        <p class="note waiting" role="alert">
          This demo waits for {waiting.exercise
            ? (
              <a href={`/lessons/${waiting.exercise.lesson}#${waiting.exercise.anchor}`}>
                Exercise {waiting.exercise.id}: {waiting.exercise.title}
              </a>
            )
            : "an exercise"} (<code>{waiting.fn}</code>{" "}
          in your code still throws “not implemented yet”). {buttons}
        </p>
      )}
      {note && (
        <p class="note waiting broken" role="alert">
          {note.lead}
          {note.where && (
            <>
              {" at "}
              {note.where.href ? <a href={note.where.href}>{note.where.text}</a> : note.where.text}
            </>
          )}
          {note.sep} <code>{note.command}</code> {note.tail}. {buttons}
        </p>
      )}
    </div>
  );
}
