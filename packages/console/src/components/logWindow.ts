// Which lines of a log view are in the DOM: those in view and a margin either side. Every line is
// one row of LINE_PX (no wrapping), so the window is arithmetic on the scroll position and costs
// the same with 5,000 kept lines as with 50.

/** The height of one log line, in CSS pixels (the view's line-height). */
export const LINE_PX = 16;
/** The view's padding above the first line. */
export const PAD_PX = 12;
/** Lines rendered beyond each edge of the view, so a scroll shows no blank before the next frame. */
export const MARGIN_LINES = 40;
/** The view's height in lines before it has been measured. */
const UNMEASURED_LINES = 60;

export interface LineWindowInput {
  /** Lines kept. */
  readonly total: number;
  /** The view's scrollTop and clientHeight. */
  readonly top: number;
  readonly height: number;
  /** The view follows the newest line: the window ends at the last line, wherever top is now. */
  readonly pinned: boolean;
}

/** Lines `from` (inclusive) to `to` (exclusive) are rendered; spacers stand for the rest. */
export function lineWindow({ total, top, height, pinned }: LineWindowInput): { from: number; to: number } {
  const inView = height > 0 ? Math.ceil(height / LINE_PX) + 1 : UNMEASURED_LINES;
  if (pinned) return { from: Math.max(0, total - inView - MARGIN_LINES), to: total };
  const first = Math.floor(Math.max(0, top - PAD_PX) / LINE_PX);
  return {
    from: Math.min(total, Math.max(0, first - MARGIN_LINES)),
    to: Math.min(total, first + inView + MARGIN_LINES),
  };
}

/** Whether a view scrolled to `top` shows its last line: within one line of the bottom. */
export function atBottom(top: number, height: number, scrollHeight: number): boolean {
  return top + height >= scrollHeight - LINE_PX;
}
