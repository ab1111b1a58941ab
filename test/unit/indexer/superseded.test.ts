import { describe, expect, it } from "vitest";
import {
  documentsToRead,
  isSuperseded,
  readVersions,
  versionKey,
} from "../../../functions/indexer/superseded";
import { parseJsonKeepingDigits } from "../../../shared/exact-json";

describe("superseded records", () => {
  it("reads the versions of found documents from an _mget answer read with numbers as written", () => {
    const answer = parseJsonKeepingDigits(
      `{"docs":[
        {"_index":"orders","_id":"1","_version":1700000000000000123,"found":true},
        {"_index":"orders","_id":"2","_version":42,"found":true},
        {"_index":"orders","_id":"4","_version":1788940491366180000,"found":true},
        {"_index":"orders","_id":"3","found":false},
        {"_index":"gone","_id":"1","error":{"type":"index_not_found_exception"}}
      ]}`,
    );
    expect(readVersions(answer)).toEqual(
      new Map([
        [versionKey({ index: "orders", id: "1" }), 1_700_000_000_000_000_123n],
        [versionKey({ index: "orders", id: "2" }), 42n],
        // Past 2^53 with 15 significant digits: a double prints it the same but is another integer.
        [versionKey({ index: "orders", id: "4" }), 1_788_940_491_366_180_000n],
      ]),
    );
    expect(readVersions(undefined)).toEqual(new Map());
  });

  it("is superseded only by a strictly higher version of the same document", () => {
    const current = new Map([[versionKey({ index: "orders", id: "1" }), 10n]]);
    expect(isSuperseded({ index: "orders", id: "1", version: 9n }, current)).toBe(true);
    expect(isSuperseded({ index: "orders", id: "1", version: 10n }, current)).toBe(false);
    expect(isSuperseded({ index: "orders", id: "2", version: 1n }, current)).toBe(false);
    expect(isSuperseded({ index: "paid-orders", id: "1", version: 1n }, current)).toBe(false);
  });

  it("reads each document once", () => {
    expect(
      documentsToRead([
        { index: "orders", id: "1", version: 1n },
        { index: "orders", id: "1", version: 2n },
        { index: "paid-orders", id: "1", version: 2n },
      ]),
    ).toEqual([
      { index: "orders", id: "1" },
      { index: "paid-orders", id: "1" },
    ]);
  });
});
