// Routes. Each page is its own chunk (React.lazy): the first load carries only the shell and the
// page asked for. Without a token every route shows the sign-in page.
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { getToken, onTokenChange } from './auth/token.js';
import { AppLayout } from './components/AppLayout.js';
import { NamespaceProvider } from './components/namespace.js';

const SignIn = lazy(() => import('./pages/SignIn.js'));
const Overview = lazy(() => import('./pages/Overview.js'));
const ResourceList = lazy(() => import('./pages/ResourceList.js'));
const ResourceDetail = lazy(() => import('./pages/ResourceDetail.js'));
const Applications = lazy(() => import('./apps/Applications.js'));
const ApplicationDetail = lazy(() => import('./apps/ApplicationDetail.js'));

// antd's default greys and blue fall short of WCAG AA contrast (4.5:1) on its own backgrounds.
const theme = {
  token: {
    colorPrimary: '#0958d9', colorLink: '#0958d9', colorError: '#cf1322', colorTextDescription: 'rgba(0, 0, 0, 0.65)', colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.6)', colorTextDisabled: 'rgba(0, 0, 0, 0.6)', colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  },
};

function useSignedIn(): boolean {
  const [signedIn, setSignedIn] = useState(() => getToken() !== undefined);
  useEffect(() => onTokenChange(() => setSignedIn(getToken() !== undefined)), []);
  return signedIn;
}

function Routed() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const linkCode = window.location.hash.includes('code=');
  const loading = <div role="status" style={{ padding: 24 }}>{t('app.loading')}</div>;
  if (!signedIn || linkCode) {
    return (
      <Suspense fallback={loading}>
        <Routes>
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="*" element={linkCode ? <SignIn /> : <Navigate to="/sign-in" replace />} />
        </Routes>
      </Suspense>
    );
  }
  return (
    <NamespaceProvider>
      <AppLayout>
        <Suspense fallback={loading}>
          <Routes>
            <Route path="/" element={<Overview />} />
            <Route path="/sign-in" element={<Navigate to="/" replace />} />
            <Route path="/apps" element={<Applications />} />
            <Route path="/apps/:namespace/:name" element={<ApplicationDetail />} />
            <Route path="/r/:kind" element={<ResourceList />} />
            <Route path="/r/:kind/:namespace/:name" element={<ResourceDetail />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Suspense>
      </AppLayout>
    </NamespaceProvider>
  );
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'zh-CN' ? zhCN : enUS} theme={theme}>
      <AntApp>
        <BrowserRouter>
          <Routed />
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
