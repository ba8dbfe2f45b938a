import { describe, expect, it } from 'vitest';
import { execForm } from './image.js';

describe('execForm', () => {
  it('keeps plain words', () => {
    expect(execForm('--cmd', ['catalina.sh', 'run'])).toEqual(['catalina.sh', 'run']);
  });

  it('reads one JSON array, so arguments may start with -', () => {
    expect(
      execForm('--entrypoint', ['["/usr/bin/java", "-Dcatalina.base=/var/lib/tomcat10", "-cp", "a.jar:b.jar"]']),
    ).toEqual(['/usr/bin/java', '-Dcatalina.base=/var/lib/tomcat10', '-cp', 'a.jar:b.jar']);
  });

  it('names the flag when the array is broken or holds other than strings', () => {
    expect(() => execForm('--entrypoint', ['["java",'])).toThrow(
      /^--entrypoint: \["java", is not a JSON array of strings/,
    );
    expect(() => execForm('--cmd', ['["java", 1]'])).toThrow(
      '--cmd: ["java", 1] is not a non-empty JSON array of strings',
    );
    expect(() => execForm('--cmd', ['[]'])).toThrow(/--cmd/);
  });
});
