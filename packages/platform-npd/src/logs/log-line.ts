/** One log entry as the monitors see it: when it was written and its message. */
export interface LogLine {
  readonly timeMs: number;
  readonly message: string;
}

/** Where a source has read up to, saved so a restarted detector neither misses nor replays lines. */
export type Cursor =
  | { readonly kind: 'file'; readonly inode: number; readonly offset: number }
  | { readonly kind: 'kmsg'; readonly bootId: string; readonly seq: number };

/** A source of log lines with start()/stop(); `onLines` gets each batch with the cursor after it. */
export interface LogSource {
  start(onLines: (lines: readonly LogLine[], cursor: Cursor) => void): void;
  stop(): Promise<void>;
}
