// Reconnect delays: exponential backoff with jitter, so a restarted server is not hit by every tab at once.

export const backoffBaseMs = 250;
export const backoffMaxMs = 10_000;

/**
 * The wait before reconnect attempt number `attempt` (0 for the first retry): 250 ms doubling up to 10 s,
 * of which a random half is taken off ("equal jitter"), so the delay is in [cap/2, cap].
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(cap / 2 + random() * (cap / 2));
}
