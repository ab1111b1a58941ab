import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkJsonDepth,
  isKeptNumber,
  JsonTooDeepError,
  keepsItsValue,
  MAX_JSON_DEPTH,
  parseJsonBothWays,
  parseJsonKeepingDigits,
} from "../../shared/exact-json";

/** A JSON number text's exact decimal value, canonical: `-` sign, digits without zeros at either end, e. */
function decimalValue(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a JSON number: ${text}`);
  const [, sign, int, frac = "", exp = "0"] = m as unknown as [string, string, string, string?, string?];
  let digits = `${int}${frac}`.replace(/^0+/, "");
  let exponent = BigInt(exp) - BigInt(frac.length);
  if (digits === "") return "0";
  while (digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  return `${sign}${digits}e${exponent}`;
}

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
/** JSON number texts of any length and exponent, the ones a double keeps and the ones it does not. */
const numberText = fc
  .record({
    sign: fc.constantFrom("", "-"),
    int: fc.oneof(
      fc.constant("0"),
      fc.tuple(fc.constantFrom(..."123456789"), digits(0, 24)).map((p) => p.join("")),
    ),
    frac: fc.option(digits(1, 24), { nil: undefined }),
    exp: fc.option(
      fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 400 })),
      { nil: undefined },
    ),
  })
  .map(
    ({ sign, int, frac, exp }) =>
      `${sign}${int}${frac === undefined ? "" : `.${frac}`}${exp === undefined ? "" : exp.join("")}`,
  );

describe("parseJsonKeepingDigits", () => {
  it("writes back every number with the decimal value it was written with", () => {
    fc.assert(
      fc.property(fc.array(numberText, { minLength: 1, maxLength: 8 }), (texts) => {
        const out = JSON.stringify(parseJsonKeepingDigits(`{"n": [${texts.join(", ")}]}`));
        const written = out.slice('{"n":['.length, -"]}".length).split(",");
        expect(written.map(decimalValue)).toEqual(texts.map(decimalValue));
      }),
      { numRuns: 2000 },
    );
    // One number alone: whether the text is read twice depends on that number only.
    fc.assert(
      fc.property(numberText, (text) => {
        expect(decimalValue(JSON.stringify(parseJsonKeepingDigits(text)))).toBe(decimalValue(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("keeps a number as its text only when the double's value differs from it", () => {
    fc.assert(
      fc.property(numberText, (text) => {
        const value = Number(text);
        // The claim keepsItsValue makes, checked against exact decimal arithmetic on the double's own text.
        if (keepsItsValue(text, value)) expect(decimalValue(JSON.stringify(value))).toBe(decimalValue(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("reads an integer as a number only when the double is that integer (a 64-bit version, a long)", () => {
    const integerText = fc
      .tuple(fc.constantFrom("", "-"), fc.constantFrom(..."123456789"), digits(0, 22))
      .map((p) => p.join(""));
    fc.assert(
      fc.property(integerText, (text) => {
        const [read] = parseJsonKeepingDigits(`[${text}]`) as [unknown];
        if (isKeptNumber(read)) expect(read.rawJSON).toBe(text);
        else expect(BigInt(read as number)).toBe(BigInt(text));
      }),
      { numRuns: 5000 },
    );
    // Written back alike, but its double is 1788940491366180096: a version that once read as not found.
    const [version] = parseJsonKeepingDigits("[1788940491366180000]") as [unknown];
    expect(isKeptNumber(version) && BigInt(version.rawJSON)).toBe(1_788_940_491_366_180_000n);
  });

  it.each([
    ['{"amount": 12345678901234567.891}', '{"amount":12345678901234567.891}'],
    ['{"id": 9007199254740993}', '{"id":9007199254740993}'],
    ['{"ratio": 0.1234567890123457}', '{"ratio":0.1234567890123457}'],
    [
      "[9007199254740993, 0.1000000000000000055511151231257827]",
      "[9007199254740993,0.1000000000000000055511151231257827]",
    ],
    [`{"huge": 1${"0".repeat(400)}}`, `{"huge":1${"0".repeat(400)}}`],
    [`{"tiny": 0.${"0".repeat(399)}1}`, `{"tiny":0.${"0".repeat(399)}1}`],
    ['{"big": 1e400, "small": -2.5E-400}', '{"big":1e400,"small":-2.5E-400}'],
  ])("%s is written back as %s", (text, written) => {
    expect(JSON.stringify(parseJsonKeepingDigits(text))).toBe(written);
  });

  it("as-written: writes back every number exactly as it was written, the rest as JSON.stringify does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(numberText, fc.constantFrom("2.0", "-0", "1.50", "1e3", "0.1", "7")), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.string(),
        (texts, s) => {
          const text = `{"s":${JSON.stringify(s)},"n":[${texts.join(",")}]}`;
          const { value, exact } = parseJsonBothWays(text, MAX_JSON_DEPTH, "as-written");
          expect(JSON.stringify(exact)).toBe(text);
          expect(value).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 2000 },
    );
    const shortest = '{"a":2,"b":0.1,"c":[1.5,-3]}';
    expect(parseJsonBothWays(shortest, MAX_JSON_DEPTH, "as-written").exact).toEqual(JSON.parse(shortest));
  });

  it("reads numbers a double keeps as numbers, and text as text", () => {
    const { value, exact } = parseJsonBothWays(
      '{"n": 0.1, "s": "12345678901234567890", "e": "1e400", "i": [1, 2.5]}',
    );
    expect(exact).toBe(value); // nothing kept: no second reading
    expect(value).toEqual({ n: 0.1, s: "12345678901234567890", e: "1e400", i: [1, 2.5] });
    const mixed = parseJsonKeepingDigits('{"a": 12345678901234567.891, "b": 2}') as Record<string, unknown>;
    expect(isKeptNumber(mixed.a)).toBe(true);
    expect(mixed.b).toBe(2);
  });

  it("reads what JSON.parse reads, as JSON.parse reads it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        const { value, exact } = parseJsonBothWays(text);
        expect(value).toEqual(JSON.parse(text));
        expect(JSON.parse(JSON.stringify(exact))).toEqual(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("reads JSON to MAX_JSON_DEPTH levels and refuses deeper with JsonTooDeepError, however deep", () => {
    const nested = (levels: number, leaf = "1") => `${"[".repeat(levels)}${leaf}${"]".repeat(levels)}`;
    expect(parseJsonKeepingDigits(nested(MAX_JSON_DEPTH))).toBeDefined();
    expect(JSON.stringify(parseJsonKeepingDigits(nested(3, "9007199254740993"), 3))).toBe(
      "[[[9007199254740993]]]",
    );
    for (const levels of [MAX_JSON_DEPTH + 1, 200_000])
      expect(() => parseJsonKeepingDigits(nested(levels))).toThrow(JsonTooDeepError);
    expect(() => parseJsonKeepingDigits(nested(4), 3)).toThrow("nested deeper than 3 levels");
    expect(() => checkJsonDepth(JSON.parse(nested(50_000)))).toThrow(JsonTooDeepError);
    expect(() => checkJsonDepth({ a: { b: [1] } }, 3)).not.toThrow();
    expect(() => checkJsonDepth({ a: { b: [1] } }, 2)).toThrow(JsonTooDeepError);
  });

  it("refuses what JSON.parse refuses, with its message", () => {
    const nearJson = fc.oneof(
      fc.string(),
      fc.jsonValue().chain((v) =>
        fc
          .tuple(fc.nat(), fc.constantFrom("", "{", "]", ",", "1e", "-", '"', "\u0001", "\n"))
          .map(([at, junk]) => {
            const text = JSON.stringify(v);
            const cut = at % (text.length + 1);
            return `${text.slice(0, cut)}${junk}${text.slice(cut)}`;
          }),
      ),
    );
    fc.assert(
      fc.property(nearJson, (text) => {
        let expected: string | undefined;
        try {
          JSON.parse(text);
        } catch (error) {
          expected = (error as Error).message;
        }
        if (expected === undefined) expect(() => parseJsonKeepingDigits(text)).not.toThrow();
        else expect(() => parseJsonKeepingDigits(text)).toThrow(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
