import { describe, expect, it } from 'vitest';
import { atBottom, LINE_PX, lineWindow, MARGIN_LINES, PAD_PX } from './logWindow.js';

describe('lineWindow', () => {
  const height = 30 * LINE_PX; // a view of 30 lines

  it('pinned to the bottom: the last lines in view and a margin, however many are kept', () => {
    expect(lineWindow({ total: 5000, top: 0, height, pinned: true })).toEqual({
      from: 5000 - 31 - MARGIN_LINES,
      to: 5000,
    });
    expect(lineWindow({ total: 50, top: 0, height, pinned: true })).toEqual({ from: 0, to: 50 });
  });

  it('scrolled back: the lines at the scroll position and a margin either side', () => {
    const top = PAD_PX + 1000 * LINE_PX;
    expect(lineWindow({ total: 5000, top, height, pinned: false })).toEqual({
      from: 1000 - MARGIN_LINES,
      to: 1000 + 31 + MARGIN_LINES,
    });
    expect(lineWindow({ total: 5000, top: 0, height, pinned: false })).toEqual({ from: 0, to: 31 + MARGIN_LINES });
  });

  it('never reaches past the kept lines (a search left fewer than the scroll position stood for)', () => {
    expect(lineWindow({ total: 10, top: 1000 * LINE_PX, height, pinned: false })).toEqual({ from: 10, to: 10 });
    expect(lineWindow({ total: 0, top: 0, height: 0, pinned: true })).toEqual({ from: 0, to: 0 });
  });

  it('at most a fixed number of lines whatever is kept', () => {
    for (const total of [100, 5000, 50_000])
      for (const pinned of [true, false]) {
        const w = lineWindow({ total, top: total * 8, height, pinned });
        expect(w.to - w.from).toBeLessThanOrEqual(31 + 2 * MARGIN_LINES);
      }
  });
});

describe('atBottom', () => {
  it('is true within one line of the bottom, false further up', () => {
    expect(atBottom(520, 480, 1000)).toBe(true);
    expect(atBottom(505, 480, 1000)).toBe(true);
    expect(atBottom(400, 480, 1000)).toBe(false);
  });
});
