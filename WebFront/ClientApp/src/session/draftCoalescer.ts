// Live typing without flooding the room: at most one chunk per interval, the latest text always sent last.

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Holds the composer's latest text and sends it: the first change at once, later changes at most once per
 * `intervalMs` (a trailing send always carries the newest text). `send` returns false when it could not send
 * (no socket): that text is then sent again by `resend` after the next welcome.
 */
export class DraftCoalescer {
  private latest = "";
  private lastSent: string | null = "";
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;

  constructor(
    private readonly send: (text: string) => boolean,
    private readonly intervalMs = 40,
    private readonly clock: Clock = browserClock,
  ) {}

  /** The newest text the composer holds. */
  get text(): string {
    return this.latest;
  }

  /** The composer changed: remember the text and send it now or at the end of the current interval. */
  update(text: string): void {
    this.latest = text;
    if (this.timer !== null) return;
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
    } else {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
    }
  }

  /** Sends the newest text now unless the server already has it. */
  flush(): void {
    this.cancelTimer();
    if (this.latest === this.lastSent) return;
    if (this.send(this.latest)) {
      this.lastSent = this.latest;
      this.lastSentAt = this.clock.now();
    }
  }

  /** The draft ended on the server (commit or cancel): forget the text and any send still waiting. */
  reset(): void {
    this.cancelTimer();
    this.latest = "";
    this.lastSent = "";
  }

  /** A new session (welcome) knows nothing of this tab's draft: send it again if there is one. */
  resend(): void {
    this.cancelTimer();
    this.lastSent = this.latest === "" ? "" : null;
    this.flush();
  }

  dispose(): void {
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
