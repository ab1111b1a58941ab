import { ownValue, setOwn } from "../../shared/own-properties";
import { HttpError } from "./http";

/** Settings as OpenSearch stores them: flat keys under `index.`, string values. */
export function flatSettings(settings: Record<string, unknown>, prefix = ""): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      Object.assign(flat, flatSettings(value as Record<string, unknown>, path));
    else flat[path.startsWith("index.") ? path : `index.${path}`] = String(value);
  }
  return flat;
}

/** Flat settings back in the nested form GET answers with. */
export function nestSettings(flat: Record<string, string>): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(".");
    let node = nested;
    for (const part of parts.slice(0, -1)) {
      let child = ownValue(node, part);
      if (child === undefined || child === null) {
        child = {};
        setOwn(node, part, child);
      }
      node = child as Record<string, unknown>;
    }
    setOwn(node, parts.at(-1) as string, value);
  }
  return nested;
}

/** OpenSearch time units: `60s`, `15d`, `500ms`, `1h`. */
export function durationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(value.trim());
  if (!m) throw new HttpError(400, "illegal_argument_exception", `failed to parse setting value [${value}]`);
  const unit = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * unit[m[2] as keyof typeof unit];
}
