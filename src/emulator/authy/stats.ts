/**
 * `app/stats` and `app/details`: what really happened in an application,
 * month by month of the emulator clock.
 *
 * @since 0.1.0
 */
import { AppDetailsResponse, AppStatsResponse } from "../../Responses.js"
import type { AppState, MonthCounts } from "./State.js"
import * as Wire from "./wire.js"

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
] as const

const monthKey = (millis: number): string => {
  const date = new Date(millis)
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`
}

/**
 * Adds one to a count of the month of `now`.
 *
 * @since 0.1.0
 * @category recording
 */
export const record = (app: AppState, now: number, field: keyof MonthCounts): void => {
  const key = monthKey(now)
  const counts = app.months.get(key) ?? { users: 0, sms: 0, calls: 0, auths: 0, apiCalls: 0 }
  counts[field] += 1
  app.months.set(key, counts)
}

/** Every month from the application's first to the current one, oldest first. */
const monthsUntil = (from: number, to: number): ReadonlyArray<{ readonly year: number; readonly month: number }> => {
  const start = new Date(Math.min(from, to))
  const end = new Date(to)
  const out: Array<{ year: number; month: number }> = []
  let year = start.getUTCFullYear()
  let month = start.getUTCMonth()
  while (year < end.getUTCFullYear() || (year === end.getUTCFullYear() && month <= end.getUTCMonth())) {
    out.push({ year, month })
    month += 1
    if (month === 12) {
      month = 0
      year += 1
    }
  }
  return out
}

/**
 * `GET /protected/json/app/stats`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const stats = (app: AppState, now: number): Wire.Reply => {
  const entries = monthsUntil(app.createdAt, now).map(({ month, year }) => {
    const counts = app.months.get(`${year}-${String(month + 1).padStart(2, "0")}`)
    return {
      smsCount: counts?.sms ?? 0,
      callsCount: counts?.calls ?? 0,
      usersCount: counts?.users ?? 0,
      authsCount: counts?.auths ?? 0,
      month: monthNames[month]!,
      apiCallsCount: counts?.apiCalls ?? 0,
      year
    }
  })
  return Wire.encoded(
    AppStatsResponse,
    new AppStatsResponse({
      message: "Monthly statistics.",
      count: entries.length,
      totalUsers: app.users.size,
      appId: app.appId,
      stats: entries
    })
  )
}

/**
 * `GET /protected/json/app/details`: the application's settings, as far as
 * Authy reported them (the fields of authy-api.md §2.9; the emulator's other
 * settings are the control API's, `GET /__emulator/app`).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const details = (app: AppState): Wire.Reply =>
  Wire.encoded(
    AppDetailsResponse,
    new AppDetailsResponse({
      message: "Application information.",
      app: {
        appId: app.appId,
        name: app.settings.name,
        plan: app.settings.plan,
        smsEnabled: app.settings.smsEnabled,
        phoneCallsEnabled: app.settings.phoneCallsEnabled,
        onetouchEnabled: app.settings.onetouchEnabled,
        whiteLabel: app.settings.whiteLabel
      }
    })
  )
