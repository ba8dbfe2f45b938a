// Sign-in: a `wharf console` link (#code=...) signs in by itself; otherwise the cluster's OpenID
// provider by redirect (when `wharf up` trusts one; back here with #oidc-session or #oidc-error),
// a directory (LDAP) username and password (either session then lives in an httpOnly cookie
// `wharf up` sets), or a pasted token, checked with the API (SelfSubjectReview) before it is kept.
import { Alert, Button, Card, Divider, Form, Input, Tabs, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client.js';
import { OIDC_START, oidcIssuer } from '../auth/oidc.js';
import { signInWithPassword } from '../auth/password.js';
import { redeemCode, setToken, startSession } from '../auth/token.js';

/** The page's words for a failed OpenID sign-in, by the kind `wharf up` names (oidc.ts there). */
const OIDC_FAILURES: Record<string, string> = {
  unreachable: 'signIn.oidcUnreachable',
  state: 'signIn.oidcState',
  denied: 'signIn.oidcDenied',
  refused: 'signIn.oidcRefused',
  origin: 'signIn.oidcOrigin',
};

async function verify(token: string): Promise<void> {
  const res = await fetch('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  if (!res.ok) {
    const s = (await res.json().catch(() => ({}))) as { message?: string; reason?: string };
    throw new ApiError(res.status, s.reason ?? '', s.message ?? `HTTP ${res.status}`);
  }
}

/** The issuer as people know it: its host (https://login.example.com/realms/acme → login.example.com). */
function issuerName(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

export default function SignIn() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [value, setValue] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [issuer, setIssuer] = useState<string>();

  const accept = async (token: string): Promise<void> => {
    await verify(token);
    setToken(token);
    navigate('/', { replace: true });
  };

  useEffect(() => {
    void oidcIssuer().then(setIssuer);
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const code = fragment.get('code');
    const oidcSession = fragment.get('oidc-session');
    const oidcError = fragment.get('oidc-error');
    // Codes and answers are for this load only: out of the address bar and history at once.
    if (code || oidcSession || oidcError) window.history.replaceState(null, '', window.location.pathname);
    if (oidcSession) {
      startSession(oidcSession, 'oidc');
      navigate('/', { replace: true });
      return;
    }
    if (oidcError) {
      const message = fragment.get('message') ?? '';
      setError(t(OIDC_FAILURES[oidcError] ?? 'signIn.oidcRefused', { message }));
      return;
    }
    if (!code) return;
    setBusy(true);
    redeemCode(code)
      .then(accept)
      .catch((e: Error) => setError(t('signIn.linkFailed', { message: e.message })))
      .finally(() => setBusy(false));
    // Runs once, on the page the link opened.
  }, []);

  const submit = (): void => {
    const token = value.trim();
    if (!token) {
      setError(t('signIn.tokenRequired'));
      return;
    }
    setBusy(true);
    accept(token)
      .catch((e: Error) => setError(t('signIn.tokenRejected', { message: e.message })))
      .finally(() => setBusy(false));
  };

  const submitPassword = (): void => {
    if (!username.trim() || !password) {
      setError(t('signIn.passwordRequired'));
      return;
    }
    setBusy(true);
    setError('');
    signInWithPassword(username.trim(), password)
      .then(() => navigate('/', { replace: true }))
      .catch((e: ApiError) => {
        setPassword('');
        // The API says when to try again in its message ("… try again in 30 s").
        const retryIn = e.code === 429 ? /try again in (\d+) s/.exec(e.message)?.[1] : undefined;
        setError(
          e.code === 401
            ? t('signIn.wrongPassword')
            : retryIn
              ? t('signIn.tooMany', { seconds: retryIn })
              : t('signIn.passwordFailed', { message: e.message }),
        );
      })
      .finally(() => setBusy(false));
  };

  const passwordForm = (
    <Form layout="vertical" onFinish={submitPassword}>
      <Form.Item label={t('signIn.username')} htmlFor="username">
        <Input id="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      </Form.Item>
      <Form.Item label={t('signIn.password')} htmlFor="password" extra={t('signIn.passwordHelp')}>
        <Input.Password
          id="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('signIn.submit')}
      </Button>
    </Form>
  );
  const tokenForm = (
    <Form layout="vertical" onFinish={submit}>
      <Form.Item label={t('signIn.tokenLabel')} htmlFor="token" extra={t('signIn.tokenHelp')}>
        <Input.Password id="token" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy}>
        {t('signIn.submit')}
      </Button>
    </Form>
  );
  return (
    <main style={{ display: 'flex', justifyContent: 'center', paddingTop: '12vh' }}>
      <Card style={{ width: 480 }}>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('signIn.title')}
        </Typography.Title>
        {busy && <Typography.Paragraph>{t('signIn.redeeming')}</Typography.Paragraph>}
        {error && (
          <Alert
            type="error"
            role="alert"
            showIcon
            message={error}
            style={{ marginBottom: 16 }}
            data-testid="sign-in-error"
          />
        )}
        {issuer && (
          <>
            <Button type="primary" block href={OIDC_START} data-testid="oidc-sign-in">
              {t('signIn.withOidc', { issuer: issuerName(issuer) })}
            </Button>
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {t('signIn.oidcHelp')}
            </Typography.Paragraph>
            <Divider plain>{t('signIn.orOther')}</Divider>
          </>
        )}
        <Tabs
          onChange={() => setError('')}
          items={[
            { key: 'password', label: t('signIn.withPassword'), children: passwordForm },
            { key: 'token', label: t('signIn.withToken'), children: tokenForm },
          ]}
        />
      </Card>
    </main>
  );
}
