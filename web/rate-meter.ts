/** Events per second over the last few events (a sliding window, so a pause shows quickly). */
export function createRateMeter(window = 10) {
  const times: number[] = [];
  return {
    /** Records one event now. */
    tick(now = performance.now()): void {
      times.push(now);
      if (times.length > window) times.shift();
    },
    /** Events per second, or null before two events; decays while no event arrives. */
    perSecond(now = performance.now()): number | null {
      if (times.length < 2) return null;
      // Counting the wait since the last event makes the rate fall during a stall.
      const span = Math.max(now, times[times.length - 1]) - times[0];
      return span > 0 ? ((times.length - 1) * 1000) / span : null;
    },
    reset(): void {
      times.length = 0;
    },
  };
}
