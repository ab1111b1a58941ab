/** Where `npm run demo` looks for its rows: the indices the stack's own routing config gives them. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { DemoNotCapturedError, demoIndices } from "../../tools/demo/demo";

it("takes the indices of the project's config, and an index of one's own", () => {
  const yaml = readFileSync("config/pipeline.yaml", "utf8");
  expect(demoIndices(parsePipelineConfig(yaml, { indexPrefix: "local-" }), "local-")).toEqual({
    orders: "local-orders",
    orderItems: "local-order_items",
    loanCreated: "local-loan-created-events",
  });
  const renamed = parsePipelineConfig(yaml.replace("index: orders", "index: sales"), { indexPrefix: "" });
  expect(demoIndices(renamed, "")).toMatchObject({ orders: "sales", loanCreated: "loan-created-events" });
});

it("refuses at once a config that does not capture the demo's tables; runs without the LoanCreated route", () => {
  const own = parsePipelineConfig("tables:\n  public.customers: {}\n  public.orders: {}\n");
  expect(() => demoIndices(own, "")).toThrow(DemoNotCapturedError);
  expect(() => demoIndices(own, "")).toThrow(
    "the running stack's routing config does not capture public.order_items, which the demo writes and searches; run it on a stack started with config/pipeline.yaml",
  );
  const noRoute = parsePipelineConfig("tables:\n  public.orders: {}\n  public.order_items: {}\n");
  expect(demoIndices(noRoute, "")).toEqual({
    orders: "public_orders",
    orderItems: "public_order_items",
    loanCreated: undefined,
  });
});
