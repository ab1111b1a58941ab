/**
 * The stand-in OpenSearch as its own process, for the indexer CPU benchmark: answers `_bulk` with one
 * item per action, shaped like OpenSearch's (so both indexers parse a realistic reply, filtered by
 * `filter_path` as OpenSearch filters it), and costs the measured process nothing. Prints its port.
 */
import { createServer } from "node:http";
import { applyFilterPath } from "../opensearch-emulator/filter-path";
import { acceptAll } from "./standin";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const items = acceptAll(body).items.map((item, i) => {
      const [action, { status }] = Object.entries(item)[0] as [string, { status: number }];
      return {
        [action]: {
          _index: "bench-orders",
          _id: String(i),
          _version: 1,
          result: action === "delete" ? "deleted" : "created",
          _shards: { total: 2, successful: 1, failed: 0 },
          _seq_no: i,
          _primary_term: 1,
          status,
        },
      };
    });
    const reply = { took: 1, errors: false, items };
    const filter = new URL(req.url ?? "/", "http://localhost").searchParams.get("filter_path");
    res.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify(filter === null ? reply : applyFilterPath(reply, filter)));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`${address.port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
// The bench holds our stdin: once it is gone (finished, Ctrl-C, kill -9), so are we.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
