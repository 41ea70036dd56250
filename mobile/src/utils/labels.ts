// i18n keys of the API's codes (DESIGN.md: codes in the API, labels in the UI).
import type { Demand } from '@/api'

import { cityCode } from './cities'

/** The key of a demand's type label; null for 其他 with its own text (`type_other`). */
export function demandTypeKey(demand: Pick<Demand, 'type' | 'type_other'>): string | null {
  if (!demand.type) return null
  if (demand.type === 'other' && demand.type_other) return null
  return `serviceArea.${demand.type}`
}

/** The key of a city's name (`city.<division code>`) from the Chinese name the API sends. */
export function cityKey(name: string | null | undefined): string | null {
  const code = cityCode(name)
  return code ? `city.${code}` : null
}
