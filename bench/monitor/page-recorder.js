// Installed in the board page and in the bare page before their own scripts (Playwright's
// addInitScript): records when each node element's `data-run-state` takes a value, seen by a
// MutationObserver, and the frames the page draws (requestAnimationFrame timestamps). Times are the
// wall clock (`performance.timeOrigin + performance.now()`), the clock the executor's `Date.now()`
// reads on the same machine. The benchmark drives it through `window.__monitorBench`.
(() => {
  const NODE = '[data-testid="board-node"]';
  const clock = () => performance.timeOrigin + performance.now();
  const seen = { ids: [], states: [], times: [] };
  /** Each node's state as last recorded (null: none shown), so a repeat is not a change. */
  const latest = new Map();
  /** The nodes whose state changed since the last reset. */
  const changed = new Set();
  let frames = [];
  let framing = false;
  let observer = null;
  let root = null;

  function note(el, value, now) {
    const id = el.getAttribute('data-node-id');
    if (id === null || latest.get(id) === value) return;
    latest.set(id, value);
    changed.add(id);
    if (value === null) return;
    seen.ids.push(id);
    seen.states.push(value);
    seen.times.push(now);
  }

  function take(records) {
    const now = clock();
    // The value each attribute record set: the next record's old value for the same element, else
    // the element's value now (several changes in one task come as several records).
    const after = new Map();
    const values = new Array(records.length);
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i];
      if (r.type !== 'attributes') continue;
      values[i] = after.has(r.target) ? after.get(r.target) : r.target.getAttribute('data-run-state');
      after.set(r.target, r.oldValue);
    }
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.type === 'attributes') {
        if (r.target.matches(NODE)) note(r.target, values[i], now);
        continue;
      }
      for (const added of r.addedNodes) {
        if (added.nodeType !== Node.ELEMENT_NODE) continue;
        if (added.matches(NODE)) note(added, added.getAttribute('data-run-state'), now);
        for (const el of added.querySelectorAll(NODE)) note(el, el.getAttribute('data-run-state'), now);
      }
    }
  }

  function reseed() {
    latest.clear();
    changed.clear();
    if (root === null) return;
    for (const el of root.querySelectorAll(NODE))
      latest.set(el.getAttribute('data-node-id'), el.getAttribute('data-run-state'));
  }

  function onFrame(t) {
    if (framing) frames.push(performance.timeOrigin + t);
    requestAnimationFrame(onFrame);
  }
  requestAnimationFrame(onFrame);

  /** The first element matching `selector`, searched through every open shadow root. */
  function deepFind(start, selector) {
    const found = start.querySelector(selector);
    if (found !== null) return found;
    for (const el of start.querySelectorAll('*')) {
      if (el.shadowRoot) {
        const inner = deepFind(el.shadowRoot, selector);
        if (inner !== null) return inner;
      }
    }
    return null;
  }

  window.__monitorBench = {
    /** Observes the node elements under `selector`'s shadow root (the board), or the document; how many nodes it holds. */
    observe(selector) {
      const host = selector === null ? null : deepFind(document, selector);
      root = host === null ? document : (host.shadowRoot ?? host);
      observer?.disconnect();
      observer = new MutationObserver(take);
      observer.observe(root, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-run-state'],
        attributeOldValue: true,
      });
      reseed();
      return root.querySelectorAll(NODE).length;
    },
    /** Forgets what was recorded (the DOM as it is now becomes the baseline) and records frames from now on. */
    /**
     * The board shows no run (as before its first): a run's node whose every state came in one
     * frame would otherwise go from the last run's `succeeded` to this one's with no change to see.
     * Resolves once the board has drawn that.
     */
    async showNoRun() {
      deepFind(document, 'workflow-view')?.runs.select(null);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    },

    reset() {
      observer?.takeRecords();
      seen.ids = [];
      seen.states = [];
      seen.times = [];
      reseed();
      frames = [];
      framing = true;
    },
    /** How many nodes changed to `state` since the last reset and show it now. */
    showing(state) {
      let n = 0;
      for (const id of changed) if (latest.get(id) === state) n++;
      return n;
    },
    /** Stops recording frames and hands over what was recorded. */
    collect() {
      if (observer !== null) take(observer.takeRecords());
      framing = false;
      return { ...seen, frames };
    },
    /** Whether the board's Run button is there and enabled (the board watches the workflow's runs). */
    runEnabled() {
      const button = deepFind(document, '[data-testid="run-workflow"]');
      return button !== null && !button.disabled;
    },
    /** The page's wall clock beside its `Date.now()`, to show the two agree. */
    clocks() {
      const before = Date.now();
      const wall = clock();
      const after = Date.now();
      return { before, wall, after };
    },
  };
})();
