/**
 * CPU seconds and resident memory per process, from /proc: utime+stime of
 * each process (every thread included), plus cutime+cstime, where the time
 * of exited children lands once reaped; that keeps PostgreSQL's backends
 * counted when one exits between two samples (the postmaster reaps it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Stat {
  ppid: number;
  /** Seconds of CPU, own and of reaped children. */
  cpu: number;
}

export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number) => Number(fields[i]);
  // Fields from "state" (index 0): ppid 1, utime 11, stime 12, cutime 13, cstime 14.
  return { ppid: tick(1), cpu: (tick(11) + tick(12) + tick(13) + tick(14)) / TICKS };
}

/** VmRSS in MiB (0 when the process is gone). */
export function rssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export type CpuSample = Record<string, number>;

/** CPU seconds so far per name (summed over its pids). */
export function sampleCpu(pids: Record<string, number[]>): CpuSample {
  return Object.fromEntries(
    Object.entries(pids).map(([name, list]) => [
      name,
      list.reduce((sum, pid) => sum + (readStat(pid)?.cpu ?? 0), 0),
    ]),
  );
}

export function sampleRss(pids: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pids).map(([name, list]) => [name, list.reduce((s, pid) => s + rssMiB(pid), 0)]),
  );
}

export function cpuDelta(before: CpuSample, after: CpuSample): CpuSample {
  return Object.fromEntries(
    Object.keys(after).map((name) => [name, Math.max(0, after[name]! - (before[name] ?? 0))]),
  );
}
