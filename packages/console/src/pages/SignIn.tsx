// Sign-in: a `wharf console` link (#code=...) signs in by itself; otherwise paste a token. The
// token is checked with the API (SelfSubjectReview) before it is kept.
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client.js';
import { redeemCode, setToken } from '../auth/token.js';

async function verify(token: string): Promise<void> {
  const res = await fetch('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  if (!res.ok) {
    const s = (await res.json().catch(() => ({}))) as { message?: string; reason?: string };
    throw new ApiError(res.status, s.reason ?? '', s.message ?? `HTTP ${res.status}`);
  }
}

export default function SignIn() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [value, setValue] = useState('');

  const accept = async (token: string): Promise<void> => {
    await verify(token);
    setToken(token);
    navigate('/', { replace: true });
  };

  useEffect(() => {
    const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
    if (!code) return;
    // The code is spent on first use: take it out of the address bar and history at once.
    window.history.replaceState(null, '', window.location.pathname);
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

  return (
    <main style={{ display: 'flex', justifyContent: 'center', paddingTop: '12vh' }}>
      <Card style={{ width: 480 }}>
        <Typography.Title level={1} style={{ fontSize: 24 }}>{t('signIn.title')}</Typography.Title>
        {busy && <Typography.Paragraph>{t('signIn.redeeming')}</Typography.Paragraph>}
        {error && <Alert type="error" role="alert" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={submit}>
          <Form.Item label={t('signIn.tokenLabel')} htmlFor="token" extra={t('signIn.tokenHelp')}>
            <Input.Password id="token" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>{t('signIn.submit')}</Button>
        </Form>
      </Card>
    </main>
  );
}
