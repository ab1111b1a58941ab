/**
 * A field name as OpenSearch reads it in a document (DocumentParser.splitAndValidatePath): a dot makes
 * it a path of object fields (`pref.lang` is `lang` inside `pref`). The name is split with Java's
 * `String.split`, which drops trailing empty parts, so `a.` and `a..` are the field `a`; an empty part
 * anywhere else (`.a`, `a..b`), a part of whitespace only, or a name of dots only is refused, and the
 * document with it.
 */

const SEPARATOR = /[\p{Zs}\p{Zl}\p{Zp}]/u;
const NO_BREAK = new Set([0xa0, 0x2007, 0x202f]);

/** Java's Character.isWhitespace (what OpenSearch's Strings.hasText skips): no no-break spaces. */
function isJavaWhitespace(c: string): boolean {
  const code = c.charCodeAt(0);
  if ((code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f)) return true;
  return !NO_BREAK.has(code) && SEPARATOR.test(c);
}

/** A part holding only whitespace, as Java tells it. */
const isBlank = (part: string): boolean => [...part].every(isJavaWhitespace);

export type FieldPath = { parts: string[] } | { refused: string };

export function fieldPath(name: string): FieldPath {
  if (!name.includes(".")) return { parts: [name] };
  const parts = name.split(".");
  while (parts.length > 0 && parts.at(-1) === "") parts.pop();
  if (parts.length === 0) return { refused: "field name cannot contain only the character [.]" };
  for (const part of parts) {
    if (part === "")
      return {
        refused: `object field starting or ending with a [.] makes object resolution ambiguous: [${name}]`,
      };
    if (isBlank(part)) return { refused: `object field cannot contain only whitespace: ['${name}']` };
  }
  return { parts };
}
