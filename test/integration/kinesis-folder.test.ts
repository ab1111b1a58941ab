/**
 * The local Kinesis (kinesalite) keeps its records in a LevelDB folder. A second process of the same
 * folder (a second `npm start` whose first's stack.json was deleted by hand) cannot open it: kinesalite
 * opened it without waiting, so that failed later as an uncaught error and the start hung. It now fails
 * the start with the reason; the first keeps its stream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { ensureStream, startKinesalite } from "../../tools/local-stack/kinesis";

const dir = mkdtempSync(join(tmpdir(), "cdc-kinesis-folder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("refuses a folder another kinesalite holds, with the reason, and leaves that one running", async () => {
  const path = join(dir, "kinesis");
  const first = await startKinesalite({ path });
  const client = createKinesisClient("us-east-1", first.url);
  try {
    await ensureStream(client, "held", 1);
    await expect(startKinesalite({ path })).rejects.toThrow(
      `the stream's folder ${path} is in use by another process (a second npm start of this folder?)`,
    );
    expect(await ensureStream(client, "held", 1)).toMatch(/stream\/held$/);
  } finally {
    client.destroy();
    await first.stop();
  }
  // Free again once its holder stopped.
  const again = await startKinesalite({ path });
  await again.stop();
});
