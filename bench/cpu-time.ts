import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 per second on every Linux we run). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, all threads) the processes have used so far, from /proc/PID/stat. What a target
 * burns per request is the figure the machine's other load disturbs least: req/s drops when another process
 * takes the CPU, CPU per request barely moves.
 */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
  }
  return ticks / TICKS_PER_SECOND;
}
