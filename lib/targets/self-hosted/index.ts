export * from './props';
export * from './stack';
export * from './read';
export { BUNDLE_FILES } from './files';
