/** A function's environment, read once at cold start: every problem named in one error. */

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseEnvironment } from "../../shared/environment";

const schema = z.object({
  ENDPOINT: z.url(),
  QUEUE: z.string().min(1),
  SIZE: z.coerce.number().int().min(1).default(5),
});

describe("parseEnvironment", () => {
  it("says which variables are not set and what is wrong with the others, all at once", () => {
    expect(() => parseEnvironment(schema, { SIZE: "0" }, "indexer")).toThrow(
      [
        "indexer environment is invalid:",
        "  - ENDPOINT: is not set",
        "  - QUEUE: is not set",
        "  - SIZE: Too small: expected number to be >=1",
      ].join("\n"),
    );
    expect(() => parseEnvironment(schema, { ENDPOINT: "nope", QUEUE: "q" }, "indexer")).toThrow(
      "  - ENDPOINT: Invalid URL",
    );
  });

  it("returns the values, defaults filled in", () => {
    expect(parseEnvironment(schema, { ENDPOINT: "https://x", QUEUE: "q" }, "indexer")).toEqual({
      ENDPOINT: "https://x",
      QUEUE: "q",
      SIZE: 5,
    });
  });
});
