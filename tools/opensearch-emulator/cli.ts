/** `npm run opensearch:emulator [-- --port 9200]`: the OpenSearch API emulator (dev/test only) on loopback. */
import { startEmulator } from "./server";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 9200;
const running = await startEmulator({ port });
console.error(`OpenSearch API emulator (dev/test only, not OpenSearch) listening on ${running.url}`);
const stop = () => running.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
