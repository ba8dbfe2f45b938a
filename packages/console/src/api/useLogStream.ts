// A followed text stream (pod logs, build logs): one streaming GET, read as it arrives. Lines are
// kept to the last 5,000 and handed to React once per animation frame, so a fast writer cannot
// freeze the page. `retryWhile` lets a stream that does not exist yet (a build whose first step
// has not started: 404) be asked again every second while it says so.
import { useEffect, useState } from 'react';
import { apiRaw, ApiError } from './client.js';

export const KEEP_LINES = 5000;

export interface LogStream {
  readonly text: string;
  readonly count: number;
  readonly error: unknown;
}

export function useLogStream(path: string | undefined, onPaint?: () => void, retryWhile?: (e: ApiError) => boolean): LogStream {
  const [view, setView] = useState<LogStream>({ text: '', count: 0, error: undefined });
  useEffect(() => {
    if (!path) return undefined;
    const ctl = new AbortController();
    const lines: string[] = [];
    let partial = '';
    let frame = 0;
    const paint = (): void => {
      frame = 0;
      setView({ text: lines.join('\n'), count: lines.length, error: undefined });
      onPaint?.();
    };
    setView({ text: '', count: 0, error: undefined });
    void (async () => {
      for (;;) {
        try {
          const res = await apiRaw(path, { signal: ctl.signal });
          const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
          while (true) {
            const { value, done } = await reader.read();
            if (done) break;
            const parts = (partial + value).split('\n');
            partial = parts.pop() ?? '';
            lines.push(...parts);
            if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
            if (!frame) frame = requestAnimationFrame(paint);
          }
          if (partial) lines.push(partial);
          paint();
          return;
        } catch (e) {
          if (ctl.signal.aborted) return;
          if (!(e instanceof ApiError && retryWhile?.(e))) return setView((v) => ({ ...v, error: e }));
          await new Promise((r) => setTimeout(r, 1000));
          if (ctl.signal.aborted) return;
        }
      }
    })();
    return () => {
      ctl.abort();
      if (frame) cancelAnimationFrame(frame);
    };
    // onPaint and retryWhile are callbacks of the moment; the stream is named by its path.
  }, [path]);
  return view;
}
