/**
 * The static partition of a fleet of raw-frame streams among PowerMeter instances (docs/scaling.md): a stream belongs
 * to instance `fnv1a32(topic) mod count`. The hash is FNV-1a, 32 bits, over the topic's UTF-8 bytes (offset basis
 * 2166136261, prime 16777619, as http://www.isthe.com/chongo/tech/comp/fnv/ defines it). It must never change
 * between versions: a meter that moved to another instance would leave its energy periods and replay counters behind.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export interface Partition {
  readonly index: number;
  readonly count: number;
}

/** Whether this instance owns the stream of this topic. */
export function ownsTopic(partition: Partition, topic: string): boolean {
  return fnv1a32(topic) % partition.count === partition.index;
}
