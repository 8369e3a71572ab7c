// Memory of a child process from /proc/PID/status (Linux only).
import { readFileSync } from 'node:fs';

/**
 * VmRSS (resident now) and VmHWM (peak resident, "high water mark") of `pid`
 * in bytes; undefined fields when /proc is unavailable or the process is gone.
 */
export function procMemory(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssBytes: undefined, peakRssBytes: undefined };
  }
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  return { rssBytes: field('VmRSS'), peakRssBytes: field('VmHWM') };
}

/** User + system CPU time of `pid` in seconds, from /proc/PID/stat; undefined when unavailable. */
export function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return ticks / 100; // USER_HZ is 100 on every Linux Node supports
  } catch {
    return undefined;
  }
}

/**
 * Jiffies of one CPU from /proc/stat, in seconds: busy (user, nice, system,
 * irq, softirq, steal), idle (idle, iowait) and steal (time the hypervisor
 * gave to other guests). undefined when unavailable.
 */
export function cpuTimes(cpu) {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    if (!line) return undefined;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user + nice + system + irq + softirq + (steal ?? 0)) / 100, idle: (idle + iowait) / 100, steal: (steal ?? 0) / 100 };
  } catch {
    return undefined;
  }
}
