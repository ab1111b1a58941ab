/**
 * The rooms of the repository and who may import whom (README, "Where things live"):
 * - functions/<name>/ (deployed) imports only its own folder, shared/ and the data rooms config/ and db/
 *   (the routing config, the bundled migrations);
 * - shared/ (deployed, in every function's bundle) imports only shared/ and config/;
 * - db/ (SQL and the list that bundles it) imports only shared/;
 * - operator/ (commands run against a stage or the local stack) never imports tools/ (dev tooling).
 */
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { projectFiles } from "../helpers/project-files";

const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Every relative import of the tracked TypeScript files: [importer, imported path]. */
function relativeImports(files: string[], read: (f: string) => string): [string, string][] {
  return files.flatMap((file) =>
    [...read(file).matchAll(IMPORT)].map((m): [string, string] => [
      file,
      normalize(join(dirname(file), m[1] as string)),
    ]),
  );
}

const room = (path: string) => path.split("/")[0] as string;

/** The imports that break a rule, as "importer -> imported". */
function forbiddenImports(imports: [string, string][]): string[] {
  return imports
    .filter(([from, to]) => {
      const [fromRoom, toRoom] = [room(from), room(to)];
      if (fromRoom === "functions") {
        const own = from.split("/").slice(0, 2).join("/");
        return !(to.startsWith(`${own}/`) || ["shared", "config", "db"].includes(toRoom));
      }
      if (fromRoom === "shared") return !(toRoom === "shared" || toRoom === "config");
      if (fromRoom === "db") return !(toRoom === "db" || toRoom === "shared");
      if (fromRoom === "operator") return toRoom === "tools" || toRoom === "test";
      return false;
    })
    .map(([from, to]) => `${from} -> ${to}`);
}

const tracked = projectFiles().filter((file) => file.endsWith(".ts"));

describe("import directions", () => {
  it("functions, shared and operator code import only what their room may", () => {
    const imports = relativeImports(tracked, (f) => readFileSync(f, "utf8"));
    expect(imports.length).toBeGreaterThan(100);
    expect(forbiddenImports(imports)).toEqual([]);
  });

  it("catches a forbidden import in each room", () => {
    const planted: Record<string, string> = {
      "functions/indexer/x.ts": 'import { a } from "../../tools/lib/sam-function";',
      "functions/producer/y.ts": 'import { b } from "../indexer/plan";',
      "shared/z.ts": 'import { c } from "../operator/lib/targets";',
      "operator/redrive/w.ts": 'const m = await import("../../tools/local-stack/stack");',
      "tools/ok.ts": 'import { d } from "../operator/lib/targets";',
    };
    const found = forbiddenImports(relativeImports(Object.keys(planted), (f) => planted[f] as string));
    expect(found).toEqual([
      "functions/indexer/x.ts -> tools/lib/sam-function",
      "functions/producer/y.ts -> functions/indexer/plan",
      "shared/z.ts -> operator/lib/targets",
      "operator/redrive/w.ts -> tools/local-stack/stack",
    ]);
  });
});
