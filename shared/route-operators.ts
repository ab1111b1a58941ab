/**
 * The operators of a route condition's leaf (`{field: x, <operator>: operand}`), each one entry: the
 * schema its operand must match and how it compiles to a predicate. Adding an operator is adding an
 * entry here (and a line in docs/routing-config.md, which a test keeps in step).
 */
import { z } from "zod";

/** What a change's fields are matched against: the coerced row plus `$operation`, `$schema`, `$table`. */
export type MatchContext = { row: Record<string, unknown>; operation: string; schema: string; table: string };
export type Predicate = (ctx: MatchContext) => boolean;
type FieldOf = (ctx: MatchContext) => unknown;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const bound = z.union([z.number(), z.string()]);
const regex = z.string().superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `bad regex: ${(error as Error).message}` });
  }
});

/** Ordering: numerically against a number bound, else as text. Absent values never match. */
function compare(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined) return undefined;
  if (typeof b === "number") {
    const n = typeof a === "number" ? a : Number(a);
    return Number.isNaN(n) ? undefined : n - b;
  }
  const sa = String(a);
  return sa < String(b) ? -1 : sa > String(b) ? 1 : 0;
}

const same = (a: unknown, b: unknown): boolean =>
  a === b || (a !== null && b !== null && a !== undefined && String(a) === String(b));
const absent = (v: unknown) => v === null || v === undefined;

/**
 * A field holding an array (an `array` column, a list in a json column) matches when one of its elements
 * does, as an OpenSearch query on such a field matches; nested arrays are one list.
 */
const some = (value: unknown, test: (v: unknown) => boolean): boolean =>
  Array.isArray(value) ? value.some((v) => some(v, test)) : test(value);

const ordered =
  (test: (c: number) => boolean) =>
  (operand: unknown, get: FieldOf): Predicate =>
  (ctx) =>
    some(get(ctx), (v) => {
      const c = compare(v, operand);
      return c !== undefined && test(c);
    });

type Operator<T> = { schema: z.ZodType<T>; compile: (operand: T, get: FieldOf) => Predicate };
const operator = <T>(schema: z.ZodType<T>, compile: Operator<T>["compile"]): Operator<T> => ({
  schema,
  compile,
});

export const OPERATORS = {
  equals: operator(scalar, (value, get) => (ctx) => some(get(ctx), (v) => same(v, value))),
  in: operator(
    z.array(scalar).min(1),
    (list, get) => (ctx) => some(get(ctx), (v) => list.some((l) => same(v, l))),
  ),
  notIn: operator(
    z.array(scalar).min(1),
    (list, get) => (ctx) => !some(get(ctx), (v) => list.some((l) => same(v, l))),
  ),
  greaterThan: operator(
    bound,
    ordered((c) => c > 0),
  ),
  lessThan: operator(
    bound,
    ordered((c) => c < 0),
  ),
  greaterThanOrEqual: operator(
    bound,
    ordered((c) => c >= 0),
  ),
  lessThanOrEqual: operator(
    bound,
    ordered((c) => c <= 0),
  ),
  between: operator(z.tuple([bound, bound]), ([low, high], get) => {
    const above = ordered((c) => c >= 0)(low, get);
    const below = ordered((c) => c <= 0)(high, get);
    return (ctx) => above(ctx) && below(ctx);
  }),
  matches: operator(regex, (pattern, get) => {
    const re = new RegExp(pattern);
    return (ctx) => {
      return some(
        get(ctx),
        (v) => !absent(v) && re.test(typeof v === "object" ? JSON.stringify(v) : String(v)),
      );
    };
  }),
  isNull: operator(z.literal(true), (_, get) => (ctx) => absent(get(ctx))),
  isNotNull: operator(z.literal(true), (_, get) => (ctx) => !absent(get(ctx))),
} as const;

export type OperatorName = keyof typeof OPERATORS;
export const OPERATOR_NAMES = Object.keys(OPERATORS) as OperatorName[];
