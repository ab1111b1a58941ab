/**
 * `npm run dms:settings -- --write`: after a config change, template.yaml's generated literals are
 * written in place (layout kept), and what they generate is what the template then deploys.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import bundled from "../../config/pipeline.yaml";
import { templateLiterals } from "../../operator/dms-settings/generated-settings";
import { writeTemplateLiterals } from "../../operator/dms-settings/template-literals";
import { parseTemplate } from "../../tools/lib/cfn-yaml";
import { npmRun } from "../helpers/npm-run";

const template = readFileSync("template.yaml", "utf8");
// The bundled config plus a table, with a column excluded and a name that needs YAML quoting in JSON.
const changedConfig = bundled.replace(
  "\nroutes:",
  "\n  sales.it's:\n    primaryKey: [sku]\n    exclude: [cost]\n\nroutes:",
);

describe("template literals", () => {
  it("are in step with the bundled config: writing changes nothing", () => {
    const { text, changed } = writeTemplateLiterals(template, templateLiterals(bundled));
    expect(changed, "template.yaml lags the config or migrations: npm run dms:settings -- --write").toEqual(
      [],
    );
    expect(text).toBe(template);
  });

  it("after a config change, writes exactly the generated values, keeps everything else, and settles", () => {
    const literals = templateLiterals(changedConfig);
    const { text, changed } = writeTemplateLiterals(template, literals);
    expect(changed.sort()).toEqual(["CapturedTables", "PipelineConfigDigest", "TableKeys", "TableMappings"]);
    const resources = parseTemplate(text).Resources;
    const props = (id: string) => (resources[id]?.Properties ?? {}) as Record<string, unknown>;
    const task = props("DmsReplicationTask");
    expect(task.TableMappings).toBe(literals.TableMappings);
    expect(JSON.parse(task.TableMappings as string).rules).toContainEqual(
      expect.objectContaining({
        "rule-action": "remove-column",
        "object-locator": expect.objectContaining({ "table-name": "it's", "column-name": "cost" }),
      }),
    );
    expect(props("DmsTaskStopForChange").TableMappings).toBe(literals.TableMappings);
    expect(props("DatabaseBootstrap").CapturedTables).toBe(literals.CapturedTables);
    expect(props("DatabaseBootstrap").TableKeys).toBe(literals.TableKeys);
    expect(props("DatabaseBootstrap").TableMappings).toBe(literals.TableMappings);
    expect(props("SearchBootstrap").PipelineConfigDigest).toBe(literals.PipelineConfigDigest);
    expect(props("DatabaseBootstrap").PipelineConfigDigest).toBe(literals.PipelineConfigDigest);
    // Only the literal lines differ.
    const before = template.split("\n");
    const after = text.split("\n");
    expect(after.length).toBe(before.length);
    expect(after.filter((line, i) => line !== before[i]).length).toBe(8); // four TableMappings, tables, keys, two digests
    expect(writeTemplateLiterals(text, literals).changed).toEqual([]);
  });

  it("refuses a template that lost a literal rather than skip it", () => {
    const without = template.replace(/^\s+PipelineConfigDigest: .*$/gm, "");
    expect(() => writeTemplateLiterals(without, templateLiterals(bundled))).toThrow(
      /no PipelineConfigDigest/,
    );
  });

  it("npm run dms:settings -- --check names what lags and exits 1 (the template is not written)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cdc-config-"));
    try {
      writeFileSync(join(dir, "pipeline.yaml"), changedConfig);
      const { code, stderr } = await npmRun("dms:settings", ["--check"], {
        PIPELINE_CONFIG: join(dir, "pipeline.yaml"),
      });
      expect(code).toBe(1);
      expect(stderr).toContain("template.yaml lags the config or migrations");
      expect(stderr).toContain("npm run dms:settings -- --write");
      expect(readFileSync("template.yaml", "utf8")).toBe(template);
      const bundledCheck = await npmRun("dms:settings", ["--check"]);
      expect(bundledCheck.code, bundledCheck.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
