// A form's per-field messages: the client's own checks (i18n keys under `rules.`) and the
// API's 400 `fields` (already in the request's language), shown on the field they name.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { ApiError } from '@/api'

export function useFieldErrors(aliases: Record<string, string> = {}) {
  const { t } = useI18n()
  const errors = ref<Record<string, string>>({})

  function message(field: string): string {
    const value = errors.value[field]
    if (!value) return ''
    return value.startsWith('rules.') ? t(value) : value
  }

  /** The API's fields under the form's names (`start_date` → `period`, `guarantees.1` → `guarantees`). */
  function fromApi(error: ApiError): Record<string, string> {
    const mapped: Record<string, string> = {}
    for (const [key, text] of Object.entries(error.fields)) {
      const base = key.split('.')[0] ?? key
      const name = aliases[base] ?? base
      mapped[name] ??= text
    }
    return mapped
  }

  function clear(field?: string): void {
    if (field === undefined) errors.value = {}
    else if (errors.value[field]) {
      const { [field]: _dropped, ...rest } = errors.value
      errors.value = rest
    }
  }

  return { errors, message, fromApi, clear }
}
