// The `herald` command. On Linux, glibc's malloc keeps the memory of a large allocation once it is
// freed: the size above which it gives such memory back to the system grows with every large free,
// up to 32 MB, so a server that once handled a few large statements or messages kept hundreds of MB
// it no longer used. A fixed threshold (MALLOC_MMAP_THRESHOLD_, read by glibc when a process starts)
// keeps it from growing: the process restarts itself once with it set, in place (the same process id,
// so signals and supervisors see no difference), before anything else is loaded. Set the variable
// yourself to choose another value. See docs/operations.md "Memory".
const MMAP_THRESHOLD_BYTES = String(4 * 1024 * 1024);

if (process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, MALLOC_MMAP_THRESHOLD_: MMAP_THRESHOLD_BYTES });
}

await import('./commands.js');
