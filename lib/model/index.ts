export * from './facts';
export * from './types';
export * from './names';
export * from './tokens';
export * from './capabilities';
export * from './findings';
export * from './validate';
export * from './canonical';
