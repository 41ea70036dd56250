// The app's API client and the schema's types under short names. Screens import from here.
import type { components } from './schema'

export { ApiError } from './errors'
export { ok } from './client'
export { api, setAuthErrorHandler } from './instance'

type Schemas = components['schemas']
export type Demand = Schemas['Demand']
export type DemandDetail = Schemas['DemandDetail']
export type ClaimFeed = Schemas['ClaimFeed']
export type VolunteerOrg = Schemas['VolunteerOrg']
export type Stats = Schemas['Stats']
export type ZoneStats = Schemas['ZoneStats']
export type Me = Schemas['Me']
export type Zone = Schemas['ZoneEnum']
export type DemandStatus = Schemas['DemandStatusEnum']
export type ServiceArea = Schemas['ServiceAreaEnum']
export type ClaimList = Schemas['ClaimList']
export type ClaimDetail = Schemas['ClaimDetail']
export type InitialDemand = Schemas['InitialDemand']
export type InitialDemandDetail = Schemas['InitialDemandDetail']
export type PointsEntry = Schemas['PointsEntry']
export type ActivityRequest = Schemas['ActivityRequest']
export type DemandWrite = Schemas['PatchedDemandWriteRequest']
export type ClaimStatus = Schemas['ClaimStatusEnum']
export type InitialDemandWrite = Schemas['InitialDemandWriteRequest']
export type LeagueOrg = Schemas['LeagueOrg']
export type Rating = DemandDetail['ratings'][number]
export type Notification = Schemas['Notification']
