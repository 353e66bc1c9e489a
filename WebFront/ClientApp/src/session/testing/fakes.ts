// Test doubles: a clock whose time moves only when a test says so, and a WebSocket the test plays the server of.
import type { Clock } from "../draftCoalescer.ts";
import type { SocketLike } from "../chatSession.ts";
import type { ClientFrame, ServerFrame } from "../protocol.ts";

export class FakeClock implements Clock {
  time = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  readonly now = () => this.time;

  readonly setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  };

  readonly clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
      }
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }

  /** When the next timer falls due, relative to now (undefined when none is set). */
  nextDueIn(): number | undefined {
    let at: number | undefined;
    for (const t of this.timers.values()) at = at === undefined ? t.at : Math.min(at, t.at);
    return at === undefined ? undefined : at - this.time;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  closedWith: number | null = null;

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code = 1005): void {
    if (this.readyState === 3) return;
    this.closedWith = code;
    this.readyState = 3;
  }

  // What the server side does:
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  receive(frame: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  /** The connection ends (server gone, network down, or the reply to close()). */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }

  framesOf<T extends ClientFrame["type"]>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }
}
