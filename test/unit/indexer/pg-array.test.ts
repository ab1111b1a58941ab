import { describe, expect, it } from "vitest";
import { PgArrayError, parsePgArray } from "../../../functions/indexer/pg-array";

describe("parsePgArray", () => {
  it.each([
    ["{}", []],
    ["{a,b}", ["a", "b"]],
    ['{"a b","c,d","e\\"f","g\\\\h",""}', ["a b", "c,d", 'e"f', "g\\h", ""]],
    ['{NULL,"NULL",null,Null}', [null, "NULL", null, null]],
    [
      "{{1,2},{3,4}}",
      [
        ["1", "2"],
        ["3", "4"],
      ],
    ],
    ["{{},{}}", [[], []]],
    ["[0:1]={7,8}", ["7", "8"]],
    [
      "[-2:-1][1:2]={{1,2},{3,4}}",
      [
        ["1", "2"],
        ["3", "4"],
      ],
    ],
    ["{ a , b }", ["a", "b"]],
    ["  { x }  ", ["x"]],
    ["{a\\ ,\\NULL,b\\,c}", ["a ", "NULL", "b,c"]],
    ['{"{}","}"}', ["{}", "}"]],
    ["{2026-11-21 09:15:02+00}", ["2026-11-21 09:15:02+00"]],
  ])("%s", (text, expected) => {
    expect(parsePgArray(text)).toEqual(expected);
  });

  it.each([
    ["", 'expected "{"'],
    ["a,b", 'expected "{"'],
    ["{a", "unterminated array"],
    ['{"a}', "unterminated quoted element"],
    ["{a}x", "text after the array"],
    ["{a,,b}", "empty unquoted element"],
    ['{a b"c}', 'unexpected " in an unquoted element'],
    ['{"a"b}', 'expected "," or "}", found b'],
    ["{{{{{{{1}}}}}}}", "more than 6 dimensions"],
    ["{a\\", "unterminated array"],
    ["[1:2]{1,2}", 'expected "{"'],
  ])("refuses %j (%s)", (text, reason) => {
    expect(() => parsePgArray(text)).toThrow(PgArrayError);
    expect(() => parsePgArray(text)).toThrow(reason);
  });
});
