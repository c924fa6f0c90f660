// Node flags the issuer process runs with: `pnpm start` passes them (package.json), and so do
// the bench and the multi-process tests, so that "default settings" mean the same everywhere
// (node-flags.test.ts keeps package.json in step).
//
// A 16 MB young generation (V8 sizes it at 8 MB here): a refresh allocates request, claims,
// token and response objects that live across several awaits, and with the default size many
// of them survive a scavenge and get copied. Larger sizes measured no better (docs/performance.md).
// Set from inside the process (v8.setFlagsFromString) it has no effect: the heap is configured.
export const ISSUER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16']
