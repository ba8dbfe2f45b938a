// A shell in a pod's container: xterm.js over the exec WebSocket (v5.channel.k8s.io), as kubectl
// exec -it. Each binary message starts with its channel: 0 stdin, 1 stdout, 2 stderr, 3 the
// closing Status, 4 resize. The browser cannot set Authorization on a WebSocket, so the token goes
// as the bearer sub-protocol, which `wharf up`'s proxy turns back into the header. A user RBAC
// refuses `create` on pods/exec gets the reason instead of a session that ends at once.
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { Alert, Button, Select, Space } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/access.js';
import type { KubeObject } from '../api/types.js';
import { getToken } from '../auth/token.js';
import { field } from '../components/columns.js';

const enc = new TextEncoder();

function bearerProtocol(token: string): string {
  const b64 = btoa(String.fromCharCode(...enc.encode(token)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return `base64url.bearer.authorization.k8s.io.${b64}`;
}

function framed(channel: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 1);
  out[0] = channel;
  out.set(data, 1);
  return out;
}

export default function PodTerminal({ pod }: { pod: KubeObject }) {
  const { t } = useTranslation();
  const containers = ((field(pod, 'spec', 'containers') as { name: string }[] | undefined) ?? []).map((c) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [session, setSession] = useState(0);
  const [state, setState] = useState<'connecting' | 'open' | 'closed'>('connecting');
  const host = useRef<HTMLDivElement>(null);
  const { name, namespace = '' } = pod.metadata;
  const exec = useCan({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace, name });

  useEffect(() => {
    if (!host.current || !exec.allowed) return undefined;
    const term = new Terminal({ convertEol: false, fontSize: 13, screenReaderMode: true });
    term.open(host.current);
    const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', tty: 'true' });
    q.append('command', 'sh');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/exec?${q}`;
    // A directory user's session cookie travels by itself; a token is offered as the sub-protocol.
    const token = getToken();
    const ws = new WebSocket(url, ['v5.channel.k8s.io', ...(token ? [bearerProtocol(token)] : [])]);
    ws.binaryType = 'arraybuffer';
    const dec = new TextDecoder();
    setState('connecting');
    ws.onopen = () => {
      setState('open');
      ws.send(framed(4, enc.encode(JSON.stringify({ Width: term.cols, Height: term.rows }))));
      // Typing goes to the shell once it is there, unless the user is in a field meanwhile (the
      // pod picker: taking its focus closed its list under the pointer).
      if (!document.activeElement?.closest('input, textarea, select')) term.focus();
    };
    ws.onmessage = (m) => {
      const b = new Uint8Array(m.data as ArrayBuffer);
      if (b[0] === 1 || b[0] === 2) term.write(dec.decode(b.subarray(1), { stream: true }));
      else if (b[0] === 3) term.write(`\r\n${dec.decode(b.subarray(1))}\r\n`);
    };
    ws.onclose = () => setState('closed');
    const input = term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(framed(0, enc.encode(d))));
    return () => {
      input.dispose();
      ws.close();
      term.dispose();
    };
  }, [namespace, name, container, session, exec.allowed]);

  if (!exec.allowed && !exec.pending)
    return (
      <Alert
        type="warning"
        role="status"
        data-testid="terminal-not-allowed"
        message={exec.reason ? t('detail.notAllowed', { reason: exec.reason }) : t('detail.notAllowedNoReason')}
      />
    );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Select
          aria-label={t('terminal.container')}
          value={container}
          onChange={setContainer}
          options={containers.map((c) => ({ value: c, label: c }))}
          style={{ minWidth: 160 }}
        />
        <span role="status" data-testid="terminal-state">
          {t(`terminal.${state}`)}
        </span>
        {state === 'closed' && <Button onClick={() => setSession((n) => n + 1)}>{t('terminal.reconnect')}</Button>}
      </Space>
      <div
        ref={host}
        data-testid="terminal"
        aria-label={t('terminal.label', { name })}
        style={{ height: '55vh', background: '#000', padding: 4 }}
      />
    </Space>
  );
}
