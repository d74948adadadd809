/**
 * A byte source: the only I/O on the way in. It hands raw chunks to the pipeline and reports its
 * connection state; reconnecting is its own business and never ends while the service runs.
 */
export type SourceState = 'connecting' | 'connected' | 'disconnected';

export interface SourceEvents {
  /**
   * Bytes as they came. `stream` names the byte stream within the source when it carries several (the topic of each
   * bridge under an MQTT wildcard): each stream has its own framer, since frames of two bridges must never be mixed.
   * `chunk` is the source's own memory, valid during the call only: a source reads into one buffer, and copying each
   * read (Buffer.from) was the costliest step of a read under --jitless (issue #30); what is kept is copied by the
   * keeper. Returns whether a frame is under way (its first bytes are held, its rest awaited): a source that reads a line
   * rests between the pieces of a frame, and not after the last (source/tcp.ts, GATHER_MS).
   */
  data(chunk: Buffer, stream?: string): boolean;
  state(state: SourceState, detail?: string): void;
  /** Something the user should know about the bytes (a bridge that changed its format), said once by the source. */
  notice(text: string, stream?: string): void;
}

/**
 * The most byte streams one source keeps (topics under an MQTT wildcard): each holds a framer and a few kB. A stranger
 * who can publish under the wildcard must not grow memory without end; past this the idlest stream is forgotten.
 */
export const MAX_STREAMS = 2000;

export interface Source {
  /** Human-readable name for logs ("serial /dev/ttyUSB0", "tcp 192.168.1.50:6638"). */
  readonly name: string;
  start(events: SourceEvents): void;
  stop(): Promise<void>;
  /**
   * Drops the connection and dials again. The service asks for it when a bridge has sent no good frame for the data
   * timeout: a half-open TCP connection (the bridge lost power, Wi-Fi dropped) otherwise looks alive forever.
   */
  redial?(reason: string): void;
}
