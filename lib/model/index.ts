export * from './types';
export * from './names';
export * from './tokens';
export * from './validate';
export * from './canonical';
