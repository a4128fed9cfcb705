// Watches /health while the server is down, with backoff, and says when it answers again.

export const BACKOFF_MS = Object.freeze({ first: 2000, max: 60000 });

/** The wait before each next check: doubling from BACKOFF_MS.first, never longer than BACKOFF_MS.max. */
export function nextDelay(previous) {
  return previous ? Math.min(BACKOFF_MS.max, previous * 2) : BACKOFF_MS.first;
}

/**
 * One watch at a time. `isUp()` resolves to whether the server answers; `onBack()` runs once when it does.
 * `setTimer(callback, ms)` is injected by tests. Each check reads the settings (an extension API call), which
 * also keeps an MV3 service worker alive between checks.
 */
export class ServerWatch {
  constructor({ isUp, onBack, setTimer = (callback, ms) => setTimeout(callback, ms) }) {
    this.isUp = isUp;
    this.onBack = onBack;
    this.setTimer = setTimer;
    this.delay = 0;
    this.watching = false;
  }

  /** Start watching (a request just found the server down); a watch already running goes on as it was. */
  start() {
    if (this.watching) return;
    this.watching = true;
    this.delay = 0;
    this.schedule();
  }

  schedule() {
    this.delay = nextDelay(this.delay);
    this.setTimer(() => this.check(), this.delay);
  }

  async check() {
    let up = false;
    try {
      up = await this.isUp();
    } catch {
      up = false;
    }
    if (!up) {
      this.schedule();
      return;
    }
    this.watching = false;
    await this.onBack();
  }
}
