/**
 * `_cat/indices`, `_cat/count`, `_cat/health`, `_cluster/health` and `?pretty`: what a person types at a
 * terminal against the local stack's emulator, answered as OpenSearch answers it on a one-node cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byteSize, TextBody } from "../../../tools/opensearch-emulator/api/cat";
import type { HttpError } from "../../../tools/opensearch-emulator/http";
import {
  OpenSearchEmulator,
  type RunningEmulator,
  startEmulator,
} from "../../../tools/opensearch-emulator/server";

function emulator() {
  const em = new OpenSearchEmulator();
  const call = (method: string, path: string, body?: unknown) =>
    em.handle(method, new URL(`http://emulator${path}`), body === undefined ? "" : JSON.stringify(body));
  const text = (path: string) => {
    const [status, body] = call("GET", path);
    expect(status).toBe(200);
    expect(body).toBeInstanceOf(TextBody);
    return (body as TextBody).text;
  };
  call("PUT", "/orders", { settings: { number_of_shards: 1, number_of_replicas: 0 } });
  call("PUT", "/events"); // OpenSearch's default: one replica, which one node cannot assign
  for (let id = 1; id <= 12; id++) call("PUT", `/orders/_doc/${id}?refresh=true`, { id, status: "paid" });
  call("PUT", "/events/_doc/a", { kind: "x" }); // not refreshed yet: not counted
  return { em, call, text };
}

describe("_cat/indices", () => {
  it("shows a header with v, one aligned row per index, numbers right-aligned, health per replicas", () => {
    const { text } = emulator();
    const lines = text("/_cat/indices?v&h=health,status,index,pri,rep,docs.count").split("\n");
    expect(lines).toEqual([
      "health status index  pri rep docs.count",
      "yellow open   events   1   1          0",
      "green  open   orders   1   0         12",
      "",
    ]);
  });

  it("answers JSON arrays of strings keyed as asked, filtered by health, sorted by s", () => {
    const { call } = emulator();
    expect(call("GET", "/_cat/indices?format=json&h=i,dc&health=green")[1]).toEqual([
      { i: "orders", dc: "12" },
    ]);
    expect(call("GET", "/_cat/indices?format=json&h=index&s=docs.count:desc")[1]).toEqual([
      { index: "orders" },
      { index: "events" },
    ]);
    // Sizes sort by bytes, not by their text ("25.6kb" and "305b").
    call("PUT", "/big/_doc/1?refresh=true", { note: "x".repeat(3_000) });
    expect(call("GET", "/_cat/indices?format=json&h=i,ss&s=store.size:desc")[1]).toEqual([
      { i: "big", ss: "2.9kb" },
      { i: "orders", ss: expect.stringMatching(/^\d+b$/) },
      { i: "events", ss: "0b" },
    ]);
  });

  it("refuses an unknown column, health or format with 400, and a missing index with 404", () => {
    const { call } = emulator();
    // The HTTP layer answers an HttpError with its status and OpenSearch's error body.
    const statusOf = (path: string) => {
      try {
        return call("GET", path)[0];
      } catch (error) {
        return (error as HttpError).status;
      }
    };
    expect(statusOf("/_cat/indices?h=nope")).toBe(400);
    expect(statusOf("/_cat/indices?health=purple")).toBe(400);
    expect(statusOf("/_cat/indices?format=yaml")).toBe(400);
    expect(statusOf("/_cat/indices/missing")).toBe(404);
    expect(statusOf("/_cat/indices/orders")).toBe(200);
  });

  it("writes sizes as OpenSearch does", () => {
    expect([0, 208, 1024, 5222, 1048576, 1610612736].map(byteSize)).toEqual([
      "0b",
      "208b",
      "1kb",
      "5.1kb",
      "1mb",
      "1.5gb",
    ]);
  });
});

describe("_cat/count and _cat/health", () => {
  it("counts what search sees, per index or over all", () => {
    const { text } = emulator();
    expect(text("/_cat/count/orders?h=count")).toBe("12\n");
    expect(text("/_cat/count?v&h=count")).toBe("count\n   12\n");
    expect(text("/_cat/count/orders")).toMatch(/^\d+ \d\d:\d\d:\d\d 12\n$/);
  });

  it("reports the cluster yellow while a replica is unassigned, with or without timestamps", () => {
    const { text } = emulator();
    expect(text("/_cat/health?h=status,shards,pri,unassign")).toBe("yellow 2 2 1\n");
    expect(text("/_cat/health?ts=false")).toMatch(
      /^opensearch-emulator yellow 1 1 true 2 2 0 0 1 0 - 66\.7%\n$/,
    );
  });
});

describe("_cluster/health", () => {
  it("is green with every shard assigned and yellow with a replica; a wait for green times out at once", () => {
    const { call } = emulator();
    const [status, health] = call("GET", "/_cluster/health");
    expect(status).toBe(200);
    expect(health).toMatchObject({ status: "yellow", number_of_data_nodes: 1, unassigned_shards: 1 });
    expect(call("GET", "/_cluster/health?wait_for_status=yellow")[0]).toBe(200);
    expect(call("GET", "/_cluster/health?wait_for_status=green")).toEqual([
      408,
      expect.objectContaining({ timed_out: true, status: "yellow" }),
    ]);
    call("DELETE", "/events");
    expect(call("GET", "/_cluster/health?wait_for_status=green")).toEqual([
      200,
      expect.objectContaining({ status: "green", timed_out: false, active_shards_percent_as_number: 100 }),
    ]);
  });
});

describe("over HTTP", () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator();
  });
  afterAll(() => running.stop());

  it("answers ?pretty indented with a final newline, and _cat as text/plain", async () => {
    const pretty = await fetch(`${running.url}/_cluster/health?pretty`);
    const body = await pretty.text();
    expect(body).toMatch(/^\{\n {2}"cluster_name": "opensearch-emulator",\n/);
    expect(body.endsWith("}\n")).toBe(true);
    expect(await (await fetch(`${running.url}/_cluster/health?pretty=false`)).text()).not.toContain("\n");
    const cat = await fetch(`${running.url}/_cat/indices?v`);
    expect(cat.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(await cat.text()).toBe(
      "health status index uuid pri rep docs.count docs.deleted store.size pri.store.size\n",
    );
  });
});
