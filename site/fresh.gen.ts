/**
 * The list of routes and islands, as Fresh's generated `fresh.gen.ts` writes it. Fresh
 * generates this file; here it is kept by hand: add a line for each new file of `routes/` or
 * `islands/`. The test "fresh.gen.ts lists exactly the files of routes/ and islands/" in
 * `site/tests/glue_test.ts` fails when a file is missing here or a listed one is gone.
 *
 * @example
 * ```ts
 * import manifest from "./fresh.gen.ts";
 * import { createApp } from "./glue/server.ts";
 * const { app } = createApp(manifest, { root: "." });
 * ```
 * @module
 */
import * as $_404 from "./routes/_404.tsx";
import * as $_app from "./routes/_app.tsx";
import * as $api_check_lesson from "./routes/api/check/[lesson].ts";
import * as $api_events from "./routes/api/events.ts";
import * as $api_site from "./routes/api/site.ts";
import * as $api_solution_lesson from "./routes/api/solution/[lesson].ts";
import * as $index from "./routes/index.tsx";
import * as $lessons_lesson from "./routes/lessons/[lesson].tsx";
import * as $lessons_index from "./routes/lessons/index.tsx";
import * as $source_path from "./routes/source/[...path].tsx";
import * as $spec from "./routes/spec.tsx";
import * as $attention_demo from "./islands/attention_demo.tsx";
import * as $beyond_demo from "./islands/beyond_demo.tsx";
import * as $bigram_demo from "./islands/bigram_demo.tsx";
import * as $data_demo from "./islands/data_demo.tsx";
import * as $induction_demo from "./islands/induction_demo.tsx";
import * as $memory_demo from "./islands/memory_demo.tsx";
import * as $page_toc from "./islands/page_toc.tsx";
import * as $primer_demo from "./islands/primer_demo.tsx";
import * as $top_down_demo from "./islands/top_down_demo.tsx";
import * as $train_demo from "./islands/train_demo.tsx";
import type { Manifest } from "./glue/types.ts";

/** Every route and island of the site. */
const manifest: Manifest = {
  routes: {
    "./routes/_404.tsx": $_404,
    "./routes/_app.tsx": $_app,
    "./routes/api/check/[lesson].ts": $api_check_lesson,
    "./routes/api/events.ts": $api_events,
    "./routes/api/site.ts": $api_site,
    "./routes/api/solution/[lesson].ts": $api_solution_lesson,
    "./routes/index.tsx": $index,
    "./routes/lessons/[lesson].tsx": $lessons_lesson,
    "./routes/lessons/index.tsx": $lessons_index,
    "./routes/source/[...path].tsx": $source_path,
    "./routes/spec.tsx": $spec,
  },
  islands: {
    "./islands/attention_demo.tsx": $attention_demo,
    "./islands/beyond_demo.tsx": $beyond_demo,
    "./islands/bigram_demo.tsx": $bigram_demo,
    "./islands/data_demo.tsx": $data_demo,
    "./islands/induction_demo.tsx": $induction_demo,
    "./islands/memory_demo.tsx": $memory_demo,
    "./islands/page_toc.tsx": $page_toc,
    "./islands/primer_demo.tsx": $primer_demo,
    "./islands/top_down_demo.tsx": $top_down_demo,
    "./islands/train_demo.tsx": $train_demo,
  },
  baseUrl: import.meta.url,
};

export default manifest;
