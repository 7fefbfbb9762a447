/**
 * The health checker: probes (HTTP, HTTPS, TCP) exactly as Route 53's checkers do, the probe
 * schedule, and the pushes of its observations to every DNS node.
 *
 * Internal runtime code: not exported through lib/index.ts (jsii).
 */
export * from './target';
export * from './resolve';
export * from './reasons';
export * from './probe-http';
export * from './probe-tcp';
export * from './probe';
export * from './scheduler';
export * from './reporter';
export * from './checker';
