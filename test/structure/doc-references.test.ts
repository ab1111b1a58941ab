/**
 * The files README.md and docs/ name (a backticked path ending in a file extension) exist in the
 * repository, named from its root or by the end of their path (`compact.ts`, `lib/dms/`'s files): a file
 * renamed or removed must take its mentions along. Files a run writes (`.local/`) are not in the
 * repository and are named as such below.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { projectFiles } from "../helpers/project-files";

const FILE_REFERENCE = /`\.?\/?([^`\s<>*{}$]+\.(?:ts|md|ya?ml|json|sql|toml|py|svg|sh))`/g;
/** What the local stack writes at run time (`.local/stack.json`, ...), and a config a user writes. */
const WRITTEN_AT_RUN_TIME = /^(?:local\/|\.local\/)?(?:stack|routes|tables)\.json$|^my\.yaml$/;

/** The references of a Markdown text no tracked file answers to. */
function danglingReferences(text: string, files: string[]): string[] {
  return [...text.matchAll(FILE_REFERENCE)]
    .map((m) => m[1] as string)
    .filter((ref) => !WRITTEN_AT_RUN_TIME.test(ref))
    .filter((ref) => !files.some((file) => file === ref || file.endsWith(`/${ref}`)));
}

const tracked = projectFiles();

it("names only files the repository has, in README.md and docs/", () => {
  const docs = tracked.filter((f) => f === "README.md" || /^docs\/[^/]+\.md$/.test(f));
  const dangling = docs.flatMap((doc) =>
    danglingReferences(readFileSync(doc, "utf8"), tracked).map((ref) => `${doc}: ${ref}`),
  );
  expect(dangling).toEqual([]);
});

it("tells a renamed file's mention from a real one", () => {
  const files = ["functions/indexer/compact.ts", "test/global-setup.ts"];
  expect(
    danglingReferences(
      "`compact.ts`, `indexer/compact.ts`, `./test/global-setup.ts`, `helpers/interrupt.ts`, `.local/stack.json`",
      files,
    ),
  ).toEqual(["helpers/interrupt.ts"]);
});
