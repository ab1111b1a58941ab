import { describe, expect, it } from "vitest";
import { classifyItem, classifyRequestError } from "../../../functions/indexer/classify";

describe("classification", () => {
  it.each([
    ["index", { status: 201 }, "applied"],
    ["index", { status: 409, error: { type: "version_conflict_engine_exception" } }, "stale"],
    ["delete", { status: 404 }, "applied"],
    ["index", { status: 404, error: { type: "index_not_found_exception" } }, "permanent"],
    ["index", { status: 429, error: { type: "es_rejected_execution_exception" } }, "retryable"],
    ["index", { status: 503, error: { type: "unavailable_shards_exception" } }, "retryable"],
    ["index", { status: 500, error: { type: "circuit_breaking_exception" } }, "retryable"],
    ["index", { status: 400, error: { type: "circuit_breaking_exception" } }, "retryable"],
    ["index", { status: 400, error: { type: "mapper_parsing_exception" } }, "permanent"],
    ["index", { status: 400, error: { type: "illegal_argument_exception" } }, "permanent"],
    ["index", { status: 400, error: { type: "strict_dynamic_mapping_exception" } }, "permanent"],
    ["index", { status: 413, error: { type: "content_too_long" } }, "permanent"],
  ] as const)("%s item %j is %s", (op, item, kind) => {
    expect(classifyItem(op, item).kind).toBe(kind);
  });
  it.each([
    [{ meta: { statusCode: 413 } }, "split"],
    [{ meta: { statusCode: 400, body: { error: { type: "parse_exception" } } } }, "split"],
    [{ meta: { statusCode: 429 } }, "retryable"],
    [{ meta: { statusCode: 503 } }, "retryable"],
    [{ meta: { statusCode: 403 } }, "retryable"],
    [{ name: "ConnectionError", message: "ECONNREFUSED" }, "retryable"],
    [{ name: "TimeoutError", message: "Request timed out" }, "retryable"],
  ])("request error %j is %s", (error, kind) => {
    expect(classifyRequestError(error).kind).toBe(kind);
  });
});
