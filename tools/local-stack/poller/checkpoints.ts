/**
 * Where the poller is in each shard: the sequence number up to which every record is done, kept in a
 * JSON file (written atomically) so a restart resumes there instead of re-reading the stream.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface CheckpointStore {
  get(streamArn: string, shardId: string): string | undefined;
  set(streamArn: string, shardId: string, sequenceNumber: string): void;
}

export class MemoryCheckpoints implements CheckpointStore {
  protected readonly entries = new Map<string, string>();
  get(streamArn: string, shardId: string) {
    return this.entries.get(`${streamArn}/${shardId}`);
  }
  set(streamArn: string, shardId: string, sequenceNumber: string) {
    this.entries.set(`${streamArn}/${shardId}`, sequenceNumber);
  }
}

export class FileCheckpoints extends MemoryCheckpoints {
  constructor(private readonly file: string) {
    super();
    if (existsSync(file))
      for (const [k, v] of Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>))
        this.entries.set(k, v);
  }
  override set(streamArn: string, shardId: string, sequenceNumber: string) {
    super.set(streamArn, shardId, sequenceNumber);
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(Object.fromEntries(this.entries), null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
