// Imported first by run.ts: the app's test logger (tests/support/relayHarness.ts) reads this at import.
// Its error-level lines (e.g. kafkajs "Topic creation errors" when two projectors create the same
// topic at once, which the code tolerates) would drown the report; BENCH_LOG_LEVEL=error shows them.
process.env.TEST_LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'fatal';
export {};
