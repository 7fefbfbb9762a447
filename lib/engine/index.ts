/**
 * The engine: health aggregation and answer selection, pure and deterministic (time and randomness
 * are injected). The DNS server, the verifier's simulation and the drill all call it; no second copy
 * of these rules may exist anywhere (DESIGN.md).
 *
 * Internal: not exported through lib/index.ts (jsii) for now.
 */
export * from './random';
export * from './health';
export * from './select';
export * from './tree';
export * from './client';
export * from './country-points';
export type { HealthLookup, MemberHealth, PreparedSelect } from './routing/router';
export { MAX_CACHED_MULTIVALUE_ANSWERS, binomial } from './routing/multivalue';
export { effectiveWeight } from './routing/weighted';
export * from './prefix-table';
export * from './areas';
