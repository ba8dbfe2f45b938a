// The frame around every signed-in page: the menu of kinds, the namespace, the language, who is
// signed in and sign-out.
import { Button, Layout, Menu, Select, Space, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/client.js';
import { clearAccessCache } from '../api/access.js';
import { KINDS } from '../api/kinds.js';
import { signOut as endSession } from '../auth/token.js';
import { LANGUAGES, setLanguage, type Language } from '../i18n/index.js';
import { useNamespace } from './namespace.js';

const SECTIONS = ['workloads', 'network', 'config', 'storage', 'cluster'] as const;
/** Menu keys that are pages of their own (`/KEY`), not generic kind lists (`/r/KEY`). */
const PAGES = new Set(['apps', 'configuration', 'builds', 'images', 'monitoring', 'cluster']);

/**
 * Who is signed in (a SelfSubjectReview), asked again after a failure (1 s, doubling to 10 s): a
 * busy API must not leave the header blank for good.
 */
function useUserName(): string {
  const [name, setName] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gone = false;
    const ask = (delayMs: number): void => {
      void api<{ status?: { userInfo?: { username?: string } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        method: 'POST',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      }).then(
        (r) => {
          if (!gone) setName(r.status?.userInfo?.username ?? '');
        },
        () => {
          if (!gone) timer = setTimeout(() => ask(Math.min(delayMs * 2, 10_000)), delayMs);
        },
      );
    };
    ask(1000);
    return () => {
      gone = true;
      clearTimeout(timer);
    };
  }, []);
  return name;
}

/** A namespace's name (an RFC 1123 label), as typed into the picker. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const ns = useNamespace();
  const [typed, setTyped] = useState('');
  const user = useUserName();
  const top = pathname.split('/')[1] ?? '';
  const selected = pathname === '/' ? 'overview' : top === 'r' ? (pathname.split('/')[2] ?? '') : top;
  const items = [
    { key: 'overview', label: t('nav.overview') },
    // Wharf's own kinds, each with a page of its own (route = key).
    {
      key: 'section-platform',
      type: 'group' as const,
      label: t('nav.platform'),
      children: [
        { key: 'apps', label: t('nav.applications') },
        { key: 'configuration', label: t('nav.configSets') },
        { key: 'builds', label: t('nav.builds') },
        { key: 'images', label: t('nav.images') },
        { key: 'monitoring', label: t('nav.monitoring') },
        { key: 'cluster', label: t('nav.clusterHealth') },
      ],
    },
    ...SECTIONS.map((s) => ({
      key: `section-${s}`,
      type: 'group' as const,
      label: t(`nav.${s}`),
      children: KINDS.filter((k) => k.section === s).map((k) => ({
        key: k.plural,
        label: t(`nav.${k.plural as 'pods'}`),
      })),
    })),
  ];
  const signOut = (): void => {
    clearAccessCache();
    void endSession().then(() => navigate('/sign-in'));
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">
        {t('app.skip')}
      </a>
      <Layout.Sider width={230} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
        <Typography.Title level={4} style={{ padding: '16px 20px', margin: 0 }}>
          {t('app.title')}
        </Typography.Title>
        <nav aria-label={t('app.menu')}>
          <Menu
            mode="inline"
            selectedKeys={[selected]}
            items={items}
            onClick={(e) => navigate(e.key === 'overview' ? '/' : PAGES.has(e.key) ? `/${e.key}` : `/r/${e.key}`)}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            borderBottom: '1px solid #f0f0f0',
            display: 'flex',
            justifyContent: 'flex-end',
            paddingInline: 24,
          }}
        >
          <Space size="middle">
            <Select
              aria-label={t('header.namespace')}
              data-testid="namespace-picker"
              style={{ minWidth: 200 }}
              value={ns.namespace}
              onChange={ns.setNamespace}
              showSearch
              onSearch={setTyped}
              options={[
                ...(ns.mayListAll ? [{ value: '', label: t('header.allNamespaces') }] : []),
                ...ns.choices.map((n) => ({ value: n, label: n })),
                // Who may not list namespaces types theirs (see namespace.tsx).
                ...(!ns.mayListAll && NAMESPACE_NAME.test(typed) && !ns.choices.includes(typed)
                  ? [{ value: typed, label: typed }]
                  : []),
              ]}
            />
            <Select
              aria-label={t('header.language')}
              data-testid="language-picker"
              value={i18n.language as Language}
              onChange={(l: Language) => setLanguage(l)}
              options={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
              style={{ width: 120 }}
            />
            {user && <Typography.Text data-testid="user-name">{t('header.signedInAs', { user })}</Typography.Text>}
            <Button onClick={signOut}>{t('header.signOut')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 24 }}>
          {children}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
