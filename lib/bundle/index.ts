export * from './types';
export * from './values';
export * from './parse';
export * from './keys';
