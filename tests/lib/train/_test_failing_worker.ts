/**
 * A test's Worker for tests/lib/train/parallel_test.ts: its training step fails, with a plain error
 * or, when the shard's first token id is 0, as an unwritten exercise.
 * @module
 */
import { NotImplementedError } from "@lib/testing/mod.ts";
import { serveGradients } from "@lib/train/parallel.ts";

serveGradients((_params, _config, batch) => {
  if (batch.inputs.dataSync()[0] === 0) throw new NotImplementedError("trainingStep");
  throw new Error("this shard broke");
});
