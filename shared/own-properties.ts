/**
 * Objects keyed by names that come from data (columns, fields, settings): a name like `constructor`,
 * `toString` or `__proto__` is data there, never a member of JavaScript's Object. Read own properties
 * only, and define `__proto__` (assigned, it would replace the object's prototype and vanish).
 */
export function ownValue<T>(object: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

export function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
