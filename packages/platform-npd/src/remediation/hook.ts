// The ladder's last step: a command (NODE_NAME and REMEDIATION_POLICY in its environment) or a
// webhook (a JSON POST naming the node, policy and condition). Success is exit 0 or a 2xx answer.
import { execFile } from 'node:child_process';
import type { Policy } from './policy.js';

export async function runHook(p: Policy, node: string): Promise<{ ok: boolean; detail: string }> {
  const timeout = (p.hook?.timeoutSeconds ?? 300) * 1000;
  if (p.hook?.command?.length) {
    const [cmd, ...args] = p.hook.command;
    return new Promise((resolve) => {
      execFile(
        cmd as string,
        args,
        {
          timeout,
          env: { ...process.env, NODE_NAME: node, REMEDIATION_POLICY: p.name, CONDITION_TYPE: p.conditionType },
        },
        (err, stdout) => {
          resolve(
            err
              ? { ok: false, detail: `command failed: ${err.message.split('\n')[0]}` }
              : { ok: true, detail: `command succeeded: ${String(stdout).trim().slice(0, 200)}` },
          );
        },
      );
    });
  }
  if (p.hook?.webhook) {
    try {
      const res = await fetch(p.hook.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ node, policy: p.name, conditionType: p.conditionType }),
        signal: AbortSignal.timeout(timeout),
      });
      return { ok: res.ok, detail: `webhook answered ${res.status}` };
    } catch (e) {
      return { ok: false, detail: `webhook failed: ${(e as Error).message}` };
    }
  }
  return { ok: true, detail: 'no hook' };
}
