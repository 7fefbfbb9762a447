/**
 * The checker -> DNS node report protocol: the report body (`report.ts`) and its authentication
 * (`auth.ts`). Below both the DNS node and the checker. Internal runtime code (not exported through
 * lib/index.ts).
 */
export * from './report';
export * from './auth';
