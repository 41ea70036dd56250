// The words for the refusals the login, sign-up and recovery screens share: a lockout says how
// long (Retry-After), a stale page says to reload, a network failure says so.
import { ApiError } from '@/api'

import { waitMinutes } from './rules'

export function authFailure(error: ApiError, t: (key: string, values?: Record<string, unknown>) => string): string {
  if (error.status === 429 && error.code === 'login_locked') return t('auth.locked', { n: waitMinutes(error.retryAfter) })
  if (error.code === 'csrf_failed') return t('auth.csrf')
  if (error.status === 0) return t('common.networkError')
  return error.detail || t('common.error')
}
