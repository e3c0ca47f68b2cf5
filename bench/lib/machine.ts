/** The machine a run was made on, for the header of the results. */
import * as os from "node:os"

export interface Machine {
  readonly cores: number
  readonly cpuModel: string
  readonly node: string
  readonly platform: string
  readonly date: string
  /** 1-minute load average at the start: how shared the machine was. */
  readonly loadAverage: number
}

export const describeMachine = (): Machine => ({
  cores: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadAverage: os.loadavg()[0] ?? Number.NaN
})
