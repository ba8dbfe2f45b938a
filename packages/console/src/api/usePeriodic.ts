// Something with no watch (Prometheus queries, the registry) kept fresh: asked again every
// `everyMs`, or at once on reload(), with the previous request aborted when the key or the page changes.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Fetched<T> {
  readonly value: T | undefined;
  readonly error: unknown;
  /** Ask again now (after a change the page made itself). */
  readonly reload: () => void;
}

export function usePeriodic<T>(key: string, load: (signal: AbortSignal) => Promise<T>, everyMs = 15_000): Fetched<T> {
  const [state, setState] = useState<{ value: T | undefined; error: unknown }>({ value: undefined, error: undefined });
  const [asked, setAsked] = useState(0);
  const shown = useRef('');
  useEffect(() => {
    if (!key) return undefined;
    const ctl = new AbortController();
    // A reload keeps what is shown until the new answer arrives; a new key starts empty.
    if (shown.current !== key) setState({ value: undefined, error: undefined });
    shown.current = key;
    const tick = (): void => {
      load(ctl.signal).then(
        (value) => setState({ value, error: undefined }),
        (error: unknown) => {
          if ((error as Error).name !== 'AbortError') setState((s) => ({ value: s.value, error }));
        },
      );
    };
    tick();
    const timer = setInterval(tick, everyMs);
    return () => {
      clearInterval(timer);
      ctl.abort();
    };
    // `key` names the request; `load` is a new closure each render.
  }, [key, asked]);
  const reload = useCallback(() => setAsked((n) => n + 1), []);
  return { ...state, reload };
}
