// The bottom tab bar: 首页 / a second item that depends on who is signed in / 我的 (seeds:
// 发布 for a league org, 完善信息 for a volunteer org, 求助 for an individual).
import type { Role } from '@/stores/session'

export interface TabItem {
  /** The route's name. */
  name: string
  icon: string
  /** i18n key of the label. */
  labelKey: string
}

const HOME: TabItem = { name: 'home', icon: 'wap-home-o', labelKey: 'tab.home' }
const MINE: TabItem = { name: 'mine', icon: 'user-o', labelKey: 'tab.mine' }
const SECOND: Record<Role, TabItem> = {
  league: { name: 'publish', icon: 'add-o', labelKey: 'tab.publish' },
  volunteer: { name: 'complete-info', icon: 'edit', labelKey: 'tab.completeInfo' },
  individual: { name: 'help', icon: 'chat-o', labelKey: 'tab.help' },
  anonymous: { name: 'publish', icon: 'add-o', labelKey: 'tab.publish' },
}

export function tabItems(role: Role): TabItem[] {
  return [HOME, SECOND[role], MINE]
}
