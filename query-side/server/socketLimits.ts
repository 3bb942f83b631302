/**
 * Caps on open WebSockets per client IP and per subject. Counting only: the caller refuses the
 * upgrade (per IP, before any WebSocket work) or closes the socket (per subject, once known).
 */
export interface SocketLimits {
  /** Counts a socket from `ip`; false (and nothing counted) when the IP is at its cap. */
  admitIp(ip: string): boolean;
  releaseIp(ip: string): void;
  /** Counts a socket of `subject`; false (and nothing counted) when the subject is at its cap. */
  admitSubject(subject: string): boolean;
  releaseSubject(subject: string): void;
}

function counter(max: number) {
  const open = new Map<string, number>();
  return {
    admit(key: string): boolean {
      const n = open.get(key) ?? 0;
      if (n >= max) return false;
      open.set(key, n + 1);
      return true;
    },
    release(key: string): void {
      const n = (open.get(key) ?? 0) - 1;
      if (n <= 0) open.delete(key);
      else open.set(key, n);
    },
  };
}

/** Per-process socket caps (each API replica enforces its own; a load balancer spreads sockets). */
export function createSocketLimits(opts: { perIp: number; perSubject: number }): SocketLimits {
  const ips = counter(opts.perIp);
  const subjects = counter(opts.perSubject);
  return { admitIp: ips.admit, releaseIp: ips.release, admitSubject: subjects.admit, releaseSubject: subjects.release };
}
