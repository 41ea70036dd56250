// The signed-in user, if any (GET /api/v1/me/ over the session cookie). The only other state
// the client keeps; everything else a screen fetches when it shows.
import { computed, ref } from 'vue'

import { api, ApiError, ok, type Me } from '@/api'

export const me = ref<Me | null>(null)
export const sessionChecked = ref(false)

export type Role = 'league' | 'volunteer' | 'individual' | 'anonymous'

/** Which kind of user this is: the tab bar and 我的 show each role its own items. */
export const role = computed<Role>(() => {
  const user = me.value
  if (!user) return 'anonymous'
  if (user.league_org) return 'league'
  if (user.volunteer_org) return 'volunteer'
  return 'individual'
})

let firstLoad: Promise<void> | null = null

/** The session as first read at start-up (route guards wait for it). */
export function sessionReady(): Promise<void> {
  return firstLoad ?? loadSession()
}

export function loadSession(): Promise<void> {
  const load = readMe()
  firstLoad ??= load
  return load
}

async function readMe(): Promise<void> {
  try {
    me.value = await ok(api.GET('/api/v1/me/'))
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    me.value = null // 401: not signed in; other failures: treat as signed out for now
  } finally {
    sessionChecked.value = true
  }
}

/** After login or sign-up: the answer is the /me/ body already. */
export function setSession(user: Me): void {
  me.value = user
  sessionChecked.value = true
  firstLoad ??= Promise.resolve()
}

export function clearSession(): void {
  me.value = null
}
