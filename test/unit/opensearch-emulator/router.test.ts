/** The emulator's route table: first match wins, `{index}` never takes an API name, the rest is a clear 400. */
import { describe, expect, it } from "vitest";
import { findRoute, type Route } from "../../../tools/opensearch-emulator/router";
import { OpenSearchEmulator } from "../../../tools/opensearch-emulator/server";

const routes: Route[] = [
  { methods: ["GET"], path: "/{index}/_doc/{id}", handler: () => [200, "get"] },
  { methods: "*", path: "/{index}/_doc/{id}", handler: () => [200, "write"] },
  { methods: ["PUT"], path: "/{index}", handler: () => [200, "create"] },
];
const url = (path: string) => new URL(`http://emulator${path}`);

describe("emulator router", () => {
  it("matches by method and path, first match first, with decoded parameters", () => {
    const get = findRoute(routes, "GET", url("/orders/_doc/a%7Cb"));
    expect(get?.route.handler({} as never)).toEqual([200, "get"]);
    expect(get?.params).toEqual({ index: "orders", id: "a|b" });
    expect(findRoute(routes, "DELETE", url("/orders/_doc/1"))?.route.handler({} as never)).toEqual([
      200,
      "write",
    ]);
    expect(findRoute(routes, "PUT", url("/_cat"))).toBeUndefined();
    expect(findRoute(routes, "GET", url("/orders"))).toBeUndefined();
  });

  it("answers what it does not implement with a 400 that says so", () => {
    const emulator = new OpenSearchEmulator();
    const [status, body] = emulator.handle("GET", url("/_cat/shards"), "");
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain("path /_cat/shards is not supported by the emulator");
    expect(emulator.handle("POST", url("/orders/_close"), "")[0]).toBe(400);
  });
});
