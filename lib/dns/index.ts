export * from './wire';
export * from './query';
export * from './zones';
export * from './metrics';
export * from './responder';
export * from './server';
export * from './rrl';

export * from './admin';
export * from './node';
export * from './cluster';
