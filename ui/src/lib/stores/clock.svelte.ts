// "Now", for relative ages ("3 minutes ago"). Ticks every 30 s: a clock, not a poll of the daemon.

class Clock {
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | null = null;

  start(): () => void {
    if (!this.timer) this.timer = setInterval(() => (this.now = Date.now()), 30_000);
    return () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
  }
}

export const clock = new Clock();
