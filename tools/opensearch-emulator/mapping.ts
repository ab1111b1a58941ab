/**
 * Dynamic mapping as OpenSearch does it by default: types inferred from the first value seen
 * (strings that look like dates become `date`, other strings `text` + `keyword`), later values must fit
 * (numeric strings are coerced), otherwise `mapper_parsing_exception`. Field count limited by
 * `index.mapping.total_fields.limit`, object depth by `index.mapping.depth.limit`. Field names are data: `constructor` or `__proto__` are fields like
 * any other (shared/own-properties.ts).
 */
import { isKeptNumber } from "../../shared/exact-json";
import { fieldPath } from "../../shared/field-path";
import { metadataFieldRefusal, REFUSED_METADATA_FIELDS } from "../../shared/metadata-fields";
import { ownValue, setOwn } from "../../shared/own-properties";

export type FieldMapping = {
  type: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  format?: string;
  scaling_factor?: number;
  ignore_above?: number;
};
export type DynamicTemplate = Record<string, { match_mapping_type?: string; mapping: Partial<FieldMapping> }>;
export type Mappings = { properties: Record<string, FieldMapping>; dynamic_templates?: DynamicTemplate[] };

/** Explicit mappings as OpenSearch reads them: a field with `properties` and no `type` is an object. */
export function normalizeProperties(
  props: Record<string, Partial<FieldMapping>>,
): Record<string, FieldMapping> {
  const out: Record<string, FieldMapping> = {};
  for (const [name, field] of Object.entries(props)) {
    const normalized = {
      ...field,
      type: field.type ?? "object",
      ...(field.properties && { properties: normalizeProperties(field.properties) }),
    } as FieldMapping;
    // A dotted name in a mapping is a path of object fields, as in a document.
    const parts = name.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      let parent = ownValue(node, part);
      if (!parent) {
        parent = { type: "object", properties: {} };
        setOwn(node, part, parent);
      }
      parent.properties ??= {};
      node = parent.properties;
    }
    const leaf = parts.at(-1) as string;
    const existing = ownValue(node, leaf);
    if (existing?.properties && normalized.properties)
      Object.assign(existing.properties, normalized.properties);
    else setOwn(node, leaf, normalized);
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isKeptNumber(v);

/** Whether any object in the value has a field name with a dot (most documents have none). */
function hasDottedName(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDottedName);
  if (!isPlainObject(value)) return false;
  for (const key in value) if (key.includes(".") || hasDottedName(value[key])) return true;
  return false;
}

/**
 * `"a.b": v` into `a: {b: v}` at every level (shared/field-path.ts: `a.` is `a`), merged with an object
 * `a` of the same document; a field given twice (`a` and `a.`, `a.b` and `a: {b}`) holds both values, as
 * OpenSearch indexes each.
 */
function expandValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandValue);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const path = fieldPath(key);
    if (!("parts" in path)) throw new MappingError("mapper_parsing_exception", path.refused);
    const { parts } = path;
    let node = out;
    for (const part of parts.slice(0, -1)) {
      let next = ownValue(node, part);
      // A null is no value (OpenSearch skips `"obj": null`): the path goes through it.
      if (next === undefined || next === null) {
        next = {};
        setOwn(node, part, next);
      } else if (Array.isArray(next) && next.every((item) => item === null || isPlainObject(item))) {
        // Through a list of objects: one more object of the field (its fields are the list's).
        const item = {};
        next.push(item);
        next = item;
      } else if (!isPlainObject(next)) throw conflict(key, part);
      node = next as Record<string, unknown>;
    }
    mergeField(node, parts.at(-1) as string, expandValue(v), key);
  }
  return out;
}

/**
 * Sets a field, merging objects field by field (`a.b` then `a: {c}` make `a: {b, c}`); a value and an
 * object are a conflict; two values (or lists) are one list, as the field holds each.
 */
function mergeField(node: Record<string, unknown>, name: string, value: unknown, key: string): void {
  const existing = ownValue(node, name);
  if (existing === undefined || existing === null) setOwn(node, name, value);
  else if (value === null) return;
  else if (isPlainObject(existing) && isPlainObject(value))
    for (const [field, v] of Object.entries(value)) mergeField(existing, field, v, key);
  else if (
    isPlainObject(existing) !== isPlainObject(value) &&
    !Array.isArray(existing) &&
    !Array.isArray(value)
  )
    throw conflict(key, name);
  else setOwn(node, name, [existing, value].flat());
}

const conflict = (key: string, part: string) =>
  new MappingError(
    "mapper_parsing_exception",
    `Could not dynamically add mapping for field [${key}]. Existing mapping for [${part}] must be of type object but found a value`,
  );

/**
 * A document as OpenSearch maps it: a field name with dots (`"a.b": 1`, a column named so) is the path of
 * an object field (`{"a": {"b": 1}}`), merged with an object of the same name; trailing dots are
 * dropped (`a.` is `a`); an empty part elsewhere (`.a`, `a..b`) or a blank one is refused, as is a path
 * through a value (a null is none: `{"a": null, "a.b": 1}` is taken).
 * The source itself is kept as sent.
 */
export function expandDottedNames<T>(doc: T): T {
  return hasDottedName(doc) ? (expandValue(doc) as T) : doc;
}

export class MappingError extends Error {
  constructor(
    readonly type: "mapper_parsing_exception" | "illegal_argument_exception",
    message: string,
  ) {
    super(message);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC_TYPES = new Set([
  "long",
  "integer",
  "short",
  "byte",
  "double",
  "float",
  "half_float",
  "scaled_float",
]);

/** The JSON type OpenSearch's dynamic templates match on (`match_mapping_type`). */
function mappingType(value: unknown): string | undefined {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) ? "long" : "double";
    case "string":
      return DATE.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T"))) ? "date" : "string";
    case "object":
      return value === null ? undefined : "object";
    default:
      return undefined;
  }
}

/**
 * The mapping a new field gets from its first value. `exact` is the same value with the numbers a double
 * would change kept as written (shared/exact-json.ts): OpenSearch maps a number by how it is written
 * (a point or an exponent: float), which such a number's double no longer shows.
 */
function infer(value: unknown, templates: DynamicTemplate[] = [], exact?: unknown): FieldMapping | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value))
    return value
      .map((v, i) => infer(v, templates, Array.isArray(exact) ? exact[i] : undefined))
      .find((m) => m !== undefined);
  const jsonType = mappingType(value);
  for (const entry of templates) {
    const t = Object.values(entry)[0];
    if (t && (t.match_mapping_type === jsonType || t.match_mapping_type === "*"))
      return { ...t.mapping, type: t.mapping.type ?? (jsonType === "object" ? "object" : "keyword") };
  }
  switch (typeof value) {
    case "boolean":
      return { type: "boolean" };
    case "number": {
      const integer = isKeptNumber(exact) ? !/[.eE]/.test(exact.rawJSON) : Number.isInteger(value);
      return { type: integer ? "long" : "float" };
    }
    case "string":
      if (DATE.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T")))) return { type: "date" };
      return { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };
    case "object":
      return { type: "object", properties: {} };
    default:
      return undefined;
  }
}

function fits(mapping: FieldMapping, value: unknown, path: string, exact?: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      fits(mapping, v, path, Array.isArray(exact) ? exact[i] : undefined);
    });
    return;
  }
  const fail = (why: string) => {
    throw new MappingError(
      "mapper_parsing_exception",
      `failed to parse field [${path}] of type [${mapping.type}]: ${why}`,
    );
  };
  const t = mapping.type;
  if (t === "flat_object") {
    if (typeof value !== "object")
      fail(`tried to parse field [${path}] as flat_object, but found a concrete value`);
    return;
  }
  if (t === "object" || t === "nested") {
    if (typeof value !== "object")
      fail(`tried to parse field [${path}] as object, but found a concrete value`);
    return;
  }
  if (typeof value === "object") fail(`tried to parse field [${path}] as ${t}, but found an object`);
  if (NUMERIC_TYPES.has(t)) {
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
    if (typeof value === "boolean" || Number.isNaN(n)) fail(`For input string: "${String(value)}"`);
    // Fractions into whole-number fields are truncated (see indexedValue); what does not fit is refused.
    const outOfRange = numberOutOfRange(t, isKeptNumber(exact) ? exact.rawJSON : String(value).trim(), n);
    if (outOfRange) fail(outOfRange);
    return;
  }
  if (t === "boolean") {
    if (!(typeof value === "boolean" || value === "true" || value === "false")) {
      fail(`Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`);
    }
    return;
  }
  if (t === "date") {
    const format = mapping.format ?? "strict_date_optional_time||epoch_millis";
    const formats = format.split("||");
    const ok =
      (typeof value === "number" && formats.includes("epoch_millis")) ||
      (typeof value === "string" &&
        ((formats.includes("strict_date_optional_time") && ISO_DATE.test(value)) ||
          (formats.includes("epoch_millis") && /^-?\d+$/.test(value))) &&
        !Number.isNaN(Date.parse(value)));
    if (!ok) fail(`failed to parse date field [${String(value)}] with format [${format}]`);
  }
}

/** Whole-number field types and the range each holds. */
const WHOLE_RANGES: Record<string, [bigint, bigint, string]> = {
  long: [-(2n ** 63n), 2n ** 63n - 1n, "a long"],
  integer: [-(2n ** 31n), 2n ** 31n - 1n, "an integer"],
  short: [-32768n, 32767n, "a short"],
  byte: [-128n, 127n, "a byte"],
};
/** The largest half_float, and the least magnitude that rounds to infinity in half precision. */
const HALF_FLOAT_OVERFLOW = 65520;

/**
 * Why OpenSearch refuses a number for a numeric field type, or undefined when it takes it: floating types
 * hold only finite values (`[double] supports only finite values`: 1e309, NaN, a float above 3.4e38, a
 * half_float from 65520); whole-number types their range, checked on the digits as written (a double
 * cannot tell 2^63 from 2^63 - 1), a fraction truncated first. `n` is the value as a double, not NaN.
 */
function numberOutOfRange(type: string, text: string, n: number): string | undefined {
  const whole = WHOLE_RANGES[type];
  if (whole) {
    const [min, max, name] = whole;
    const integer = /^[+-]?\d+$/.test(text)
      ? BigInt(text)
      : Number.isFinite(n)
        ? BigInt(Math.trunc(n))
        : undefined;
    return integer === undefined || integer < min || integer > max
      ? `Value [${text}] is out of range for ${name}`
      : undefined;
  }
  const held =
    type === "float"
      ? Math.fround(n)
      : type === "half_float"
        ? Math.abs(n) >= HALF_FLOAT_OVERFLOW
          ? Math.sign(n) * Infinity
          : n
        : n;
  return Number.isFinite(held) ? undefined : `[${type}] supports only finite values, but got [${held}]`;
}

/** strict_date_optional_time: `yyyy-MM-dd` with an optional `THH:mm[:ss[.fraction]]` and zone. */
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const WHOLE_NUMBER_TYPES = new Set(["long", "integer", "short", "byte"]);

/**
 * The value a field's index holds for a source value (what queries, sorts and aggregations see), as
 * OpenSearch coerces it: a fraction into a whole-number field is truncated, `scaled_float` is rounded to
 * its scaling factor, `float` to single precision, dates to epoch milliseconds. `_source` keeps the value
 * as sent.
 */
export function indexedValue(mapping: FieldMapping | undefined, value: unknown): unknown {
  if (!mapping || value === null || value === undefined || typeof value === "object") return value;
  const t = mapping.type;
  // A keyword longer than ignore_above (in characters) is kept in _source and not indexed.
  if (t === "keyword" && typeof value === "string" && value.length > (mapping.ignore_above ?? Infinity))
    return undefined;
  if (NUMERIC_TYPES.has(t)) {
    const n = typeof value === "number" ? value : Number(value);
    if (Number.isNaN(n)) return value;
    if (WHOLE_NUMBER_TYPES.has(t)) return Math.trunc(n);
    if (t === "scaled_float") {
      const factor = mapping.scaling_factor ?? 1;
      return Math.round(n * factor) / factor;
    }
    if (t === "float" || t === "half_float") return Math.fround(n);
    return n;
  }
  if (t === "date") {
    const millis = typeof value === "number" ? value : Date.parse(String(value).replace(" ", "T"));
    return Number.isNaN(millis) ? value : millis;
  }
  return value;
}

/**
 * Mappings as GET answers them (OpenSearch's ObjectMapper): fields sorted by name, `"type": "object"`
 * only on an object without properties, and no empty `properties`.
 */
export function mappingsForOutput(props: Record<string, FieldMapping>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(props).sort()) {
    const { type, properties, ...rest } = props[name] as FieldMapping;
    const nested =
      properties && Object.keys(properties).length > 0 ? mappingsForOutput(properties) : undefined;
    setOwn(out, name, {
      ...(type === "object" && nested ? {} : { type }),
      ...rest,
      ...(nested && { properties: nested }),
    });
  }
  return out;
}

/** The mapping of a dotted field path (`a.b`, `name.keyword`), if the index has one. */
export function resolveField(mappings: Mappings, path: string): FieldMapping | undefined {
  let props: Record<string, FieldMapping> | undefined = mappings.properties;
  let found: FieldMapping | undefined;
  for (const part of path.split(".")) {
    const next: FieldMapping | undefined = ownValue(props, part) ?? ownValue(found?.fields, part);
    if (!next) return found?.type === "flat_object" ? { type: "keyword" } : undefined;
    found = next;
    props = next.properties;
  }
  return found;
}

function countFields(props: Record<string, FieldMapping>): number {
  let n = 0;
  for (const m of Object.values(props)) {
    n += 1 + (m.properties ? countFields(m.properties) : 0) + (m.fields ? Object.keys(m.fields).length : 0);
  }
  return n;
}

/**
 * Checks a document against the mappings and returns the mappings with any new fields added.
 * Throws MappingError, leaving the given mappings untouched, when the document does not fit.
 */
export function applyDynamicMapping(
  mappings: Mappings,
  doc: Record<string, unknown>,
  options: { dynamic: boolean | "strict"; totalFieldsLimit: number; depthLimit: number },
  /** The document with its numbers as written, when a double changed one (see infer). */
  exactDoc?: Record<string, unknown>,
): Mappings {
  const next: Mappings = structuredClone(mappings);
  doc = expandDottedNames(doc);
  if (exactDoc) exactDoc = expandDottedNames(exactDoc);
  for (const key in doc)
    if (REFUSED_METADATA_FIELDS.has(key))
      throw new MappingError("mapper_parsing_exception", metadataFieldRefusal(key));
  const walk = (
    props: Record<string, FieldMapping>,
    obj: Record<string, unknown>,
    exact: unknown,
    prefix: string,
  ) => {
    for (const [key, value] of Object.entries(obj)) {
      // OpenSearch reads every field name of a mapped object (DocumentParser), null values too; a
      // flat_object field's inside is not walked here, as OpenSearch does not map it.
      if (key === "")
        throw new MappingError("mapper_parsing_exception", "field name cannot be an empty string");
      const path = prefix ? `${prefix}.${key}` : key;
      const exactValue =
        exact && typeof exact === "object" ? ownValue(exact as Record<string, unknown>, key) : undefined;
      let mapping = ownValue(props, key);
      if (!mapping) {
        const inferred = infer(value, next.dynamic_templates, exactValue);
        if (!inferred) continue;
        if (options.dynamic === "strict") {
          throw new MappingError(
            "mapper_parsing_exception",
            `mapping set to strict, dynamic introduction of [${key}] within [_doc] is not allowed`,
          );
        }
        if (options.dynamic === false) continue;
        // An object field's depth: the root is 1, a top-level object 2 (index.mapping.depth.limit).
        if (inferred.type === "object" && path.split(".").length + 1 > options.depthLimit)
          throw new MappingError(
            "illegal_argument_exception",
            `Limit of mapping depth [${options.depthLimit}] has been exceeded due to object field [${path}]`,
          );
        setOwn(props, key, inferred);
        mapping = inferred;
      }
      fits(mapping, value, path, exactValue);
      if (mapping.type === "object" && !mapping.properties) mapping.properties = {};
      if (mapping.properties && value && typeof value === "object") {
        const items = Array.isArray(value) ? value : [value];
        const exactItems = Array.isArray(exactValue) ? exactValue : [exactValue];
        items.forEach((item, i) => {
          if (item && typeof item === "object")
            walk(
              mapping.properties as Record<string, FieldMapping>,
              item as Record<string, unknown>,
              exactItems[i],
              path,
            );
        });
      }
    }
  };
  walk(next.properties, doc, exactDoc, "");
  const total = countFields(next.properties);
  if (total > options.totalFieldsLimit) {
    throw new MappingError(
      "illegal_argument_exception",
      `Limit of total fields [${options.totalFieldsLimit}] has been exceeded`,
    );
  }
  return next;
}

/** Field types OpenSearch 2.x knows (the emulator indexes the common ones and keeps the rest as source). */
const KNOWN_TYPES = new Set([
  ...NUMERIC_TYPES,
  "text",
  "keyword",
  "match_only_text",
  "wildcard",
  "constant_keyword",
  "unsigned_long",
  "boolean",
  "date",
  "date_nanos",
  "object",
  "nested",
  "flat_object",
  "ip",
  "binary",
  "geo_point",
  "geo_shape",
  "alias",
  "token_count",
  "knn_vector",
  "integer_range",
  "long_range",
  "float_range",
  "double_range",
  "date_range",
  "ip_range",
  "join",
  "rank_feature",
  "rank_features",
  "search_as_you_type",
  "completion",
  "percolator",
]);

/** Refuses mappings OpenSearch refuses: unknown types, a scaled_float without its factor. */
export function validateMappings(
  props: Record<string, Partial<FieldMapping>> | undefined,
  prefix = "",
): void {
  for (const [name, field] of Object.entries(props ?? {})) {
    const path = `${prefix}${name}`;
    if (field === null || typeof field !== "object")
      throw new MappingError(
        "mapper_parsing_exception",
        `Expected map for property [fields] on field [${path}] but got a class java.lang.String`,
      );
    if (field.type !== undefined && !KNOWN_TYPES.has(field.type))
      throw new MappingError(
        "mapper_parsing_exception",
        `No handler for type [${field.type}] declared on field [${path}]`,
      );
    if (field.type === "scaled_float" && field.scaling_factor === undefined)
      throw new MappingError(
        "mapper_parsing_exception",
        `Field [scaling_factor] is required for field [${path}]`,
      );
    validateMappings(field.properties, `${path}.`);
    validateMappings(field.fields, `${path}.`);
  }
}
