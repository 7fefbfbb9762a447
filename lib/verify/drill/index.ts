/**
 * `verify --drill` (CLI only: it runs the DNS node, checkers and stand-in endpoints, so the package
 * entry never loads it).
 */
export * from './stand-in';
export * from './plan';
export * from './clients';
export * from './observe';
export * from './run';
