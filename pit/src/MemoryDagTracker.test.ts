// Runs the DagTracker acceptance suite against MemoryDagTracker, the model every adapter is held to.
import { MemoryDagTracker } from './MemoryDagTracker.js';
import { runDagTrackerTests } from './testing/dag-tracker-acceptance.js';

runDagTrackerTests('MemoryDagTracker', async () => {
  const tracker = new MemoryDagTracker();
  let latest = tracker;
  return {
    tracker,
    reopen: async () => (latest = latest.reopen()),
    cleanup: async () => {},
  };
});
