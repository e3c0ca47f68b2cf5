/**
 * The requests the emulator benchmark sends: the Authy routes a test suite
 * hits hardest (`verify`, `users/new`, OneTouch's create and status), each as
 * the official clients send it. The emulator is given one user and one
 * approval request first, so that every cell answers as in a real test run.
 */

/** One measured request, sent again and again. */
export interface Cell {
  readonly name: string
  readonly method: "GET" | "POST"
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  /** The status the emulator answers with, checked on every response. */
  readonly status: number
}

export const apiKey = "bench-key"

/** How the child processes report: one line, this prefix, then JSON. */
export const resultPrefix = "EMUBENCH "

const json = { "x-authy-api-key": apiKey, "content-type": "application/json", accept: "application/json" }
const form = { "x-authy-api-key": apiKey, "content-type": "application/x-www-form-urlencoded", accept: "application/json" }
const get = { "x-authy-api-key": apiKey, accept: "application/json" }

const newUser = JSON.stringify({ user: { email: "bench@example.com", cellphone: "2015550123", country_code: 1 } })

const post = async (url: string, path: string, headers: Record<string, string>, body: string): Promise<unknown> => {
  const response = await fetch(url + path, { method: "POST", headers, body })
  return response.json()
}

/**
 * Empties the emulator's application (what a test suite does between
 * tests), then registers the user and the approval request the cells read;
 * answers the cells.
 */
export const prepareCells = async (url: string): Promise<ReadonlyArray<Cell>> => {
  const reset = await fetch(`${url}/__emulator/reset`, { method: "POST", headers: get })
  if (reset.status !== 200) throw new Error(`emulator: could not reset: HTTP ${reset.status} ${await reset.text()}`)
  const created = (await post(url, "/protected/json/users/new", json, newUser)) as { user?: { id?: number } }
  const id = created.user?.id
  if (typeof id !== "number") throw new Error(`emulator: could not create a user: ${JSON.stringify(created)}`)
  const approvalPath = `/onetouch/json/users/${id}/approval_requests`
  const approvalBody = "message=Login+requested&details%5Busername%5D=bench&seconds_to_expire=600"
  const approval = (await post(url, approvalPath, form, approvalBody)) as { approval_request?: { uuid?: string } }
  const uuid = approval.approval_request?.uuid
  if (typeof uuid !== "string") throw new Error(`emulator: could not create an approval: ${JSON.stringify(approval)}`)
  return [
    { name: "verify", method: "GET", path: `/protected/json/verify/1234567/${id}`, headers: get, status: 200 },
    { name: "users/new", method: "POST", path: "/protected/json/users/new", headers: json, body: newUser, status: 200 },
    { name: "OneTouch status", method: "GET", path: `/onetouch/json/approval_requests/${uuid}`, headers: get, status: 200 },
    // Last in a round: it stores every approval it creates, and a bigger heap slows whatever runs after it.
    { name: "OneTouch create", method: "POST", path: approvalPath, headers: form, body: approvalBody, status: 200 }
  ]
}

/** What the baseline server answers to a cell: the emulator's own status, content type and body bytes. */
export interface Recorded {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/** Records the emulator's answer to each cell, for the baseline to repeat byte for byte. */
export const record = async (url: string, cells: ReadonlyArray<Cell>): Promise<ReadonlyArray<Recorded>> =>
  Promise.all(cells.map(async (cell) => {
    const response = await fetch(url + cell.path, {
      method: cell.method,
      headers: cell.headers,
      ...(cell.body === undefined ? {} : { body: cell.body })
    })
    const body = await response.text()
    if (response.status !== cell.status) throw new Error(`${cell.name}: HTTP ${response.status} ${body}`)
    return {
      method: cell.method,
      path: cell.path,
      status: response.status,
      contentType: response.headers.get("content-type") ?? "application/json",
      body
    }
  }))
