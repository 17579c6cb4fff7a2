/// <reference lib="dom" />
/**
 * Lesson 7's live demo: step through the top-down gradient steps. Pick the ideal model (every
 * family of embeddings orthogonal) or the course's random embeddings at d = 256, then take one
 * chosen population-gradient step on W_O^2, W_K^2 or W_K^1, in any order, and watch the three
 * probes and the held-out loss and accuracy after each step. Lesson 7's code (the learner's or
 * the reference, as the switch says), on TensorFlow.js loaded when the demo starts.
 *
 * @example
 * ```tsx
 * import TopDownDemo from "./top_down_demo.tsx";
 * <TopDownDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 * @module
 */
import { useRef, useState } from "preact/hooks";
import { Choice, Status } from "../components/controls.tsx";
import {
  CODE_LABEL,
  CodePanel,
  type CodeProps,
  useCodeSource,
} from "../components/use_experiment.tsx";
import type { StepRecord } from "@exercises/07_top_down/exercises.ts";
import { MatrixText } from "../components/matrix_name.tsx";
import type { TopDownSession } from "../../lessons/07_top_down/experiment.ts";
type Kind = "ideal" | "random";
type Name = "wO2" | "wK2" | "wK1";

const LABEL: Record<Name, string> = { wO2: "W_O²", wK2: "W_K²", wK1: "W_K¹" };

/**
 * The demo.
 *
 * @example
 * ```tsx
 * import TopDownDemo from "./top_down_demo.tsx";
 * <TopDownDemo code={{ source: "reference", exercises: {} }} />;
 * ```
 */
export default function TopDownDemo({ code }: { code: CodeProps }) {
  const [kind, setKind] = useState<Kind>("ideal");
  const [records, setRecords] = useState<StepRecord[]>([]);
  const [busy, setBusy] = useState(false);
  // A switch of the code source drops the session: it was built from the other code.
  const source = useCodeSource(
    code,
    "Press “Start” to load TensorFlow.js, sample 128 + 64 sequences and build the model at zero.",
    (to) => {
      session.current?.dispose();
      session.current = undefined;
      setRecords([]);
      setStatus(`Switched to ${CODE_LABEL[to]}: press “Start”.`);
    },
  );
  const { setStatus } = source;
  const label = CODE_LABEL[source.source];
  const session = useRef<TopDownSession>();

  const run = async (what: string, work: () => void | Promise<void>) => {
    setBusy(true);
    source.clear();
    setStatus(what);
    await new Promise((done) => setTimeout(done, 30)); // let the page draw the status
    try {
      await work();
    } catch (err) {
      source.fail(err);
    } finally {
      setBusy(false);
    }
  };

  const start = (k: Kind) =>
    run("Loading TensorFlow.js and building the model…", async () => {
      const { module, backend } = await source.load("07_top_down", "wasm");
      session.current?.dispose();
      session.current = undefined;
      setRecords([]);
      const started = module.startSession(k);
      session.current = started;
      setRecords([...started.records]);
      setStatus(
        `${k === "ideal" ? "Ideal" : "Random-embedding"} model, d = ${started.dim}, ` +
          `at zero memories (${backend} backend, ${label}). Take a step.`,
      );
    });

  const step = (name: Name) =>
    run(`Population gradient of ${LABEL[name]} and its step size…`, () => {
      const s = session.current!;
      s.step(name);
      setRecords([...s.records]);
      const last = s.records[s.records.length - 1];
      setStatus(
        `${LABEL[name]}: ‖gradient‖ ${last.gradNorm.toExponential(1)}, chosen step ` +
          `${last.eta}. ${last.gradNorm === 0 ? "No gradient yet: the step is 0." : ""}`,
      );
    });

  return (
    <div class="demo-body" id="topdown-demo">
      <div class="controls" role="group" aria-label="Top-down steps">
        <Choice
          id="td-kind"
          label="Embeddings"
          options={[
            { value: "ideal", text: "ideal (orthogonal, d = 4N + T)" },
            { value: "random", text: "random N(0,1), d = 256" },
          ]}
          value={kind}
          disabled={busy}
          onChange={(k) => {
            setKind(k);
            if (session.current) start(k);
          }}
        />
        <button
          type="button"
          class="start"
          id="td-start"
          disabled={busy}
          onClick={() => start(kind)}
        >
          {records.length ? "Reset to zero" : "Start"}
        </button>
        {(["wO2", "wK2", "wK1"] as Name[]).map((name) => (
          <button
            type="button"
            key={name}
            id={`td-step-${name}`}
            disabled={busy || records.length === 0}
            onClick={() => step(name)}
          >
            Step <MatrixText text={LABEL[name]} />
          </button>
        ))}
      </div>
      <CodePanel exp={source} />
      <Status text={source.status} error={source.error} />
      {records.length > 0 && (
        <table class="steps" id="td-table">
          <caption>
            Held-out loss and accuracy, and the memory-recall probes of lesson 5 (chance: 0.02,
            0.20, 0.03), after each step
          </caption>
          <thead>
            <tr>
              <th scope="col">after</th>
              <th scope="col">step size</th>
              <th scope="col">loss</th>
              <th scope="col">accuracy</th>
              <th scope="col">
                <MatrixText text="W_O² (copy)" />
              </th>
              <th scope="col">
                <MatrixText text="W_K² (5 triggers)" />
              </th>
              <th scope="col">
                <MatrixText text="W_K¹ (previous position)" />
              </th>
            </tr>
          </thead>
          <tbody>
            {records.map((r, i) => (
              <tr key={i}>
                <th scope="row">
                  {r.name ? <MatrixText text={`${LABEL[r.name as Name]} step`} /> : "zero init"}
                </th>
                <td>{r.name ? String(Number(r.eta.toPrecision(2))) : ""}</td>
                <td>{r.loss.toFixed(2)}</td>
                <td>{r.acc.toFixed(2)}</td>
                <td>{r.probes.wO2.toFixed(2)}</td>
                <td>{r.probes.wK2.toFixed(2)}</td>
                <td>{r.probes.wK1.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <MatrixText
          text={"Try W_K¹ or W_K² first: their gradient is exactly 0 until the memory above them " +
            "exists. Then W_O², W_K², W_K¹: each probe rises at its own step. With random " +
            "embeddings the same steps find a much weaker copy signal."}
        />
      </p>
    </div>
  );
}
