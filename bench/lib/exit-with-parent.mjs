// Preloaded (`node --import`) into every process the bench harness starts.
//
// The harness kills its children's process groups when it ends, even on
// SIGINT or SIGTERM; but a harness killed with SIGKILL runs nothing. Its
// children then notice that their parent is gone (they are re-parented, so
// `process.ppid` changes) and end themselves, so that no server or driver
// outlives the run. The timer is unref'd: it never keeps a process alive.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.exit(0)
}, 250).unref()
