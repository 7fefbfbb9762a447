export * from './zone';
export * from './health-check';
export * from './endpoint';
export * from './gateway';
export * from './gateways';
export * from './cidr-collection';
