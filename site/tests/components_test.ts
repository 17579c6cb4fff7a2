// Server-rendered tests of the demos' shared controls and of lesson 2's scale slider: a slider
// whose positions stand for other values shows (and tells screen readers) the value, not the
// position.
import { assert, assertStringIncludes } from "./assert.ts";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { Slider } from "../components/controls.tsx";
import AttentionDemo from "../islands/attention_demo.tsx";
import { ticks } from "../components/line_chart.tsx";

Deno.test("Slider shows its value, or what format makes of it", () => {
  const plain = renderToString(
    h(Slider, { id: "d", label: "d", min: 4, max: 256, value: 64, onChange: () => {} }),
  );
  assertStringIncludes(plain, '<output for="d">64</output>');
  assert(!plain.includes("aria-valuetext"), "a plain slider needs no value text");
  const scales = [0.1, 1, 10];
  const formatted = renderToString(
    h(Slider, {
      id: "s",
      label: "scale",
      min: 0,
      max: 2,
      value: 2,
      format: (i: number) => `${scales[i]}`,
      onChange: () => {},
    }),
  );
  assertStringIncludes(formatted, 'value="2"');
  assertStringIncludes(formatted, 'aria-valuetext="10"');
  assertStringIncludes(formatted, '<output for="s">10</output>');
});

Deno.test("lesson 2's scale slider shows the scale a = 1, not its position 8", () => {
  const html = renderToString(h(AttentionDemo, { code: { source: "reference", exercises: {} } }));
  assertStringIncludes(html, '<label for="attn-scale">scale a</label>');
  assertStringIncludes(html, '<output for="attn-scale">1</output>');
  assertStringIncludes(html, 'aria-valuetext="1"');
});

Deno.test("line chart ticks: round steps inside the axis only", () => {
  const same = (a: number[], b: number[]) => assert(a.join() === b.join(), `${a} !== ${b}`);
  same(ticks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  same(ticks(0.05, 0.97, 5), [0.2, 0.4, 0.6, 0.8]);
  same(ticks(0, 300, 5), [0, 100, 200, 300]);
  same(ticks(3, 3, 4), [3]);
});
