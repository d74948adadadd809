import type { Effect, Payload } from './events.js';
import { NoticeBoard, type ContextOf, type Notice, type NoticeId, type Signal } from './notices.js';

/** A notice with its context, as the start-up asks for them. */
export type AnyNotice = { [K in NoticeId]: { readonly id: K; readonly context: ContextOf<K> } }[NoticeId];

/**
 * Where the core's machines put what they decide, in order: effects leave frozen (a value, never a view of the core's
 * state), and notices go through the one notice board, which decides what is said.
 */
export class Outbox {
  private effects: Effect[] = [];
  private readonly board = new NoticeBoard();
  /** What a signal ended, said at once: empty between signals. */
  private readonly ended: Notice[] = [];

  push(effect: Effect): void {
    this.effects.push(Object.freeze(effect));
  }

  /** A message: `payload` is a plain object the shell serialises, or null for an empty retained message (a clear). */
  publish(topic: string, payload: Payload | null, retain: boolean): void {
    this.push({ kind: 'publish', topic, payload: payload === null ? null : Object.freeze(payload), retain });
  }

  availability(topic: string, online: boolean): void {
    this.push({ kind: 'availability', topic, online });
  }

  say<K extends NoticeId>(id: K, scope: string | null, context: ContextOf<K>): void {
    const n = this.board.say(id, scope, context);
    if (n) this.notice(n);
  }

  sayAny(n: AnyNotice): void {
    const said = this.board.say(n.id, null, n.context);
    if (said) this.notice(said);
  }

  /** A signal in `scope`: ends the notices it ends there (cheap when none is active, as it is raised per frame). */
  signal(signal: Signal, scope: string | null): void {
    if (this.board.quiet) return;
    // One array for every signal: some notices stay active for good, and six signals come with each frame (issue #30).
    this.board.signal(signal, scope, this.ended);
    if (this.ended.length === 0) return;
    for (const n of this.ended.splice(0)) this.notice(n);
  }

  isActive(id: NoticeId, scope: string | null): boolean {
    return this.board.isActive(id, scope);
  }

  /** Once an hour: the counts of what was said once and went on happening. */
  hourly(): void {
    for (const n of this.board.hourly()) this.notice(n);
  }

  /** What was decided since the last call. */
  take(): readonly Effect[] {
    if (this.effects.length === 0) return NOTHING;
    const out = this.effects;
    this.effects = [];
    return out;
  }

  private notice(notice: Notice): void {
    this.push({ kind: 'notice', notice });
  }
}

const NOTHING: readonly Effect[] = Object.freeze([]);
