/**
 * Server-side rendering with islands, as Fresh does it. Every component exported by a file of
 * `islands/` is recognised when a page uses it (through Preact's `options.vnode` hook) and is
 * rendered inside a `<div data-island="NAME" data-props="JSON">` marker; the page then gets one
 * module script that imports those islands' bundles and hydrates each marker (see `boot.ts`).
 * Pages without islands get no script at all, so the lesson text never waits for JavaScript.
 *
 * @example
 * ```ts
 * import { h } from "preact";
 * import { registerIslands, renderToHtml } from "./render.ts";
 * function Counter(props: { start: number }) { return h("button", null, String(props.start)); }
 * registerIslands({ "./islands/counter.tsx": { default: Counter } });
 * renderToHtml(h("main", null, h(Counter, { start: 3 }))).islands; // ["counter"]
 * ```
 * @module
 */
import { type ComponentType, h, options, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { IslandModule } from "./types.ts";

const islandNames = new Map<ComponentType, string>();
let used: Set<string> | undefined;
let bypass = false;

/**
 * Remembers which components are islands, by their file name (`./islands/bigram_demo.tsx` is
 * `bigram_demo`).
 *
 * @example
 * ```ts
 * import { registerIslands } from "./render.ts";
 * registerIslands({});
 * ```
 */
export function registerIslands(islands: Record<string, IslandModule>): void {
  for (const [file, mod] of Object.entries(islands)) islandNames.set(mod.default, islandName(file));
}

/**
 * The island's name: its file name without folder and extension.
 *
 * @example
 * ```ts
 * import { islandName } from "./render.ts";
 * islandName("./islands/train_demo.tsx"); // "train_demo"
 * ```
 */
export function islandName(file: string): string {
  const name = file.replace(/^.*\//, "").replace(/\.(tsx|ts|jsx|js)$/, "");
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new Error(`island file ${file}: name it in snake_case (letters, digits, _)`);
  }
  return name;
}

/** Renders an island inside its marker. Its own vnode is made with the hook bypassed. */
function IslandMarker(
  { name, component, props }: { name: string; component: ComponentType; props: object },
  // deno-lint-ignore no-explicit-any
): VNode<any> {
  used?.add(name);
  let json: string;
  try {
    json = JSON.stringify(props, (key, value) => {
      if (typeof value === "function") throw new Error(`prop "${key}" is a function`);
      return value;
    });
  } catch (error) {
    throw new Error(`island ${name}: its props must be JSON (${(error as Error).message})`);
  }
  bypass = true;
  const inner = h(component, props);
  bypass = false;
  return h("div", { "data-island": name, "data-props": json, style: "display:contents" }, inner);
}

const previousHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (!bypass && typeof vnode.type === "function") {
    const name = islandNames.get(vnode.type as ComponentType);
    if (name) {
      const { children: _children, ...props } = vnode.props as Record<string, unknown>;
      // deno-lint-ignore no-explicit-any
      (vnode as VNode<any>).props = { name, component: vnode.type, props };
      vnode.type = IslandMarker as ComponentType;
    }
  }
  previousHook?.(vnode);
};

/**
 * Renders a tree to HTML and says which islands it used.
 *
 * @example
 * ```ts
 * import { h } from "preact";
 * import { renderToHtml } from "./render.ts";
 * renderToHtml(h("p", null, "hi")); // { html: "<p>hi</p>", islands: [] }
 * ```
 */
// deno-lint-ignore no-explicit-any
export function renderToHtml(vnode: VNode<any>): { html: string; islands: string[] } {
  used = new Set();
  try {
    const html = renderToString(vnode);
    return { html, islands: [...used].sort() };
  } finally {
    used = undefined;
  }
}

/**
 * The module script that hydrates the given islands (empty when there are none). `base` is where
 * the bundles are served.
 *
 * @example
 * ```ts
 * import { islandScript } from "./render.ts";
 * islandScript(["bigram_demo"], "/_islands");
 * // '<script type="module">import { boot } from "/_islands/glue/boot.js"; ...'
 * ```
 */
export function islandScript(islands: string[], base: string): string {
  if (islands.length === 0) return "";
  const imports = islands.map((name, i) => `import * as $${i} from "${base}/islands/${name}.js";`);
  const table = islands.map((name, i) => `${JSON.stringify(name)}: $${i}.default`).join(", ");
  return `<script type="module">import { boot } from "${base}/glue/boot.js"; ${
    imports.join(" ")
  } boot({ ${table} });</script>`;
}
