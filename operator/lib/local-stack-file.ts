/** `.local/stack.json`: how `npm run demo`, `verify` and other terminals find the running `npm start`. */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "./process-alive";
import { projectRoot } from "./project-root";

export type StackEndpoints = {
  pid: number;
  databaseUrl: string;
  opensearchUrl: string;
  indexPrefix: string;
  kinesisEndpoint?: string;
  streamArn: string;
  sqsEndpoint?: string;
  dlqUrl: string;
  producerApiUrl?: string;
  /** The routing config the stack runs with (absolute path): the commands aimed at it read the same. */
  pipelineConfig?: string;
  /**
   * The CA file an OpenSearch of one's own was trusted through when the stack started (its
   * NODE_EXTRA_CA_CERTS, absolute): the commands run in another terminal trust it too.
   */
  opensearchCaFile?: string;
};

/** `.local/`, or LOCAL_STACK_DIR (tests and second checkouts point tools at another stack). */
const file = (dir = process.env.LOCAL_STACK_DIR ?? join(projectRoot(), ".local")) => join(dir, "stack.json");

export function writeStackFile(endpoints: StackEndpoints, dir?: string): void {
  writeFileSync(file(dir), JSON.stringify(endpoints, null, 2), { mode: 0o600 });
  chmodSync(file(dir), 0o600);
}

export function removeStackFile(dir?: string): void {
  rmSync(file(dir), { force: true });
}

/** The running stack's endpoints, or undefined when none is running. */
export function readStackFile(dir?: string): StackEndpoints | undefined {
  if (!existsSync(file(dir))) return undefined;
  const endpoints = JSON.parse(readFileSync(file(dir), "utf8")) as StackEndpoints;
  return processAlive(endpoints.pid) ? endpoints : undefined;
}
