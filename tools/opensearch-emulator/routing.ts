/**
 * Which shard a document lives on, as OpenSearch routes it: Murmur3 (x86, 32-bit, seed 0) of the id's
 * UTF-16LE bytes, `floorMod(hash, routing_num_shards) / (routing_num_shards / number_of_shards)`. The
 * emulator needs it because a write's `refresh=true` refreshes only the shard it wrote to.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

export function murmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed >>> 0;
  const blocks = bytes.length >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < blocks; i++) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (bytes[tail + 2] as number) << 16;
    if (rest >= 2) k ^= (bytes[tail + 1] as number) << 8;
    k ^= bytes[tail] as number;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** OpenSearch's default `number_of_routing_shards`: room to split up to 1,024 shards. */
export function defaultRoutingShards(shards: number): number {
  if (shards >= 1024) return shards;
  return shards * 2 ** Math.floor(Math.log2(1024 / shards));
}

export function shardOf(id: string, shards: number, routingShards = defaultRoutingShards(shards)): number {
  const bytes = new Uint8Array(id.length * 2);
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    bytes[i * 2] = c & 0xff;
    bytes[i * 2 + 1] = c >>> 8;
  }
  const hash = murmur3(bytes);
  const mod = ((hash % routingShards) + routingShards) % routingShards;
  return Math.floor(mod / (routingShards / shards));
}
