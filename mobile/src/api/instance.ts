// The app's one client: the language from the locale store, auth failures to one handler.
import { apiLanguage } from '@/stores/locale'

import { createApi } from './client'
import type { ApiError } from './errors'

let authErrorHandler: (error: ApiError) => void = () => {}

/** Set once at start-up (main.ts): what 401 and `password_change_required` lead to. */
export function setAuthErrorHandler(handler: (error: ApiError) => void): void {
  authErrorHandler = handler
}

export const api = createApi({
  language: apiLanguage,
  onError(error) {
    if (error.needsLogin || error.needsPasswordChange) authErrorHandler(error)
  },
})
