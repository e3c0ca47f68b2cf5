/**
 * Authy-shaped answers (authy-api.md §2), serialised once so
 * that the stub spends no time building them.
 */
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

export const verifyBody = json({
  message: "Token is valid.",
  token: "is valid",
  success: "true",
  device: {
    id: null,
    os_type: "sms",
    registration_date: 1500648405,
    registration_method: null,
    registration_country: null,
    registration_region: null,
    registration_city: null,
    country: null,
    region: null,
    city: null,
    ip: null,
    last_account_recovery_at: 1494631010,
    last_sync_date: null
  }
})

export const statusBody = json({
  status: {
    authy_id: 1635,
    confirmed: true,
    registered: false,
    country_code: 1,
    phone_number: "XXX-XXX-1118",
    devices: ["iphone", "ipad"],
    has_hard_token: false,
    account_disabled: false,
    detailed_devices: [{
      device_type: "authy",
      os_type: "unknown",
      registration_device_id: null,
      registration_method: null,
      device_id: 290908,
      last_sync_date: 0,
      creation_date: 1433868212
    }],
    deleted_devices: []
  },
  message: "User status.",
  success: true
})

/**
 * Every approval request is still waiting: what 10,000 `awaitApproval`s poll.
 * Created when the stub started, expiring a day later, so that no client
 * stops polling because the request looks expired.
 */
const createdAt = new Date().toISOString().replace(/\.\d+Z$/, "Z")

export const pendingApprovalBody = (uuid: string): Buffer =>
  json({
    approval_request: {
      _app_name: "bench",
      _app_serial_id: 46113,
      _authy_id: 1635,
      _id: "589d12e07d558e6b91e9370a",
      _user_email: "bench@example.com",
      app_id: "58547f6f4014250a11c201f6",
      created_at: createdAt,
      notified: false,
      processed_at: null,
      seconds_to_expire: 86400,
      status: "pending",
      updated_at: createdAt,
      user_id: "5840a9328aa2fb674c485436",
      uuid
    },
    success: true
  })

export const createUserBody = json({ message: "User created successfully.", user: { id: 1635 }, success: true })

export const smsBody = json({ success: true, message: "SMS token was sent", cellphone: "+1-XXX-XXX-XX23" })

export const approvalCreatedBody = json({ approval_request: { uuid: "dda2c400-bc43-0135-d7be-1285ca17e122" }, success: true })

export const phoneStartBody = json({
  carrier: "AT&T Wireless",
  is_cellphone: true,
  is_ported: false,
  message: "Text message sent to +1 201-555-0123.",
  seconds_to_expire: 600,
  uuid: "f4a0b1c2-d3e4-4f56-8789-0a1b2c3d4e5f",
  success: true
})

export const appDetailsBody = json({
  app: { app_id: 3, name: "Test", plan: "pay_as_you_go", sms_enabled: false, phone_calls_enabled: true, onetouch_enabled: true, white_label: false },
  message: "Application information.",
  success: true
})

export const notFoundBody = json({ message: "Not found.", success: false, errors: {}, error_code: "60000" })

const approvalPrefix = "/onetouch/json/approval_requests/"

/** The stub's answer to a request: status and body. */
export const answer = (method: string, url: string): readonly [number, Buffer] => {
  const path = url.split("?", 1)[0] ?? ""
  if (method === "POST") {
    if (path === "/protected/json/users/new") return [200, createUserBody]
    if (path.startsWith("/onetouch/json/users/") && path.endsWith("/approval_requests")) return [200, approvalCreatedBody]
    if (path === "/protected/json/phones/verification/start") return [200, phoneStartBody]
    return [404, notFoundBody]
  }
  if (path.startsWith("/protected/json/verify/")) return [200, verifyBody]
  if (path.startsWith("/protected/json/users/") && path.endsWith("/status")) return [200, statusBody]
  if (path.startsWith("/protected/json/sms/")) return [200, smsBody]
  if (path === "/protected/json/app/details") return [200, appDetailsBody]
  if (path.startsWith(approvalPrefix)) return [200, pendingApprovalBody(path.slice(approvalPrefix.length))]
  return [404, notFoundBody]
}
