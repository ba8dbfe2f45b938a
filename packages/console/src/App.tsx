// Routes. Each page is its own chunk (React.lazy): the first load carries only the shell and the
// page asked for. Without a token every route shows the sign-in page.
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { collectionPath, kindByPlural } from './api/kinds.js';
import { prefetchList } from './api/watch.js';
import { keepOidcSessionFresh } from './auth/oidc.js';
import { isSignedIn, onTokenChange } from './auth/token.js';
import { AppLayout } from './components/AppLayout.js';
import { NamespaceProvider, rememberedNamespace } from './components/namespace.js';

/**
 * A chunk's import, tried again after a failure: a network blip (Chromium aborts requests when the
 * machine's network interfaces change) would otherwise leave a blank page until a reload.
 */
function retrying<T>(get: () => Promise<T>, tries = 3): () => Promise<T> {
  return () =>
    get().catch(async (e: unknown) => {
      if (tries <= 1) throw e;
      await new Promise((r) => setTimeout(r, 500));
      return retrying(get, tries - 1)();
    });
}

// Each page's chunk, by route prefix. The chunk of the page the browser opens is fetched as soon
// as this module runs, in parallel with React's first render, instead of when <Suspense> asks
// for it (one network round trip and a render later): the first load's critical path.
const load = {
  signIn: retrying(() => import('./pages/SignIn.js')),
  overview: retrying(() => import('./pages/Overview.js')),
  list: retrying(() => import('./pages/ResourceList.js')),
  detail: retrying(() => import('./pages/ResourceDetail.js')),
  apps: retrying(() => import('./apps/Applications.js')),
  app: retrying(() => import('./apps/ApplicationDetail.js')),
  newApp: retrying(() => import('./apps/CreateApplication.js')),
  monitoring: retrying(() => import('./monitoring/Monitoring.js')),
  builds: retrying(() => import('./builds/Builds.js')),
  build: retrying(() => import('./builds/BuildDetail.js')),
  configSets: retrying(() => import('./config/ConfigSets.js')),
  cluster: retrying(() => import('./cluster/Cluster.js')),
  configSet: retrying(() => import('./config/ConfigSetDetail.js')),
  secret: retrying(() => import('./config/SecretDetail.js')),
  images: retrying(() => import('./images/Images.js')),
  repository: retrying(() => import('./images/Repository.js')),
};
function prefetchCurrentPage(): void {
  const parts = window.location.pathname.split('/').filter(Boolean);
  const page = !isSignedIn()
    ? load.signIn
    : parts[0] === 'r'
      ? parts.length > 2
        ? load.detail
        : load.list
      : parts[0] === 'apps'
        ? parts[1] === 'new'
          ? load.newApp
          : parts.length > 1
            ? load.app
            : load.apps
        : parts[0] === 'builds'
          ? parts.length > 1
            ? load.build
            : load.builds
          : parts[0] === 'configuration'
            ? parts[1] === 'secrets'
              ? load.secret
              : parts.length > 1
                ? load.configSet
                : load.configSets
            : parts[0] === 'images'
              ? parts.length > 1
                ? load.repository
                : load.images
              : parts[0] === 'monitoring'
                ? load.monitoring
                : parts[0] === 'cluster'
                  ? load.cluster
                  : load.overview;
  void page().catch(() => undefined); // a failure shows when the route asks again
  prefetchListData(parts);
}

/**
 * A list page's first list, asked for now in the namespace the tab remembers (the one the page
 * starts in: see NamespaceProvider), so the data is there when the page mounts. Without a
 * remembered namespace the page waits for the access review to pick one, and lists then.
 */
function prefetchListData(parts: string[]): void {
  const kind = parts[0] === 'r' && parts.length === 2 ? kindByPlural(parts[1]) : undefined;
  const namespace = rememberedNamespace();
  if (!isSignedIn() || !kind || namespace === undefined) return;
  prefetchList(collectionPath(kind, namespace), { rows: kind.rows });
}
prefetchCurrentPage();
keepOidcSessionFresh();

const SignIn = lazy(load.signIn);
const Overview = lazy(load.overview);
const ResourceList = lazy(load.list);
const ResourceDetail = lazy(load.detail);
const Applications = lazy(load.apps);
const ApplicationDetail = lazy(load.app);
const CreateApplication = lazy(load.newApp);
const Monitoring = lazy(load.monitoring);
const Builds = lazy(load.builds);
const BuildDetail = lazy(load.build);
const ConfigSets = lazy(load.configSets);
const Cluster = lazy(load.cluster);
const ConfigSetDetail = lazy(load.configSet);
const SecretDetail = lazy(load.secret);
const Images = lazy(load.images);
const Repository = lazy(load.repository);

// antd's default greys and blue fall short of WCAG AA contrast (4.5:1) on its own backgrounds.
const theme = {
  token: {
    colorPrimary: '#0958d9',
    // The derived hover and pressed shades are lighter and fail 4.5:1 under a resting mouse pointer.
    colorPrimaryHover: '#003eb3',
    colorPrimaryActive: '#002c8c',
    colorLink: '#0958d9',
    colorLinkHover: '#003eb3',
    colorLinkActive: '#002c8c',
    colorError: '#cf1322',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextQuaternary: 'rgba(0, 0, 0, 0.6)',
    colorTextDisabled: 'rgba(0, 0, 0, 0.6)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
  },
};

function useSignedIn(): boolean {
  const [signedIn, setSignedIn] = useState(isSignedIn);
  useEffect(() => onTokenChange(() => setSignedIn(isSignedIn())), []);
  return signedIn;
}

function Routed() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  // A `wharf console` link, or the OpenID sign-in coming back: the sign-in page reads the fragment.
  const linkCode = /[#&](code|oidc-session|oidc-error)=/.test(window.location.hash);
  const loading = (
    <div role="status" style={{ padding: 24 }}>
      {t('app.loading')}
    </div>
  );
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
            <Route path="/monitoring" element={<Monitoring />} />
            <Route path="/builds" element={<Builds />} />
            <Route path="/builds/:namespace/:name" element={<BuildDetail />} />
            <Route path="/apps/new" element={<CreateApplication />} />
            <Route path="/apps/:namespace/:name" element={<ApplicationDetail />} />
            <Route path="/configuration" element={<ConfigSets />} />
            <Route path="/cluster" element={<Cluster />} />
            <Route path="/images" element={<Images />} />
            <Route path="/images/*" element={<Repository />} />
            <Route path="/configuration/:namespace/:name" element={<ConfigSetDetail />} />
            <Route path="/configuration/secrets/:namespace/:name" element={<SecretDetail />} />
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
