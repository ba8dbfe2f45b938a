// A tiny web application built the way a CI step would: a Java class compiled with Debian's JDK
// (`javac`), a JSP that calls it, packed into a .war with `jar`. The page answers
// `<app> says <greeting>`, the greeting read on every request from a file (config mounted in
// place) or else an env var, so a config change is visible through HTTP.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFiles } from './oci-archive.js';

export interface WarOptions {
  /** The app's name: the .war is `<name>.war`, so Tomcat serves it at `/<name>/`. */
  readonly name: string;
  /** Env var the greeting comes from. @default 'GREETING' */
  readonly envVar?: string;
  /** File whose content (trimmed) wins over the env var. @default '/etc/app/greeting' */
  readonly file?: string;
}

const greetingJava = (envVar: string, file: string): string => `package wharf.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** The greeting: the file ${file} if it can be read, else $${envVar}, else "hello". */
public final class Greeting {
  private Greeting() {}

  public static String text() {
    try {
      return Files.readString(Path.of(${JSON.stringify(file)})).trim();
    } catch (Exception e) {
      String env = System.getenv(${JSON.stringify(envVar)});
      return env == null ? "hello" : env;
    }
  }
}
`;

/** Debian's JDK tools, or why they are missing. */
export function jdkUnavailable(): string {
  for (const tool of ['javac', 'jar']) {
    if (existsSync(`/usr/bin/${tool}`)) continue;
    const missing = `no /usr/bin/${tool} (Debian's openjdk-17-jdk-headless)`;
    // As runcUnavailable: where setup.sh --test installs the JDK (root, CI), a missing one is a failure, not a skip.
    if (process.getuid?.() === 0 || process.env.CI)
      throw new Error(`the JDK suites cannot run: ${missing} (run scripts/setup.sh --test as root)`);
    return missing;
  }
  return '';
}

/** Builds `<dir>/<name>.war` and answers its path. */
export function buildWar(dir: string, o: WarOptions): string {
  const src = path.join(dir, `${o.name}-src`);
  const root = path.join(dir, `${o.name}-war`);
  rmSync(src, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
  writeFiles(src, { 'wharf/demo/Greeting.java': greetingJava(o.envVar ?? 'GREETING', o.file ?? '/etc/app/greeting') });
  writeFiles(root, {
    'WEB-INF/web.xml': `<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="5.0"><display-name>${o.name}</display-name></web-app>\n`,
    'index.jsp': `<%@ page contentType="text/plain" %>${o.name} says <%= wharf.demo.Greeting.text() %>\n`,
  });
  mkdirSync(path.join(root, 'WEB-INF/classes'), { recursive: true });
  // --release 17: the class files run on the runtime image's Java 17 whatever JDK compiles them.
  execFileSync(
    'javac',
    ['--release', '17', '-d', path.join(root, 'WEB-INF/classes'), path.join(src, 'wharf/demo/Greeting.java')],
    { stdio: 'pipe' },
  );
  const war = path.join(dir, `${o.name}.war`);
  rmSync(war, { force: true });
  execFileSync('jar', ['--create', '--file', war, '-C', root, '.'], { stdio: 'pipe' });
  return war;
}
