// 所在地区 of the 发布 screen: Guangdong (440000), its 21 cities and their districts, from
// @vant/area-data (the data Vant's Cascader documents). The cascader's value is a division code;
// the API wants the city by Chinese name (utils/cities.ts) and the district as text (≤ 50).
// Import this from lazily loaded screens only: the data is ~40 KB gzipped.
import { useCascaderAreaData } from '@vant/area-data'

import { CITIES } from '@/utils/cities'

export interface AreaOption {
  text: string
  value: string
  children?: AreaOption[]
}

export const GUANGDONG = '440000'

let guangdong: AreaOption | undefined

/** The province's node: Guangdong with the API's 21 cities (by name) and their districts. */
export function guangdongArea(): AreaOption {
  if (!guangdong) {
    const province = useCascaderAreaData().find((p) => p.value === GUANGDONG)!
    const names = new Set<string>(CITIES.map((c) => c.name))
    guangdong = { ...province, children: (province.children ?? []).filter((c) => names.has(c.text)) }
  }
  return guangdong
}

/** The cascader's options; `label` may translate the province's and the cities' names. */
export function regionOptions(label?: (option: AreaOption, depth: 0 | 1) => string): AreaOption[] {
  const province = guangdongArea()
  return [
    {
      text: label ? label(province, 0) : province.text,
      value: province.value,
      children: (province.children ?? []).map((city) => ({
        text: label ? label(city, 1) : city.text,
        value: city.value,
        children: city.children,
      })),
    },
  ]
}

/** A chosen division code → the API's `city` (Chinese name) and `district` ('' for a city's own code). */
export function regionFromCode(code: string): { city: string; district: string } {
  for (const city of guangdongArea().children ?? []) {
    if (city.value === code) return { city: city.text, district: '' }
    const district = city.children?.find((d) => d.value === code)
    if (district) return { city: city.text, district: district.text }
  }
  return { city: '', district: '' }
}

/**
 * A demand's `city` and `district` → the code to preselect: the district's, else the city's
 * (a district typed before the cascader, not in the data), else '' (no city).
 */
export function codeFromRegion(city: string | null | undefined, district: string | null | undefined): string {
  const found = (guangdongArea().children ?? []).find((c) => c.text === city)
  if (!found) return ''
  const name = (district ?? '').trim()
  return found.children?.find((d) => d.text === name)?.value ?? found.value
}
