/** Small predicates the rules share. */
import { isUnresolved } from '../tokens';

/** Set, and known before deployment (not a token). */
export const known = (v: unknown): boolean => v !== undefined && !isUnresolved(v);

/** A whole number inside `range` (both ends included). */
export const inRange = (v: number, range: { readonly min: number; readonly max: number }): boolean =>
  Number.isInteger(v) && v >= range.min && v <= range.max;
