/** What the local stack says at start about routes added since its last start. */
import { expect, it } from "vitest";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { newRouteHints, routeIndices } from "../../tools/local-stack/route-changes";

const config = (routes: string) =>
  parsePipelineConfig(`tables:
  public.orders: { primaryKey: [id] }
  public.items: { primaryKey: [id] }
routes:
${routes}`);

it("names a route new to a table captured before, not one of a table new to the config", () => {
  const before = routeIndices(
    config("  - { index: paid, table: public.orders, when: { field: s, equals: p } }"),
  );
  expect(before).toEqual({ "public.orders": ["paid"], "public.items": [] });
  const after = routeIndices(
    config(`  - { index: paid, table: public.orders, when: { field: s, equals: p } }
  - { index: big, table: public.orders, when: { field: n, greaterThan: 9 } }
  - { index: red, table: public.items, when: { field: c, equals: red } }
  - { index: new, table: public.parts, when: { field: c, equals: x } }`),
  );
  expect(newRouteHints(before, after)).toEqual([
    "route big is new: rows of public.orders written before it are not in it; to fill it: npm run reload -- public.orders",
    "route red is new: rows of public.items written before it are not in it; to fill it: npm run reload -- public.items",
  ]);
  expect(newRouteHints(after, after)).toEqual([]);
});
