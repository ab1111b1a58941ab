/**
 * The hand-written shape check of DMS messages (the hot path) accepts exactly what the zod schema
 * accepts, on generated messages with every field missing, mistyped or present: so validation stays
 * exactly as strict, and a refused message still gets zod's error text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dmsMessageShape } from "../../../functions/indexer/dms-message";

const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.dictionary(fc.string(), fc.string()),
);
const field = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const metadata = fc.record(
  {
    timestamp: field(fc.string()),
    "record-type": field(fc.constantFrom("data", "control")),
    operation: field(fc.constantFrom("insert", "update", "delete", "load")),
    "partition-key-type": field(fc.string()),
    "schema-name": field(fc.string()),
    "table-name": field(fc.string()),
    "transaction-id": field(fc.oneof(fc.string(), fc.integer())),
    "commit-timestamp": field(fc.oneof(fc.string(), fc.integer())),
    "transaction-record-id": field(fc.oneof(fc.string(), fc.integer())),
    "prev-transaction-id": field(fc.oneof(fc.string(), fc.integer())),
    "stream-position": field(fc.string()),
    extra: anyValue,
  },
  { requiredKeys: [] },
);
const message = fc.oneof(
  { weight: 1, arbitrary: anyValue },
  {
    weight: 9,
    arbitrary: fc.record(
      {
        data: field(fc.dictionary(fc.string(), anyValue)),
        "before-image": field(fc.dictionary(fc.string(), anyValue)),
        metadata: field(metadata),
      },
      { requiredKeys: [] },
    ),
  },
);

describe("DMS message shape check", () => {
  it("accepts exactly what the schema accepts", () => {
    fc.assert(
      fc.property(message, (json) => {
        expect(dmsMessageShape.isShape(json)).toBe(dmsMessageShape.schema.safeParse(json).success);
      }),
      { numRuns: 5000 },
    );
  });
});
