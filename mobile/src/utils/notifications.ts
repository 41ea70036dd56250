// Where a notification leads on this site: the claim's 认领详情, the help request's screen (the
// submitter's 我的求助 or a league org's 初始需求), else the demand's detail.
import type { RouteLocationRaw } from 'vue-router'

import type { Role } from '@/stores/session'

export interface NotificationTarget {
  claim: number | null
  demand: number | null
  initial_demand: number | null
}

export function notificationRoute(item: NotificationTarget, role: Role): RouteLocationRaw | null {
  if (item.claim !== null) return { name: 'claim-detail', params: { id: item.claim } }
  if (item.initial_demand !== null)
    return { name: role === 'league' ? 'initial-demand' : 'my-help-detail', params: { id: item.initial_demand } }
  if (item.demand !== null) return { name: 'demand-detail', params: { id: item.demand } }
  return null
}
