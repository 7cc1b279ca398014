// What a process has used so far, read from /proc (Linux): shared by the benches that measure other processes.
// (bench/run.mjs runs bench/<name>/run.mjs only, so this folder is not taken for a benchmark.)
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system, all threads) from /proc/PID/stat (clock ticks of 1/100 s); 0 once it has exited. */
export function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return 0; }
}

/** Peak resident set size (VmHWM) in KiB; 0 once it has exited. */
export function peakRssKb(pid) {
  try { return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
}

/** CPU seconds per thread (user + system) from /proc/PID/task/TID/stat: [{tid, name, s}]; [] once it has exited. */
export function threadCpuSeconds(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
      const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ');
      return { tid: Number(tid), name, s: (Number(f[11]) + Number(f[12])) / 100 };
    });
  } catch { return []; }
}
