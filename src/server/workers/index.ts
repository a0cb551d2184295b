export { runPrimary, MAX_RESTARTS_PER_MINUTE, type PrimaryOptions } from './primary';
export { workerCount, mustFork, workerSlot, onStopRequest, leaveCluster } from './worker';
