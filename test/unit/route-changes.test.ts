/** What the local stack says at start about routes added or changed since its last start. */
import { expect, it } from "vitest";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { routeHints, routeState } from "../../tools/local-stack/route-changes";

const config = (routes: string) =>
  parsePipelineConfig(`tables:
  public.orders: { primaryKey: [id] }
  public.items: { primaryKey: [id] }
routes:
${routes}`);
const paid = "  - { index: paid, table: public.orders, when: { field: s, equals: p } }";

it("names a route new to a table captured before, not one of a table new to the config", () => {
  const before = routeState(config(paid));
  expect(before).toEqual({ "public.orders": { paid: '{"field":"s","equals":"p"}' }, "public.items": {} });
  const after = routeState(
    config(`${paid}
  - { index: big, table: public.orders, when: { field: n, greaterThan: 9 } }
  - { index: red, table: public.items, when: { field: c, equals: red } }
  - { index: new, table: public.parts, when: { field: c, equals: x } }`),
  );
  expect(routeHints(before, after)).toEqual([
    "route big is new: rows of public.orders written before it are not in it; to fill it: npm run reload -- public.orders",
    "route red is new: rows of public.items written before it are not in it; to fill it: npm run reload -- public.items",
  ]);
  expect(routeHints(after, after)).toEqual([]);
});

it("names a route whose condition changed, with the rebuild that makes its index match it", () => {
  const before = routeState(config(paid));
  const after = routeState(
    config("  - { index: paid, table: public.orders, when: { field: s, in: [p, q] } }"),
  );
  expect(routeHints(before, after)).toEqual([
    "route paid has a new condition: its index keeps documents that no longer match and lacks rows that now do; to rebuild it: npm run reload -- --rebuild public.orders",
  ]);
  // A record of indices only (before conditions were kept): new routes only.
  expect(routeHints({ "public.orders": ["paid"] }, after)).toEqual([]);
});
