// The real checkers and the reload call: `promtool check rules|config`, `amtool check-config`,
// and POST /-/reload. A rejection comes back as the tool's own message, for the object's status.
import { execFile } from 'node:child_process';

export interface CheckResult {
  readonly ok: boolean;
  /** The tool's output on failure, trimmed to what names the problem. */
  readonly message: string;
  /** The reload could not be delivered (the server is not up): not a verdict on the configuration. */
  readonly unreachable?: boolean;
}

export interface Tools {
  checkRules(file: string): Promise<CheckResult>;
  checkPrometheusConfig(file: string): Promise<CheckResult>;
  checkAlertmanagerConfig(file: string): Promise<CheckResult>;
  /** POST <url>/-/reload; the body of a non-2xx answer is the message. */
  reload(url: string): Promise<CheckResult>;
}

export interface ToolPaths {
  /** @default 'promtool' */
  readonly promtool?: string;
  /** @default 'amtool' */
  readonly amtool?: string;
}

/** The lines that say what failed, without the tool's banner lines. */
export function failureMessage(output: string, file = ''): string {
  const lines = output
    .split('\n')
    .map((l) =>
      l
        .trim()
        .replace(/^Checking \S+\s*/, '')
        .replace(/^FAILED:\s*/, '')
        .trim(),
    )
    .map((l) => (file && l.startsWith(`${file}: `) ? l.slice(file.length + 2) : l))
    .filter((l) => l && !/^(SUCCESS|amtool: error: failed to validate)/.test(l));
  return lines.join('; ').slice(0, 2000) || 'rejected';
}

function run(cmd: string, args: readonly string[], file: string): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) resolve({ ok: true, message: '' });
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        resolve({ ok: false, message: `${cmd} is not installed` });
      else resolve({ ok: false, message: failureMessage(`${stdout}\n${stderr}`, file) });
    });
  });
}

export function realTools(paths: ToolPaths = {}): Tools {
  const promtool = paths.promtool ?? 'promtool';
  return {
    checkRules: (f) => run(promtool, ['check', 'rules', f], f),
    checkPrometheusConfig: (f) => run(promtool, ['check', 'config', '--syntax-only', f], f),
    checkAlertmanagerConfig: (f) => run(paths.amtool ?? 'amtool', ['check-config', f], f),
    reload: async (url) => {
      try {
        const r = await fetch(new URL('/-/reload', url), { method: 'POST', signal: AbortSignal.timeout(30_000) });
        return r.ok ? { ok: true, message: '' } : { ok: false, message: (await r.text()).trim() || `HTTP ${r.status}` };
      } catch (e) {
        return { ok: false, unreachable: true, message: `reload ${url}: ${(e as Error).message}` };
      }
    },
  };
}
