// Start-up: i18n and Vant follow the language store, the API's auth failures go to one place,
// the session (if the browser has one) is read once.
import { Locale as VantLocale } from 'vant'
import enUS from 'vant/es/locale/lang/en-US'
import zhCN from 'vant/es/locale/lang/zh-CN'
// Styles of the Vant functions called from script (the resolver only sees templates' tags).
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import { createApp } from 'vue'

import { setAuthErrorHandler } from '@/api'
import App from '@/App.vue'
import { i18n } from '@/i18n'
import { router } from '@/router'
import { onLocaleChange } from '@/stores/locale'
import { clearSession, loadSession } from '@/stores/session'

import './styles.css'

onLocaleChange((value) => {
  i18n.global.locale.value = value
  VantLocale.use(value === 'en' ? 'en-US' : 'zh-CN', value === 'en' ? enUS : zhCN)
  document.documentElement.lang = value
  const titleKey = router.currentRoute.value.meta.titleKey
  if (titleKey) document.title = `${i18n.global.t(titleKey)} · i志愿`
})

router.afterEach((to) => {
  document.title = `${i18n.global.t(to.meta.titleKey ?? 'tab.home')} · i志愿`
})

setAuthErrorHandler((error) => {
  if (error.needsPasswordChange) {
    // 修改初始密码, then on to where the user was going.
    const current = router.currentRoute.value
    if (current.name !== 'password-change') void router.push({ name: 'password-change', query: { next: current.fullPath } })
  } else {
    clearSession() // 401: the session ended; screens offer to log in where it matters
  }
})

void loadSession()

createApp(App).use(i18n).use(router).mount('#app')
