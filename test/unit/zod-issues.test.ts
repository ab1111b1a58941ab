/** Errors people read: a failed union is explained by the branch the input was meant for. */

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { issueLines } from "../../shared/zod-issues";

const lines = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("expected a failure");
  return issueLines(parsed.error);
};

describe("issueLines", () => {
  const shape = z.object({
    on: z.union([z.object({ all: z.array(z.string()) }).strict(), z.object({ field: z.string() }).strict()]),
  });

  it("reports the issues of the one branch that fits, at their full path", () => {
    expect(lines(shape, { on: { all: "x" } })).toEqual([
      "on.all: Invalid input: expected array, received string",
    ]);
    expect(lines(shape, { on: { field: 1 } })).toEqual([
      "on.field: Invalid input: expected string, received number",
    ]);
  });

  it("keeps the union's own message when no branch fits (an unknown key, a missing key, another kind)", () => {
    expect(lines(shape, { on: { other: 1 } })).toEqual(["on: Invalid input"]);
    expect(lines(shape, { on: [] })).toEqual(["on: Invalid input"]);
    expect(lines(z.union([z.string(), z.number()]), true)).toEqual(["(root): Invalid input"]);
  });
});
