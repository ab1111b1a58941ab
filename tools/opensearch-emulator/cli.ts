/** `npm run opensearch:emulator [-- --port 9200]`: the OpenSearch API emulator (dev/test only) on loopback. */
import { exitOnClosedPipe } from "../../operator/lib/closed-pipe";
import { commandArgs, usageError } from "../../operator/lib/command-args";
import { startEmulator } from "./server";

exitOnClosedPipe();

const USAGE = `usage: npm run opensearch:emulator [-- --port <port>]
  the project's OpenSearch API emulator (dev and tests only, not OpenSearch) on 127.0.0.1 (default 9200)`;
const { values } = commandArgs(USAGE, { options: { port: { type: "string" } } });
const port = Number(values.port ?? 9200);
if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(USAGE, "--port must be a port number");
const running = await startEmulator({ port });
console.error(`OpenSearch API emulator (dev/test only, not OpenSearch) listening on ${running.url}`);
const stop = () => running.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
