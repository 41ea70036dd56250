// vue-i18n with Chinese first and English beside it; the language follows the locale store.
import { createI18n } from 'vue-i18n'

import { en } from './en'
import { zhCN, type Messages } from './zh-CN'

export const messages = { 'zh-CN': zhCN, en } satisfies Record<string, Messages>

export const i18n = createI18n<[Messages], 'zh-CN' | 'en', false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
})
