// The chosen language: 中文 (default) or English. Kept in localStorage (a preference, not a
// secret), applied to vue-i18n, Vant's own texts and <html lang>, and sent to the API.
import { ref } from 'vue'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

const STORAGE_KEY = 'izhiyuan.locale'
// Django's names for the same languages (settings.LANGUAGES).
const API_LANGUAGE: Record<Locale, string> = { 'zh-CN': 'zh-hans', en: 'en' }

function stored(): Locale {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY)
    if ((LOCALES as readonly string[]).includes(value ?? '')) return value as Locale
  } catch {
    // storage refused (private mode): the default
  }
  return 'zh-CN'
}

export const locale = ref<Locale>(stored())

const listeners: ((value: Locale) => void)[] = []

/** Called with the language now and at every change (i18n and Vant subscribe in main.ts). */
export function onLocaleChange(listener: (value: Locale) => void): void {
  listeners.push(listener)
  listener(locale.value)
}

export function setLocale(value: Locale): void {
  locale.value = value
  try {
    window.localStorage.setItem(STORAGE_KEY, value)
  } catch {
    // not kept across visits; still applied now
  }
  document.documentElement.lang = value
  for (const listener of listeners) listener(value)
}

export function apiLanguage(): string {
  return API_LANGUAGE[locale.value]
}
