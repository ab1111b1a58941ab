/**
 * The structure tests read the project's file list (test/helpers/project-files.ts): git's in a clone, a
 * walk of the tree in a copy without `.git` (a downloaded archive). Both must list the same files, or a
 * structure test would pass in one and miss a file in the other.
 */
import { expect, it } from "vitest";
import { projectCopy } from "../helpers/project-copy";
import { projectFiles } from "../helpers/project-files";

it("lists the same files in a copy without .git as git does in the clone", () => {
  const copy = projectCopy();
  try {
    const listed = projectFiles();
    expect(listed).toContain("README.md");
    expect(listed).toContain("functions/indexer/index.ts");
    expect(projectFiles(copy.dir)).toEqual(listed);
  } finally {
    copy.remove();
  }
});
