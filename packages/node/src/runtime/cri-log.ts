// The CRI log format (`<RFC 3339 time> <stream> <P|F> <content>`), as the kubelet reads it from
// /var/log/pods: conmon writes it for runc containers, the process shim (helpers/process-shim.mjs)
// for host processes, and `kubectl logs` / attach read it back here.

/** CRI log lines longer than this are split into partial (`P`) lines, as the kubelet does. */
export const CRI_MAX_LINE = 16 * 1024;

/** One parsed CRI log line (for readers such as `kubectl logs`). */
export interface CriLogLine {
  /** RFC 3339 in UTC with a `Z`, as the kubelet prints it (conmon writes `+00:00`). */
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  readonly partial: boolean;
  readonly content: string;
}

export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s.exec(line);
  if (!m) return undefined;
  const time = (m[1] ?? '').replace(/\+00:00$/, 'Z');
  return { time, stream: m[2] as 'stdout' | 'stderr', partial: m[3] === 'P', content: m[4] ?? '' };
}
