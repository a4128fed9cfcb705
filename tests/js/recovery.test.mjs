// background/recovery.js: /health with backoff while the server is down, and one "back" when it answers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { BACKOFF_MS, ServerWatch, nextDelay } from "../../extension/background/recovery.js";

test("the wait doubles from the first delay and stops growing at the cap", () => {
  const delays = [];
  let delay = 0;
  for (let i = 0; i < 8; i++) delays.push((delay = nextDelay(delay)));
  assert.deepEqual(delays, [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  assert.ok(BACKOFF_MS.first <= 5000 && BACKOFF_MS.max <= 60000);
});

test("checks until the server answers, then says so once; a second start while watching adds no timer", async () => {
  const timers = [];
  let up = false;
  let checks = 0;
  let back = 0;
  const watch = new ServerWatch({
    isUp: async () => {
      checks++;
      if (!up) throw new Error("connection refused");
      return true;
    },
    onBack: () => back++,
    setTimer: (callback, ms) => timers.push({ callback, ms }),
  });
  watch.start();
  watch.start();
  assert.equal(timers.length, 1);
  for (let i = 0; i < 3; i++) await timers[i].callback();
  assert.deepEqual(timers.map((t) => t.ms), [2000, 4000, 8000, 16000]);
  assert.equal(back, 0);
  up = true;
  await timers[3].callback();
  assert.equal(checks, 4);
  assert.equal(back, 1);
  assert.equal(timers.length, 4, "no more checks once it is back");
  watch.start();
  assert.equal(timers.at(-1).ms, 2000, "a new outage starts from the first delay again");
});
