/** Field names as OpenSearch's DocumentParser splits them (splitAndValidatePath, Java's String.split). */
import { expect, it } from "vitest";
import { fieldPath } from "../../shared/field-path";

it("splits a dotted name into a path, dropping trailing empty parts as Java's split does", () => {
  expect(fieldPath("a")).toEqual({ parts: ["a"] });
  expect(fieldPath(" ")).toEqual({ parts: [" "] });
  expect(fieldPath("")).toEqual({ parts: [""] });
  expect(fieldPath("a.b.c")).toEqual({ parts: ["a", "b", "c"] });
  expect(fieldPath("a.")).toEqual({ parts: ["a"] });
  expect(fieldPath("a.b..")).toEqual({ parts: ["a", "b"] });
  // A no-break space is not whitespace to Java: a part of it is a name.
  expect(fieldPath("a.\u00a0")).toEqual({ parts: ["a", "\u00a0"] });
});

it("refuses an empty part before the end, a blank part, or dots only, in OpenSearch's words", () => {
  expect(fieldPath(".a")).toEqual({
    refused: "object field starting or ending with a [.] makes object resolution ambiguous: [.a]",
  });
  expect(fieldPath("a..b")).toEqual({
    refused: "object field starting or ending with a [.] makes object resolution ambiguous: [a..b]",
  });
  for (const name of ["a. ", "a.\t.b", "a.\u2003"])
    expect(fieldPath(name)).toEqual({ refused: `object field cannot contain only whitespace: ['${name}']` });
  for (const name of [".", ".."])
    expect(fieldPath(name)).toEqual({ refused: "field name cannot contain only the character [.]" });
});
