/**
 * The shard router: an account lives on shard `fnv1a(String(id)) % shardCount`.
 * FNV-1a (32 bit) because it is tiny, stable across languages, and spreads sequential ids evenly.
 */
export function shardOf(accountId: number, shardCount: number): number {
  let h = 0x811c9dc5;
  const s = String(accountId);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shardCount;
}

/** The first `perShard` account ids (from 1 up) that route to `shard`: the seed set of that shard. */
export function seedIdsOf(shard: number, shardCount: number, perShard: number): number[] {
  const ids: number[] = [];
  for (let id = 1; ids.length < perShard; id++) if (shardOf(id, shardCount) === shard) ids.push(id);
  return ids;
}
