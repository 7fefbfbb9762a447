/**
 * The local verifier (internal modules; the jsii API is `FailoverSimulation` in simulation.ts).
 */
export * from './source';
export * from './gateways';
export * from './lint';
export * from './timing';
export * from './prices';
export * from './cost';
export * from './whatif';
export * from './report';
export * from './live';
export * from './drill';
export * from './clients';
