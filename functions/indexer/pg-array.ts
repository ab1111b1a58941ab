/**
 * Reads a PostgreSQL array's text form, which is how DMS sends an array column (as text, like a LOB):
 * `{a,"b c",NULL}` -> ["a", "b c", null]. The rules are PostgreSQL's (`array_out` writes, `array_in`
 * reads): elements separated by commas; an element is quoted when it is empty, `NULL`, or holds a brace,
 * a comma, a quote, a backslash or white space, and inside quotes `"` and `\` are escaped with `\`; an
 * unquoted `NULL` is a null element; a multi-dimensional array nests braces (`{{1,2},{3,4}}`); one whose
 * lower bound is not 1 starts with its bounds (`[0:1]={7,8}`), which are dropped here (JSON arrays start
 * at 0 anyway). Elements stay text: the caller reads them as the column's element type. Pure.
 */

/** PostgreSQL's MAXDIM: no array has more dimensions. */
const MAX_DIMENSIONS = 6;
const BOUNDS = /^\s*(\[\s*[+-]?\d+\s*(:\s*[+-]?\d+\s*)?\])+\s*=/;

export type PgArray = (string | null | PgArray)[];

export class PgArrayError extends Error {
  override name = "PgArrayError";
}

const isSpace = (c: string | undefined) =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";

export function parsePgArray(text: string): PgArray {
  const bounds = BOUNDS.exec(text);
  let at = bounds ? bounds[0].length : 0;
  const fail = (what: string): never => {
    throw new PgArrayError(`${what} at character ${at + 1}`);
  };
  const skipSpace = () => {
    while (isSpace(text[at])) at++;
  };

  const readElement = (): string | null => {
    if (text[at] === '"') {
      let value = "";
      for (at++; ; at++) {
        const c = text[at];
        if (c === undefined) fail("unterminated quoted element");
        if (c === '"') break;
        if (c === "\\") {
          at++;
          if (text[at] === undefined) fail("unterminated quoted element");
          value += text[at];
        } else value += c;
      }
      at++;
      return value;
    }
    let value = "";
    let escaped = false;
    // Trailing white space is not part of an unquoted element (escaped white space is).
    let kept = 0;
    for (; ; at++) {
      const c = text[at];
      if (c === undefined) fail("unterminated array");
      if (c === "," || c === "}") break;
      if (c === "{" || c === '"') fail(`unexpected ${c} in an unquoted element`);
      if (c === "\\") {
        at++;
        if (text[at] === undefined) fail("unterminated array");
        value += text[at];
        escaped = true;
        kept = value.length;
      } else {
        value += c;
        if (!isSpace(c)) kept = value.length;
      }
    }
    value = value.slice(0, kept);
    if (value.length === 0) fail("empty unquoted element");
    return !escaped && value.toUpperCase() === "NULL" ? null : value;
  };

  const readArray = (depth: number): PgArray => {
    if (depth > MAX_DIMENSIONS) fail(`more than ${MAX_DIMENSIONS} dimensions`);
    if (text[at] !== "{") fail('expected "{"');
    at++;
    const items: PgArray = [];
    skipSpace();
    if (text[at] === "}") {
      at++;
      return items;
    }
    for (;;) {
      skipSpace();
      items.push(text[at] === "{" ? readArray(depth + 1) : readElement());
      skipSpace();
      const c = text[at];
      at++;
      if (c === "}") return items;
      if (c !== ",") fail(c === undefined ? "unterminated array" : `expected "," or "}", found ${c}`);
    }
  };

  skipSpace();
  const array = readArray(1);
  skipSpace();
  if (at < text.length) fail("text after the array");
  return array;
}
