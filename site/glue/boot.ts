/**
 * The browser side of islands: finds each `<div data-island="NAME" data-props="JSON">` that the
 * server rendered and hydrates it with the island's component, so the server's HTML becomes
 * live without being redrawn. Loaded only by pages that use an island.
 *
 * @example
 * ```ts
 * // In the page (written by render.ts' islandScript):
 * // import { boot } from "/_islands/glue/boot.js";
 * // import * as $0 from "/_islands/islands/bigram_demo.js";
 * // boot({ bigram_demo: $0.default });
 * ```
 * @module
 */
import { type ComponentType, h, hydrate } from "preact";

/**
 * Hydrates every island marker of the page with its component.
 *
 * @example
 * ```ts
 * import { boot } from "./boot.ts";
 * boot({}); // hydrates nothing on a page without islands
 * ```
 */
// deno-lint-ignore no-explicit-any
export function boot(islands: Record<string, ComponentType<any>>): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = el.dataset.island ?? "";
    const component = islands[name];
    if (!component) {
      console.error(`island "${name}" has no bundle on this page`);
      continue;
    }
    hydrate(h(component, JSON.parse(el.dataset.props ?? "{}")), el);
  }
}
