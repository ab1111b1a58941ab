/**
 * `npm run events`: regenerates events/kinesis-*.json (base64 Kinesis events, usable unmodified with
 * `sam local invoke` and `npm run invoke`) from their readable sources in events/src/*.yaml.
 * `npm run events -- --check` exits 1 when a generated file is out of date.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { dmsLine, kinesisEvent } from "./lib/kinesis-event";

type Source = { records: ({ partitionKey: string } & ({ message: unknown } | { raw: string }))[] };

export function renderEvent(sourceText: string): string {
  const source = parse(sourceText) as Source;
  const inputs = source.records.map((r) => ({
    partitionKey: r.partitionKey,
    data: "raw" in r ? r.raw : dmsLine(r.message),
  }));
  return `${JSON.stringify(kinesisEvent(inputs), null, 2)}\n`;
}

function main(): void {
  const dir = join(import.meta.dirname, "..", "events");
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const file of readdirSync(join(dir, "src")).filter((f) => f.endsWith(".yaml"))) {
    const target = join(dir, file.replace(/\.yaml$/, ".json"));
    const rendered = renderEvent(readFileSync(join(dir, "src", file), "utf8"));
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {}
    if (current === rendered) continue;
    if (check) {
      console.error(`out of date: events/${file.replace(/\.yaml$/, ".json")} (run npm run events)`);
      stale++;
    } else {
      writeFileSync(target, rendered);
      console.error(`wrote events/${file.replace(/\.yaml$/, ".json")}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}

if (import.meta.main) main();
