// A followed log, virtualised (logWindow.ts): only the lines in view and a margin are in the DOM, so
// a frame costs the same however many lines are kept. At the bottom it follows new lines; scrolled
// back, it stays on the lines being read (also as the oldest are dropped) until scrolled down again.
// Lines are separated by newlines, so a selection copies, and textContent reads, as lines.
import { useLayoutEffect, useRef, useState, type CSSProperties, type UIEvent } from 'react';
import { atBottom, LINE_PX, lineWindow, PAD_PX } from './logWindow.js';

export interface LogViewProps {
  readonly lines: readonly string[];
  /**
   * How many lines were dropped before `lines[0]` (useLogStream's `dropped`), so a reader scrolled
   * back keeps their place. @default 0 (lines are not dropped from the front, or not countably)
   */
  readonly dropped?: number;
  /** Shown while there are no lines. */
  readonly empty: string;
  readonly label: string;
  readonly testId: string;
  readonly height: string;
}

const BOX: CSSProperties = {
  background: '#141414',
  color: '#e8e8e8',
  padding: PAD_PX,
  overflow: 'auto',
  margin: 0,
  fontSize: 12,
  lineHeight: `${LINE_PX}px`,
  // The view keeps a reader's place itself (by the lines dropped): the browser's scroll anchoring would too.
  overflowAnchor: 'none',
};
const LINE: CSSProperties = { display: 'block', height: LINE_PX };

export function LogView({ lines, dropped = 0, empty, label, testId, height }: LogViewProps) {
  const ref = useRef<HTMLPreElement>(null);
  const [view, setView] = useState({ top: 0, height: 0 });
  const [pinned, setPinned] = useState(true);
  const droppedBefore = useRef(dropped);
  const { from, to } = lineWindow({ total: lines.length, top: view.top, height: view.height, pinned });

  // Before the browser paints the new lines: pinned, to the bottom; scrolled back, up by what was dropped.
  useLayoutEffect(() => {
    const el = ref.current;
    const shift = dropped - droppedBefore.current;
    droppedBefore.current = dropped;
    if (!el) return;
    if (pinned) el.scrollTop = el.scrollHeight;
    else if (shift > 0) el.scrollTop = Math.max(0, el.scrollTop - shift * LINE_PX);
  }, [lines, dropped, pinned]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = (): void => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = (e: UIEvent<HTMLPreElement>): void => {
    const el = e.currentTarget;
    setPinned(atBottom(el.scrollTop, el.clientHeight, el.scrollHeight));
    setView({ top: el.scrollTop, height: el.clientHeight });
  };

  return (
    <pre ref={ref} tabIndex={0} aria-label={label} data-testid={testId} onScroll={onScroll} style={{ ...BOX, height }}>
      {lines.length === 0 ? (
        empty
      ) : (
        <>
          <span aria-hidden style={{ display: 'block', height: from * LINE_PX }} />
          {lines.slice(from, to).map((line, i) => (
            <span key={dropped + from + i} style={LINE} data-log-line="">
              {line}
              {from + i < lines.length - 1 ? '\n' : ''}
            </span>
          ))}
          <span aria-hidden style={{ display: 'block', height: (lines.length - to) * LINE_PX }} />
        </>
      )}
    </pre>
  );
}
