// i18next with the two languages the console ships; the choice is remembered in localStorage.
// Every key the app asks for and the language lacks is recorded on window.__wharfMissingKeys, so
// the browser suite fails on an untranslated string.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];
const STORAGE_KEY = 'wharf.lang';

declare global {
  interface Window {
    __wharfMissingKeys?: string[];
  }
}

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function setLanguage(lng: Language): void {
  localStorage.setItem(STORAGE_KEY, lng);
  document.documentElement.lang = lng;
  void i18next.changeLanguage(lng);
}

export async function initI18n(): Promise<void> {
  window.__wharfMissingKeys = [];
  const lng = initialLanguage();
  document.documentElement.lang = lng;
  await i18next.use(initReactI18next).init({
    lng,
    // No fallback: a key missing in zh-CN must show up as missing, not silently in English.
    fallbackLng: false,
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
    saveMissing: true,
    missingKeyHandler: (lngs, _ns, key) => window.__wharfMissingKeys?.push(`${lngs.join(',')}:${key}`),
  });
}
