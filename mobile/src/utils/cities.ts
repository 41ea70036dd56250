// Guangdong's 21 prefecture-level cities (orgs.choices.GUANGDONG_CITIES): the division code
// names the i18n key `city.<code>`; the API's `city` filter takes the Chinese name.
export const CITIES = [
  { code: '440100', name: '广州市' },
  { code: '440200', name: '韶关市' },
  { code: '440300', name: '深圳市' },
  { code: '440400', name: '珠海市' },
  { code: '440500', name: '汕头市' },
  { code: '440600', name: '佛山市' },
  { code: '440700', name: '江门市' },
  { code: '440800', name: '湛江市' },
  { code: '440900', name: '茂名市' },
  { code: '441200', name: '肇庆市' },
  { code: '441300', name: '惠州市' },
  { code: '441400', name: '梅州市' },
  { code: '441500', name: '汕尾市' },
  { code: '441600', name: '河源市' },
  { code: '441700', name: '阳江市' },
  { code: '441800', name: '清远市' },
  { code: '441900', name: '东莞市' },
  { code: '442000', name: '中山市' },
  { code: '445100', name: '潮州市' },
  { code: '445200', name: '揭阳市' },
  { code: '445300', name: '云浮市' },
] as const

export type CityName = (typeof CITIES)[number]['name']

export function cityCode(name: string | null | undefined): string | null {
  return CITIES.find((city) => city.name === name)?.code ?? null
}
