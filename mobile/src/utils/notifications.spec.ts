import { describe, expect, it } from 'vitest'

import { notificationRoute } from './notifications'

const none = { claim: null, demand: null, initial_demand: null }

describe('notificationRoute', () => {
  it('opens the claim before its demand', () => {
    expect(notificationRoute({ ...none, claim: 7, demand: 3 }, 'volunteer')).toEqual({
      name: 'claim-detail',
      params: { id: 7 },
    })
  })

  it('opens a help request on the screen of the reader', () => {
    expect(notificationRoute({ ...none, initial_demand: 5 }, 'individual')).toEqual({
      name: 'my-help-detail',
      params: { id: 5 },
    })
    expect(notificationRoute({ ...none, initial_demand: 5 }, 'league')).toEqual({
      name: 'initial-demand',
      params: { id: 5 },
    })
  })

  it('opens the demand when only a demand is named, and nothing without a reference', () => {
    expect(notificationRoute({ ...none, demand: 3 }, 'league')).toEqual({ name: 'demand-detail', params: { id: 3 } })
    expect(notificationRoute(none, 'league')).toBeNull()
  })
})
