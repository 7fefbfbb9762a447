export * from './render';
export * from './read';
