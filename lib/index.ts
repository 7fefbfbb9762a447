// The public (jsii) API. Targets register themselves with the constructs when loaded.
import './targets/cloudformation';
import './targets/terraform';

export * from './constructs';
export * from './targets/self-hosted/props';
export * from './targets/self-hosted/stack';
export * from './verify/simulation';
