// The public (jsii) API. Targets register themselves with the constructs when loaded.
import './targets/cloudformation';

export * from './constructs';
