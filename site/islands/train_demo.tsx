/// <reference lib="dom" />
/**
 * Lessons 5 and 6's live demo: the paper's two-layer model trained in the page with the
 * course's `Trainer`, assembled by lesson 5's experiment (`lessons/05_training/experiment.ts`;
 * lesson 6's, `lessons/06_webgpu/experiment.ts`, in the "backends" mode)
 * from the learner's lessons 1 and 5 or the reference, as the switch says. Lesson 5 offers the
 * experiment's runs (`liveConfig`): the birth of the induction head, the loss on all targets
 * with a final W_F (global bigrams first, the head later) and the freeze of Figure 3. Start,
 * pause and reset; the loss on global and in-context targets, the in-context accuracy and the
 * memory-recall probes are plotted at every evaluation, with the birth step (in-context
 * accuracy >= 0.95) and the end of a freeze marked, and both layers' attention on a fixed
 * sequence show the induction head forming. With
 * `mode: "backends"` (lesson 6) the backend can be chosen (`auto` tries WebGPU, then WebGL, then
 * wasm) and the backend in use, the device and the time per step are shown. On a CPU backend
 * (wasm, cpu) and more than one core, the run trains in Web Workers, data-parallel
 * (`site/client/live_workers.ts`; lesson 6 chooses how many); otherwise on the page's main
 * thread. The demo shows how many Workers train, or why none do.
 *
 * @example
 * ```tsx
 * import TrainDemo from "./train_demo.tsx";
 * <TrainDemo mode="train" code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Choice, Status } from "../components/controls.tsx";
import { Heatmap } from "../components/heatmap.tsx";
import { LineChart, type Mark } from "../components/line_chart.tsx";
import { MatrixText } from "../components/matrix_name.tsx";
import { showChar } from "../components/tokens.ts";
import type { BackendChoice, CpuBackend } from "../client/engine.ts";
import {
  CODE_LABEL,
  CodePanel,
  type CodeProps,
  useCodeSource,
} from "../components/use_experiment.tsx";
import type { LiveTraining, LiveView, PresetChoice } from "../../lessons/05_training/experiment.ts";
import type { EvalRecord } from "@lib/train/trainer.ts";
import { BIRTH_THRESHOLD, BirthWatch } from "@lib/train/birth.ts";

/**
 * The lines a run's charts mark: the birth of the induction head (the first evaluation with
 * in-context accuracy >= 0.95, as `deno task train` reports it) and the end of each freeze.
 *
 * @example
 * ```ts
 * import { runMarks } from "./train_demo.tsx";
 * runMarks([{ step: 180, inContextAcc: 0.96, elapsedMs: 1 }], [{ param: "wK1", untilStep: 300 }]);
 * // [{ x: 180, label: "born at step 180", ... }, { x: 300, label: "W_K¹ released", ... }]
 * ```
 */
export function runMarks(
  records: { step: number; inContextAcc: number; elapsedMs: number }[],
  freeze: { param: string; untilStep: number }[] = [],
): Mark[] {
  const marks: Mark[] = [];
  const watch = new BirthWatch(BIRTH_THRESHOLD);
  for (const r of records) watch.see(r);
  if (watch.born) {
    marks.push({ x: watch.born.step, label: `born at step ${watch.born.step}`, color: "#b91c1c" });
  }
  const names: Record<string, string> = { wK1: "W_K¹", wK2: "W_K²", wO2: "W_O²", wF: "W_F" };
  const until = [...new Set(freeze.map((r) => r.untilStep))];
  for (const step of until) {
    const which = freeze.filter((r) => r.untilStep === step).map((r) => names[r.param] ?? r.param);
    marks.push({ x: step, label: `${which.join(", ")} released`, color: "#57606a" });
  }
  return marks;
}

/** The island's props. */
export interface TrainDemoProps {
  /** "train" (lesson 5: wasm) or "backends" (lesson 6: choose the backend, see the step time). */
  mode: "train" | "backends";
  /** Whose code trains (see `useCodeSource`). */
  code: CodeProps;
}

const PRESETS: { value: PresetChoice; text: string }[] = [
  { value: "cpu", text: "birth (preset cpu): the run in which the head is born" },
  { value: "global", text: "global: loss on all targets and a final W_F" },
  { value: "freeze", text: "freeze: W_K¹ and W_K² held until step 300 (Figure 3)" },
  { value: "tiny", text: "tiny (preset tiny): a quick look" },
];
/** Lesson 6 (backends) offers the birth run and the quick one. */
const BACKEND_PRESETS = PRESETS.filter((p) => p.value === "cpu" || p.value === "tiny");

/** What to watch in each run (lesson 5). */
const WATCH: Record<PresetChoice, string> = {
  cpu: "The loss is on the in-context targets only. Watch the probes rise top-down (W_O², then " +
    "W_K², then W_K¹) and the in-context accuracy climb: the head is born when it reaches 0.95 " +
    "(the marked step).",
  global: "The loss is on every target and the model has a final layer W_F, as in the paper's " +
    "Figure 2: the global loss (dashed) falls within the first tens of steps, as W_F learns the " +
    "global bigrams, while the in-context accuracy rises only later, when the induction head " +
    "forms (its birth is marked).",
  freeze: "W_K¹ and W_K² are held still until step 300 and only W_O² trains: its probe rises, " +
    "yet the in-context accuracy stays low, since the keys never point at the right token. Once " +
    "they are released (the marked step), the head forms. 600 steps, about twice the birth run.",
  tiny: "A small model (d = 64, T = 32) that trains in seconds; its head is not fully born in " +
    "300 steps.",
};
/** Lesson 6's choice of how many Workers train on a CPU backend ("auto": one per core, at most 4). */
const WORKERS: { value: string; text: string }[] = [
  { value: "auto", text: "one per core (at most 4)" },
  ...["1", "2", "3", "4"].map((n) => ({ value: n, text: n })),
];
const BACKENDS: { value: BackendChoice; text: string }[] = [
  { value: "auto", text: "auto: WebGPU, then WebGL, then wasm" },
  { value: "webgpu", text: "WebGPU" },
  { value: "webgl", text: "WebGL" },
  { value: "wasm", text: "wasm (SIMD)" },
  { value: "cpu", text: "cpu (plain JavaScript, slow)" },
];

type Phase = "idle" | "loading" | "running" | "paused" | "done";

/** A run in the page (`LiveTraining`) or in Web Workers (`WorkerTraining`). */
type Run = Pick<LiveTraining, "config" | "vocab" | "stepCount" | "run" | "evaluate" | "dispose">;

/** Where a run trains: in `workers` Web Workers, or (0) on the page's main thread, and why. */
type Where = { workers: number; why?: string };

/**
 * Why a backend trains on the page's main thread even with many cores (undefined: a CPU backend,
 * which can train in Workers). A GPU backend stays: the one GPU already computes the whole
 * batch in parallel, N Workers would each open their own device (or WebGL context) on that same
 * GPU and queue behind each other, and lesson 6 measures the backend as the page itself uses it.
 *
 * @example
 * ```ts
 * import { gpuStaysOnPage } from "./train_demo.tsx";
 * gpuStaysOnPage("webgpu"); // "webgpu computes on the GPU, ..."
 * gpuStaysOnPage("wasm"); // undefined
 * ```
 */
export function gpuStaysOnPage(backend: string): string | undefined {
  if (backend === "wasm" || backend === "cpu") return undefined;
  return `${backend} computes on the GPU, which already runs the whole batch in parallel: ` +
    "Workers would share that one GPU, so they are for the CPU backends (wasm, cpu)";
}

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import TrainDemo from "./train_demo.tsx";
 * <TrainDemo mode="train" code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function TrainDemo({ mode, code }: TrainDemoProps) {
  const [preset, setPreset] = useState<PresetChoice>("cpu");
  const [backend, setBackend] = useState<BackendChoice>(mode === "backends" ? "auto" : "wasm");
  const [workerChoice, setWorkerChoice] = useState("auto");
  const [phase, setPhase] = useState<Phase>("idle");
  // A switch of the code source resets the run: its model was built from the other code.
  const source = useCodeSource(
    code,
    "Press “Start” to load TensorFlow.js and a fresh model.",
    () => reset(),
  );
  const { setStatus } = source;
  const [notes, setNotes] = useState<string[]>([]);
  const [records, setRecords] = useState<EvalRecord[]>([]);
  const [view, setView] = useState<LiveView>();
  const [msPerStep, setMsPerStep] = useState<number>();
  const [backendLine, setBackendLine] = useState<string>();
  const live = useRef<Run>();
  const [where, setWhere] = useState<Where>();
  const backendName = useRef("");
  const label = CODE_LABEL[source.source];
  const running = useRef(false);
  const loop = useRef<Promise<void>>();

  useEffect(() => () => {
    running.current = false;
    live.current?.dispose();
  }, []);

  const evaluate = async (l: Run) => {
    const v = await l.evaluate();
    setView(v);
    setRecords((old) => [...old, v.record]);
  };

  const run = async () => {
    try {
      if (!live.current) {
        setPhase("loading");
        setNotes([]);
        const options = { onNote: (note: string) => setNotes((old) => [...old, note]) };
        // Each lesson's demo draws from its own experiment: lesson 6's times lesson 5's run.
        const r = mode === "backends"
          ? await source.load("06_webgpu", backend)
          : await source.load("05_training", backend);
        const b = r.info;
        // On a CPU backend and more than one core, the run trains in Web Workers, data-parallel
        // (live_workers.ts: lesson 5's LiveTraining.parallel, in lesson 6 too); a GPU backend
        // stays on the page's main thread (see gpuStaysOnPage), and so does any run on a page
        // that cannot start Workers (one core, no cross-origin isolation: whyNoWorkers).
        const why = gpuStaysOnPage(b.name) ?? r.engine.whyNoWorkers();
        const workers = mode === "backends" && workerChoice !== "auto"
          ? Number(workerChoice)
          : undefined;
        const l: Run & { workers?: number } = why === undefined
          ? await r.engine.startWorkerTraining(preset, {
            ...options,
            workers,
            backend: b.name as CpuBackend,
          })
          : "KernelRace" in r.module
          ? new r.module.KernelRace(preset, options)
          : new r.module.LiveTraining(preset, options);
        live.current = l;
        setWhere({ workers: l.workers ?? 0, why });
        const place = l.workers === undefined
          ? "on the page's main thread"
          : `in ${l.workers} Web Worker${l.workers === 1 ? "" : "s"}`;
        backendName.current = `${b.name} ${place}`;
        setBackendLine(
          `${b.name}${b.device ? ` on ${b.device}` : ""}${
            b.notes.length ? ` (${b.notes.join("; ")})` : ""
          }`,
        );
        setRecords([]);
        await evaluate(l);
      }
      const l = live.current;
      running.current = true;
      setPhase("running");
      const { steps, evalEvery } = l.config;
      let sum = 0;
      let count = 0;
      while (running.current && l.stepCount < steps) {
        const ms = await l.run(1);
        sum += ms;
        count++;
        const step = l.stepCount;
        if (step % evalEvery === 0 || step === steps) {
          setMsPerStep(sum / count);
          sum = 0;
          count = 0;
          await evaluate(l);
        }
        setStatus(`Training: step ${step} of ${steps} on ${backendName.current}, ${label}.`);
        await new Promise((done) => setTimeout(done, 0)); // let the page draw and take clicks
      }
      if (l.stepCount >= steps) {
        setPhase("done");
        setStatus(
          `Done: ${steps} steps on ${backendName.current}, ${label}. Reset to train again.`,
        );
      } else {
        setPhase("paused");
        setStatus(`Paused at step ${l.stepCount} of ${steps}, ${label}.`);
      }
    } catch (e) {
      running.current = false;
      if (!live.current) {
        setPhase("idle"); // nothing was built: Start tries again (after a switch, say)
      } else {
        setPhase("paused");
      }
      source.fail(e);
    }
  };

  const start = () => {
    source.clear();
    loop.current = run();
  };
  const pause = () => {
    running.current = false;
  };
  const reset = async () => {
    running.current = false;
    await loop.current;
    live.current?.dispose();
    live.current = undefined;
    setRecords([]);
    setView(undefined);
    setMsPerStep(undefined);
    setBackendLine(undefined);
    setWhere(undefined);
    setPhase("idle");
    setStatus("Reset: press “Start” for a fresh model.");
  };

  const first = records[0];
  const last = records[records.length - 1];
  const steps = (r: EvalRecord[], key: keyof EvalRecord) =>
    r.filter((x) => Number.isFinite(x[key] as number)).map((x) =>
      [x.step, x[key] as number] as [number, number]
    );
  const config = live.current?.config;
  const maxStep = Math.max(last?.step ?? 0, 10 * (config?.evalEvery ?? 10));
  const marks = runMarks(records, config?.freeze);
  const vocab = live.current?.vocab ?? "";
  const seqLen = view?.tokens.length ?? 0;
  const tokenLabels = (view?.tokens ?? []).map((z) => showChar(vocab[z]));
  const busy = phase === "loading" || phase === "running";

  return (
    <div class="demo-body" id={`train-demo-${mode}`}>
      <div class="controls" role="group" aria-label="Training controls">
        <Choice
          id="train-preset"
          label="Configuration"
          options={mode === "train" ? PRESETS : BACKEND_PRESETS}
          value={preset}
          onChange={setPreset}
          disabled={phase !== "idle"}
        />
        {mode === "backends" && (
          <Choice
            id="train-backend"
            label="Backend"
            options={BACKENDS}
            value={backend}
            onChange={setBackend}
            disabled={phase !== "idle"}
          />
        )}
        {mode === "backends" && (
          <Choice
            id="train-workers-choice"
            label="Web Workers (wasm, cpu)"
            options={WORKERS}
            value={workerChoice}
            onChange={setWorkerChoice}
            disabled={phase !== "idle"}
          />
        )}
        <button
          type="button"
          class="start"
          id="train-start"
          onClick={start}
          disabled={busy || phase === "done"}
        >
          {phase === "paused" ? "Resume" : "Start"}
        </button>
        <button type="button" id="train-pause" onClick={pause} disabled={phase !== "running"}>
          Pause
        </button>
        <button
          type="button"
          id="train-reset"
          onClick={reset}
          disabled={phase === "idle" || phase === "loading"}
        >
          Reset
        </button>
      </div>
      {mode === "train" && (
        <p class="run-about" id="train-about">
          <MatrixText text={WATCH[preset]} />
        </p>
      )}
      <CodePanel exp={source} />
      <Status text={source.status} error={source.error} />
      {notes.length > 0 && (
        <ul class="notes" id="train-notes">
          {notes.map((n) => <li key={n}>{n}</li>)}
        </ul>
      )}
      {backendLine && (
        <ul class="metrics" id="train-metrics">
          <li>
            backend <b id="train-backend-name">{backendLine.split(" ")[0]}</b>
            <span class="detail">{backendLine.slice(backendLine.indexOf(" ") + 1)}</span>
          </li>
          {where && (
            <li>
              Web Workers <b id="train-workers">{where.workers}</b>
              <span class="detail" id="train-workers-why">
                {where.workers > 1
                  ? "each batch split over them, gradients averaged (lesson 6)"
                  : where.workers === 1
                  ? "one, off the page's main thread"
                  : `trains on the page's main thread: ${where.why}`}
              </span>
            </li>
          )}
          <li>
            time per step{" "}
            <b id="train-ms">{msPerStep === undefined ? "…" : `${msPerStep.toFixed(0)} ms`}</b>
          </li>
          <li>
            step <b>{last?.step ?? 0}</b>
            {config && (
              <span class="detail">
                of {config.steps}; d = {config.model.dim}, T = {config.data.seqLen}, batch{" "}
                {config.batchSize}, {config.optimizer.kind} lr {config.optimizer.lr}
              </span>
            )}
          </li>
          <li>
            in-context accuracy <b id="train-acc">{last ? last.inContextAcc.toFixed(3) : "…"}</b>
          </li>
          <li>
            in-context loss <b id="train-loss">{last ? last.lossInContext.toFixed(3) : "…"}</b>
            {first && (
              <span class="detail">
                at step {first.step}:{" "}
                <span id="train-loss-first">{first.lossInContext.toFixed(3)}</span>
              </span>
            )}
          </li>
          <li>
            tensors in memory <b id="train-tensors">{view?.numTensors ?? "…"}</b>
          </li>
        </ul>
      )}
      {records.length > 0 && (
        <div class="demo-panels">
          <section class="panel panel-wide" aria-labelledby="train-curves-heading">
            <h3 id="train-curves-heading">Curves</h3>
            <div class="charts">
              <LineChart
                id="train-loss-chart"
                label="Cross-entropy (nats): in-context targets (trained) and global targets"
                xLabel="step"
                xRange={[0, maxStep]}
                marks={marks}
                series={[
                  {
                    name: "in-context loss",
                    color: "#2563eb",
                    points: steps(records, "lossInContext"),
                  },
                  {
                    name: "global loss",
                    color: "#dc2626",
                    dash: "6 3",
                    points: steps(records, "lossGlobal"),
                  },
                  ...(config?.model.finalFfn
                    ? [{
                      name: "W_F: KL to the bigrams",
                      color: "#0f766e",
                      dash: "2 2",
                      points: steps(records, "wF"),
                    }]
                    : []),
                ]}
              />
              <LineChart
                id="train-acc-chart"
                label="In-context accuracy and memory-recall probes"
                xLabel="step"
                xRange={[0, maxStep]}
                yRange={[0, 1]}
                marks={marks}
                series={[
                  {
                    name: "in-context accuracy",
                    color: "#111827",
                    points: steps(records, "inContextAcc"),
                  },
                  {
                    name: "W_O² probe",
                    color: "#15803d",
                    dash: "6 3",
                    points: steps(records, "wO2"),
                  },
                  {
                    name: "W_K² probe",
                    color: "#9333ea",
                    dash: "2 3",
                    points: steps(records, "wK2"),
                  },
                  {
                    name: "W_K¹ probe",
                    color: "#c2410c",
                    dash: "8 3 2 3",
                    points: steps(records, "wK1"),
                  },
                ]}
              />
            </div>
          </section>
          {view && (
            <section class="panel" aria-labelledby="train-attn-heading">
              <h3 id="train-attn-heading">Attention on one sequence (step {view.record.step})</h3>
              <div class="demo-panels">
                <Heatmap
                  id="train-attn1"
                  label="Layer 1 attention (row = query, column = key): becomes the previous-token head"
                  values={view.attn1}
                  rows={seqLen}
                  cols={seqLen}
                  max={1}
                  axes={["query t", "key s"]}
                  titles={["query position t", "key position s"]}
                  rowLabels={tokenLabels}
                  colLabels={tokenLabels}
                  rowName={(i) => `${i + 1} “${tokenLabels[i]}”`}
                  colName={(j) => `${j + 1} “${tokenLabels[j]}”`}
                  size={300}
                />
                <Heatmap
                  id="train-attn2"
                  label="Layer 2 attention: becomes the induction head (attends to the token after an earlier copy of the current one)"
                  values={view.attn2}
                  rows={seqLen}
                  cols={seqLen}
                  max={1}
                  axes={["query t", "key s"]}
                  titles={["query position t", "key position s"]}
                  rowLabels={tokenLabels}
                  colLabels={tokenLabels}
                  rowName={(i) => `${i + 1} “${tokenLabels[i]}”`}
                  colName={(j) => `${j + 1} “${tokenLabels[j]}”`}
                  size={300}
                />
              </div>
              <p class="legend-text">
                Predictions for the next token: <span class="pred ok">✓</span> right,{" "}
                <span class="pred bad">✗</span> wrong; in-context targets (label ≥ 2) are boxed.
              </p>
              <details class="numbers">
                <summary>The numbers at each evaluation</summary>
                <div class="table-scroll">
                  <table id="train-table">
                    <thead>
                      <tr>
                        <th scope="col">step</th>
                        <th scope="col">in-context loss</th>
                        <th scope="col">global loss</th>
                        <th scope="col">in-context accuracy</th>
                        <th scope="col">
                          <MatrixText text="W_O² probe" />
                        </th>
                        <th scope="col">
                          <MatrixText text="W_K² probe" />
                        </th>
                        <th scope="col">
                          <MatrixText text="W_K¹ probe" />
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {records.map((r) => (
                        <tr key={r.step}>
                          <td>{r.step}</td>
                          {[r.lossInContext, r.lossGlobal, r.inContextAcc, r.wO2, r.wK2, r.wK1]
                            .map((x, i) => (
                              // data-value: the full float, for a reader (or a test) that
                              // compares runs beyond the 3 shown decimals
                              <td key={i} data-value={x}>{x.toFixed(3)}</td>
                            ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
              <ol
                class="predictions"
                id="train-predictions"
                aria-label="Input and predicted next token per position"
              >
                {view.tokens.map((z, t) => {
                  const ok = view.predictions[t] === view.targets[t];
                  const ctx = view.labels[t] >= 2;
                  return (
                    <li
                      class={`cell${ctx ? " ctx" : ""}`}
                      title={`t=${t + 1}, target “${vocab[view.targets[t]]}”`}
                    >
                      <span class="in">{showChar(vocab[z])}</span>
                      <span class={`pred ${ok ? "ok" : "bad"}`}>
                        {showChar(vocab[view.predictions[t]])}
                      </span>
                    </li>
                  );
                })}
              </ol>
            </section>
          )}
        </div>
      )}
    </div>
  );
}
