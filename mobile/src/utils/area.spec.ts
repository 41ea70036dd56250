import { describe, expect, it } from 'vitest'

import { codeFromRegion, guangdongArea, regionFromCode, regionOptions } from '@/utils/area'
import { CITIES } from '@/utils/cities'

describe('所在地区 (Guangdong from @vant/area-data)', () => {
  it('offers Guangdong only, with the API’s 21 cities in order', () => {
    const options = regionOptions()
    expect(options).toHaveLength(1)
    expect(options[0]!.text).toBe('广东省')
    expect(options[0]!.children!.map((c) => [c.value, c.text])).toEqual(CITIES.map((c) => [c.code, c.name]))
    expect(options[0]!.children!.every((c) => c.children && c.children.length > 0)).toBe(true)
  })

  it('translates the province and the cities, keeping codes and districts', () => {
    const [province] = regionOptions((o, depth) => (depth === 0 ? 'Guangdong' : `city ${o.value}`))
    expect(province!.text).toBe('Guangdong')
    const shenzhen = province!.children!.find((c) => c.value === '440300')!
    expect(shenzhen.text).toBe('city 440300')
    expect(shenzhen.children!.find((d) => d.value === '440303')!.text).toBe('罗湖区')
  })

  it('maps a code to the API’s city name and district text', () => {
    expect(regionFromCode('440303')).toEqual({ city: '深圳市', district: '罗湖区' })
    expect(regionFromCode('440300')).toEqual({ city: '深圳市', district: '' })
    expect(regionFromCode('110101')).toEqual({ city: '', district: '' })
  })

  it('maps a draft’s city and district back to the code to preselect', () => {
    expect(codeFromRegion('深圳市', '罗湖区')).toBe('440303')
    expect(codeFromRegion('深圳市', ' 罗湖区 ')).toBe('440303')
    expect(codeFromRegion('深圳市', '罗湖')).toBe('440300') // free text of old drafts: the city only
    expect(codeFromRegion('深圳市', '')).toBe('440300')
    expect(codeFromRegion('北京市', '东城区')).toBe('')
    expect(codeFromRegion(null, null)).toBe('')
  })

  it('goes there and back for every district, within the API’s 50 characters', () => {
    for (const city of guangdongArea().children!) {
      for (const district of city.children!) {
        const region = regionFromCode(district.value)
        expect(region).toEqual({ city: city.text, district: district.text })
        expect(region.district.length).toBeLessThanOrEqual(50)
        expect(codeFromRegion(region.city, region.district)).toBe(district.value)
      }
    }
  })
})
