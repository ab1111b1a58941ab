import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordText } from "../../../functions/indexer/record-data";

describe("recordText", () => {
  it("decodes exactly as Buffer.from(data, 'base64').toString('utf8'), whatever came before", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: "grapheme" }), fc.uint8Array({ maxLength: 300 }))),
        (values) => {
          for (const value of values) {
            const base64 = Buffer.from(value).toString("base64");
            expect(recordText(base64)).toBe(Buffer.from(base64, "base64").toString("utf8"));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
  it("grows for records larger than its buffer and still decodes small ones after", () => {
    const big = `{"note":"${"é".repeat(200_000)}"}`;
    expect(recordText(Buffer.from(big).toString("base64"))).toBe(big);
    expect(recordText(Buffer.from("{}\n").toString("base64"))).toBe("{}\n");
  });
  it("treats malformed base64 as Buffer.from does", () => {
    for (const text of ["not base64!", "YWJj=ZGVm", "", "====", "YQ"])
      expect(recordText(text)).toBe(Buffer.from(text, "base64").toString("utf8"));
  });
});
