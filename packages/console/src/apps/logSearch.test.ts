import { describe, expect, it } from 'vitest';
import { search } from './logSearch.js';

describe("searching an application's logs", () => {
  it('keeps the lines containing the text, whatever the case; an empty search keeps all', () => {
    const lines = ['[web-1] GET / 200', '[web-2] GET /missing 404', '[web-1] ERROR db down'];
    expect(search(lines, 'error')).toEqual(['[web-1] ERROR db down']);
    expect(search(lines, ' web-1 ')).toEqual(['[web-1] GET / 200', '[web-1] ERROR db down']);
    expect(search(lines, '')).toBe(lines);
  });
});
