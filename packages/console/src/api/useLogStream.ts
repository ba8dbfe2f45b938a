// A followed text stream (pod logs, build logs, a component's pods merged by `wharf up`): one
// streaming GET, read as it arrives. Lines are kept to the last 5,000 and handed to React once per
// animation frame, so a fast writer cannot freeze the page (LogView puts only those in view in the
// DOM). `retryWhile` lets a stream that does not exist yet (a build whose first step has not
// started: 404) be asked again every second while it says so. One stream per view: a browser
// holds six connections to a host, watches included.
import { useEffect, useState } from 'react';
import { apiRaw, ApiError } from './client.js';

export const KEEP_LINES = 5000;

export interface LogStream {
  readonly count: number;
  readonly error: unknown;
  /** The kept lines. */
  readonly lines: readonly string[];
  /** How many lines were dropped before `lines[0]` to keep KEEP_LINES. */
  readonly dropped: number;
}

const EMPTY: LogStream = { count: 0, error: undefined, lines: [], dropped: 0 };

/** Reads `path` line by line until it ends or `signal` aborts; rejects with the error that stopped it. */
async function streamLines(
  path: string,
  signal: AbortSignal,
  onLines: (lines: string[]) => void,
  retryWhile?: (e: ApiError) => boolean,
): Promise<void> {
  let partial = '';
  for (;;) {
    try {
      const res = await apiRaw(path, { signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        const parts = (partial + value).split('\n');
        partial = parts.pop() ?? '';
        if (parts.length) onLines(parts);
      }
      if (partial) onLines([partial]);
      return;
    } catch (e) {
      if (signal.aborted || !(e instanceof ApiError && retryWhile?.(e))) throw e;
      await new Promise((r) => setTimeout(r, 1000));
      if (signal.aborted) throw e;
    }
  }
}

export function useLogStream(path: string | undefined, retryWhile?: (e: ApiError) => boolean): LogStream {
  const [view, setView] = useState<LogStream>(EMPTY);
  useEffect(() => {
    setView(EMPTY);
    if (!path) return undefined;
    const ctl = new AbortController();
    const lines: string[] = [];
    let dropped = 0;
    let frame = 0;
    let error: unknown;
    const paint = (): void => {
      frame = 0;
      setView({ count: lines.length, error, lines: [...lines], dropped });
    };
    void streamLines(
      path,
      ctl.signal,
      (got) => {
        lines.push(...got);
        if (lines.length > KEEP_LINES) dropped += lines.splice(0, lines.length - KEEP_LINES).length;
        if (!frame) frame = requestAnimationFrame(paint);
      },
      retryWhile,
    ).then(
      () => !ctl.signal.aborted && paint(),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        error = e;
        paint();
      },
    );
    return () => {
      ctl.abort();
      if (frame) cancelAnimationFrame(frame);
    };
    // retryWhile is a callback of the moment; the stream is named by its path.
  }, [path]);
  return view;
}
