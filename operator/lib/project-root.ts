import { join, resolve } from "node:path";

/** The repository's root folder (where template.yaml, config/ and .local/ are). */
export function projectRoot(): string {
  return resolve(join(import.meta.dirname, "..", ".."));
}
