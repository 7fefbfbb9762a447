/**
 * Geolocation routing (ROUTE53.md §2 "Geolocation", DG-geo, DG-geo-v):
 * - "The smallest matching area wins: subdivision, then country, then continent, then `*`. `*` also
 *   answers addresses that map to no location."
 * - "Unhealthy match: widen to the next larger enclosing area that has a record, up to `*`. If every
 *   applicable record (the `*` record included) is unhealthy, answer with the smallest matching area
 *   (its last resort). Sibling areas are never applicable."
 * - "No match and no `*` record: 'no answer'": an empty answer (NODATA).
 *
 * The client's continent is the one Route 53's own country table gives its country (`clientLocation`),
 * unless the client says otherwise. No randomness is used.
 */
import { DEFAULT_GEO_LOCATION, RecordSetModel } from '../../model';
import { Client } from '../client';
import { chainRouter, Router } from './router';

const up = (s: string | undefined) => s?.toUpperCase();

/** The applicable records' indices for a client, smallest area first. */
export type GeoChain = (client: Client) => readonly number[];

export function geolocationChain(records: readonly RecordSetModel[]): GeoChain {
  const subdivisions = new Map<string, number>();
  const countries = new Map<string, number>();
  const continents = new Map<string, number>();
  let fallback = -1;
  records.forEach((r, i) => {
    const g = r.geoLocation;
    if (!g) return;
    const country = up(g.countryCode);
    if (country === DEFAULT_GEO_LOCATION) {
      if (fallback < 0) fallback = i;
    } else if (country !== undefined && g.subdivisionCode !== undefined) {
      const key = `${country}-${up(g.subdivisionCode)}`;
      if (!subdivisions.has(key)) subdivisions.set(key, i);
    } else if (country !== undefined) {
      if (!countries.has(country)) countries.set(country, i);
    } else if (g.continentCode !== undefined) {
      const key = up(g.continentCode)!;
      if (!continents.has(key)) continents.set(key, i);
    }
  });
  return (client) => {
    const chain: number[] = [];
    const l = client.location;
    const country = up(l?.country);
    if (country !== undefined && l?.subdivision !== undefined) {
      const i = subdivisions.get(`${country}-${up(l.subdivision)}`);
      if (i !== undefined) chain.push(i);
    }
    if (country !== undefined) {
      const i = countries.get(country);
      if (i !== undefined) chain.push(i);
    }
    const continent = up(l?.continent);
    if (continent !== undefined) {
      const i = continents.get(continent);
      if (i !== undefined) chain.push(i);
    }
    if (fallback >= 0) chain.push(fallback);
    return chain;
  };
}

export function compileGeolocation(records: readonly RecordSetModel[]): Router {
  return chainRouter(records, geolocationChain(records));
}
