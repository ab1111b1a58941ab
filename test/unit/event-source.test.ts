/** The sample events' sources: a typo in a key or broken YAML is said, with where, before anything is written. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EventSourceError, parseEventSource } from "../../tools/events/event-source";

const reason = (text: string) => {
  try {
    parseEventSource(text);
  } catch (error) {
    expect(error).toBeInstanceOf(EventSourceError);
    return (error as Error).message;
  }
  throw new Error("parsed");
};

describe("parseEventSource", () => {
  it("takes every source in events/src", () => {
    const files = readdirSync("events/src").filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files)
      expect(() => parseEventSource(readFileSync(`events/src/${file}`, "utf8"))).not.toThrow();
  });

  it("names a mistyped key and the key it stands for (before, the event was written without a partition key)", () => {
    expect(reason("records:\n  - partitionKy: public.orders.1\n    message: {data: {id: 1}}\n")).toBe(
      [
        "a Kinesis event source that is not valid:",
        "  - records.0.partitionKey: Invalid input: expected string, received undefined",
        '  - records.0: Unrecognized key: "partitionKy"',
      ].join("\n"),
    );
    expect(reason("records:\n  - partitionKey: k\n    message: {}\n    raw: x\n")).toContain(
      "records.0: needs message (a DMS message) or raw (the record's text), one of them",
    );
    expect(reason("request: {methd: POST, path: /events}\n")).toContain('request: Unrecognized key: "methd"');
  });

  it("says where YAML is broken, in one line", () => {
    expect(reason("records:\n  - {partitionKey: k,, raw: x}\n")).toMatch(
      /^not valid YAML: .+ at line 2, column \d+:$/,
    );
  });

  it("leaves what a sample carries free (bad input on purpose: the poison batch, the invalid request)", () => {
    expect(parseEventSource("records:\n  - partitionKey: k\n    message: {not: dms}\n")).toEqual({
      records: [{ partitionKey: "k", message: { not: "dms" } }],
    });
  });
});
