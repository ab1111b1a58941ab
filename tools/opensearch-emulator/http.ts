/** HTTP helpers of the emulator: OpenSearch-shaped errors, JSON with exact 64-bit numbers. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const errorBody = (status: number, type: string, reason: string, index?: string) => ({
  error: { root_cause: [{ type, reason, ...(index && { index }) }], type, reason, ...(index && { index }) },
  status,
});

/** An index pattern (`orders*`) as a regular expression. */
export const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/**
 * JSON with bigints written as exact numbers (versions are 64-bit longs); `pretty` indents it and ends it
 * with a newline, as OpenSearch's `?pretty` does (its layout, not Jackson's spacing byte for byte).
 */
export const toJson = (value: unknown, pretty = false) => {
  const text = JSON.stringify(
    value,
    (_k, v) =>
      typeof v === "bigint" ? (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON(v.toString()) : v,
    pretty ? 2 : undefined,
  );
  return pretty ? `${text}\n` : text;
};

/** A boolean URL parameter as OpenSearch reads it: present (even empty) and not `false`. */
export const queryFlag = (url: URL, name: string): boolean => {
  const value = url.searchParams.get(name);
  return value !== null && value !== "false";
};
