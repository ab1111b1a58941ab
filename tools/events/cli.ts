/**
 * `npm run events`: regenerates the sample events in events/ (usable unmodified with `sam local invoke`
 * and `npm run invoke`) from their readable sources in events/src/*.yaml:
 * - kinesis-*: base64 Kinesis events of DMS records, for IndexerFunction;
 * - api-*: API Gateway HTTP API (2.0) requests for ProducerFunction, bodies from events/bodies/.
 * `npm run events -- --check` exits 1 when a generated file is out of date.
 */

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exitOnClosedPipe } from "../../operator/lib/closed-pipe";
import { commandArgs } from "../../operator/lib/command-args";
import { projectRoot } from "../../operator/lib/project-root";
import { loadTemplate } from "../lib/cfn-yaml";
import { httpApiEvent, matchRoute } from "../lib/http-api-event";
import { dmsLine, kinesisEvent } from "../lib/kinesis-event";
import { templateRouteKeys } from "../local-stack/http-api";
import { type HttpSource, parseEventSource } from "./event-source";

exitOnClosedPipe();

const EVENTS_DIR = join(projectRoot(), "events");
// Fixed, so that regenerating gives identical files.
const SAMPLE_TIME = new Date("2026-11-21T09:15:02.000Z");

export function renderEvent(sourceText: string, eventsDir = EVENTS_DIR): string {
  const source = parseEventSource(sourceText);
  if ("request" in source) return `${JSON.stringify(renderRequest(source, eventsDir), null, 2)}\n`;
  const inputs = source.records.map((r) => ({
    partitionKey: r.partitionKey,
    data: r.raw ?? dmsLine(r.message),
  }));
  return `${JSON.stringify(kinesisEvent(inputs), null, 2)}\n`;
}

/** A request body file's JSON, or an error naming the file (`events/bodies/...`). */
function bodyFrom(path: string, name: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`bodyFile ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`bodyFile ${name} is not JSON (${(error as Error).message})`);
  }
}

function renderRequest(source: HttpSource, eventsDir: string) {
  const { method, path, headers, bodyFile, body } = source.request;
  const text = bodyFile
    ? JSON.stringify(bodyFrom(join(eventsDir, bodyFile), bodyFile))
    : body === undefined
      ? undefined
      : JSON.stringify(body);
  const routeKeys = templateRouteKeys(loadTemplate(join(eventsDir, "..", "template.yaml")));
  const route = matchRoute(routeKeys, method, path.split("?")[0] as string);
  if (route.routeKey === "$default") throw new Error(`${method} ${path} matches no route of template.yaml`);
  return httpApiEvent(
    {
      method,
      path,
      headers: { host: "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "curl/8.5.0", ...headers },
      ...(text !== undefined && { body: text }),
      sourceIp: "203.0.113.10",
      requestId: "sample-request-id",
      time: SAMPLE_TIME,
    },
    route,
  );
}

function main(): void {
  const dir = EVENTS_DIR;
  const { values } = commandArgs(
    `usage: npm run events [-- --check]
  regenerates the sample events in events/ from events/src/*.yaml; --check only reports (exit 1) the
  files that are out of date`,
    { options: { check: { type: "boolean" } } },
  );
  const check = values.check === true;
  let stale = 0;
  let invalid = 0;
  for (const file of readdirSync(join(dir, "src")).filter((f) => f.endsWith(".yaml"))) {
    const target = join(dir, file.replace(/\.yaml$/, ".json"));
    let rendered: string;
    try {
      rendered = renderEvent(readFileSync(join(dir, "src", file), "utf8"));
    } catch (error) {
      console.error(`events: events/src/${file}: ${(error as Error).message}`);
      invalid++;
      continue;
    }
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
  process.exitCode = stale || invalid ? 1 : 0;
}

if (import.meta.main) main();
