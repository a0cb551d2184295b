export { runPrimary, MAX_RESTARTS_PER_MINUTE, type PrimaryOptions } from './primary';
export { workerCount, mustFork, workerSlot, stopRequests, leaveCluster } from './worker';
