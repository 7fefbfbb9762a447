/** The README.md inside a bundle: what is in it and how to start it, with this bundle's own names. */
import * as path from 'path';
import { BUNDLE_FILES, CONTAINER_ADMIN_PORT } from './files';
import { kubernetesNames, SECRET_KEY } from './kubernetes';
import type { BundleContext } from './settings';
import { KEYS_DIRECTORY, unitNames } from './systemd';
import { checkerKeyName } from '../../bundle';
import { DEFAULT_HEALTHY_FRACTION, RecordSetModel } from '../../model';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderBundleReadme(ctx: BundleContext): string {
  const { config, settings, version } = ctx;
  const zones = config.zones.map((z) => `\`${z.name}\``).join(', ');
  const regions = [...new Set(config.checkers.map((c) => c.region))];
  const names = unitNames(ctx);
  const k = settings.kubernetes;
  const kn = kubernetesNames(ctx);
  const dir = settings.systemd.configDirectory;
  const sample = config.recordSets[0] ?? { name: config.zones[0].name, recordType: 'SOA' };
  // The records of each name and type, in the order of their first record (one pass: a fleet has thousands).
  const groups = new Map<string, RecordSetModel[]>();
  for (const r of config.recordSets) {
    const key = `${r.name} ${r.recordType}`;
    const members = groups.get(key);
    if (members) members.push(r);
    else groups.set(key, [r]);
  }
  const nodeOf = new Map(config.dnsNodes.map((n) => [n.id, n]));
  const keyNames = config.checkers.map(checkerKeyName);

  const lines: string[] = [
    `# Self-hosted DNS failover bundle: ${ctx.stackPath}`,
    '',
    `Written by cdk-dns-failover ${version} from the \`SelfHostedStack\` \`${ctx.stackPath}\`. It serves ${zones}`,
    `from ${plural(config.dnsNodes.length, 'DNS node')}, with ${plural(config.checkers.length, 'checker')} in ${plural(regions.length, 'region')} (${regions.join(', ')}).`,
    'Synthesize the stack again to change it: the files here are generated.',
    '',
    '| file | what it is |',
    '|---|---|',
    `| \`${BUNDLE_FILES.config}\` | the bundle config (format version ${config.version}): zones, health checks, failover groups, verdict settings, checkers, DNS nodes |`,
    `| \`${BUNDLE_FILES.kubernetes}\` | the fleet on Kubernetes: one Deployment per DNS node, DNS Services (UDP and TCP), one checker Deployment per region, the config as a ConfigMap |`,
    `| \`${BUNDLE_FILES.systemdDirectory}/\` | the fleet on plain machines: one systemd service per DNS node and per checker |`,
    `| \`${BUNDLE_FILES.dockerfile}\` | the container image the Kubernetes manifests run (build it yourself: no public image exists) |`,
    `| \`${BUNDLE_FILES.dockerignore}\` | the build context is an allowlist: the Dockerfile and a packed package only, never a key |`,
    '',
    'Failover groups:',
    '',
    ...[...groups.values()].map((members) => {
      const g = members[members.length - 1]; // its TTL as written before: the last record's
      const desc = members.map((m) => `${m.setIdentifier} ${m.values.join(',')}${m.weight !== undefined ? ` weight ${m.weight}` : m.failover !== undefined ? ` ${m.failover}` : ''}`);
      return `- \`${g.name}\` ${g.recordType}, TTL ${g.ttl} s: ${desc.join('; ')}`;
    }),
    ...(groups.size === 0 ? ['- none (the zones hold static records only)'] : []),
    '',
    `A health check is healthy when more than ${Number(((config.verdict?.healthyFraction ?? DEFAULT_HEALTHY_FRACTION) * 100).toFixed(2))} % of the checkers with a fresh report`,
    `(younger than ${(config.verdict?.freshnessMs ?? 90000) / 1000} s) say so; every DNS node decides on its own from the reports it receives.`,
    '',
    '## On one machine',
    '',
    'With the cdk-dns-failover package installed (`npm install cdk-dns-failover`), in this directory:',
    '',
    '```sh',
    'npx dns-failover up .',
    '```',
    '',
    `runs one DNS node on 127.0.0.1:5353 (\`--listen\` to change it) and one checker per region (${regions.join(', ')}) in one`,
    'process, with a live view in the terminal, the admin API and a status page at http://127.0.0.1:8053/ (`--admin`).',
    'The checkers sign their reports with keys made up for the run. Ask it:',
    '',
    '```sh',
    `dig @127.0.0.1 -p 5353 ${sample.name} ${sample.recordType}`,
    '```',
    '',
    '## The checkers\' keys',
    '',
    'Every checker signs its reports with a key of its own; every DNS node holds the keys of all checkers and refuses a',
    'report it cannot verify with the key of the checker it claims to come from, so a checker can only speak for itself.',
    'Make the keys **outside this directory** (it is the Dockerfile\'s build context) and out of version control:',
    '',
    '```sh',
    `KEYS=../${kn.prefix}-keys && mkdir -p -m 0700 "$KEYS"`,
    `for k in ${keyNames.join(' ')}; do openssl rand -hex 32 > "$KEYS/$k"; done`,
    '```',
    '',
    '| checker | key (file name) | Kubernetes Secret |',
    '|---|---|---|',
    ...config.checkers.map((c) => `| \`${c.id}\` | \`${checkerKeyName(c)}\` | \`${kn.keySecrets.get(c.id)}\` |`),
    '',
    'To rotate a key, write the new one, give it to the DNS nodes (reload them) and to its checker (restart it); the',
    'checker\'s reports are refused in between.',
    '',
    '## Plain machines (systemd)',
    '',
    'Each DNS node and each checker runs as its own service (systemd 248 or later: the secret reaches it through',
    '`LoadCredential=`). On every machine, install the command and the config:',
    '',
    '```sh',
    `npm install --global cdk-dns-failover@${version}   # or a packed .tgz of it`,
    `sudo install -d -m 0755 ${dir}`,
    `sudo install -m 0644 ${BUNDLE_FILES.config} ${dir}/${BUNDLE_FILES.config}`,
    `sudo install -d -m 0700 ${dir}/${KEYS_DIRECTORY}`,
    `sudo install -m 0600 "$KEYS"/* ${dir}/${KEYS_DIRECTORY}/            # a DNS node's machine: every checker's key`,
    `sudo install -m 0600 "$KEYS"/<key name> ${dir}/${KEYS_DIRECTORY}/   # a checker's machine: its own key only`,
    '```',
    '',
    `then the units that run there (the addresses are those of \`${BUNDLE_FILES.config}\`; \`${settings.systemd.cliPath}\` must be the command):`,
    '',
    '| unit | runs | listens on / reports to |',
    '|---|---|---|',
    ...config.dnsNodes.map((n) => `| \`${names.dnsNodes.get(n.id)}\` | DNS node \`${n.id}\` | DNS ${n.dns}, admin API ${n.admin} |`),
    ...config.checkers.map((c) => `| \`${names.checkers.get(c.id)}\` | checker \`${c.id}\` (${c.region}) | ${config.dnsNodes.map((n) => nodeOf.get(n.id)!.admin).join(', ')} |`),
    '',
    '```sh',
    `sudo install -m 0644 ${BUNDLE_FILES.systemdDirectory}/<unit> /etc/systemd/system/`,
    'sudo systemctl daemon-reload && sudo systemctl enable --now <unit>',
    '```',
    '',
    `After changing \`${BUNDLE_FILES.config}\`, \`sudo systemctl reload <dns node unit>\` re-reads it (a config that does not`,
    'validate is refused and the node keeps serving the previous one); restart the checkers.',
    '',
    '## Kubernetes',
    '',
    `1. Build the image the manifests run (\`${settings.containerImage}\`) and push it where the cluster pulls from:`,
    '',
    '   ```sh',
    `   npm pack cdk-dns-failover@${version}   # or \`npm pack\` in a checkout; gives cdk-dns-failover-${version}.tgz`,
    `   docker build --build-arg PACKAGE=./cdk-dns-failover-${version}.tgz -t ${settings.containerImage} .`,
    '   ```',
    '',
    '2. Apply the manifests, then create the Secrets they refer to, one per checker (a checker pod waits for its own; a',
    '   DNS node starts without a missing one and refuses that checker\'s reports until it restarts with it):',
    '',
    '   ```sh',
    `   kubectl apply -f ${BUNDLE_FILES.kubernetes}`,
    ...config.checkers.map((c) => `   kubectl -n ${k.namespace} create secret generic ${kn.keySecrets.get(c.id)} --from-file=${SECRET_KEY}="$KEYS/${checkerKeyName(c)}"`),
    '   ```',
    '',
    `3. Look at a node: \`kubectl -n ${k.namespace} port-forward svc/${kn.adminServices.get(config.dnsNodes[0].id)} ${CONTAINER_ADMIN_PORT}\``,
    `   and open http://127.0.0.1:${CONTAINER_ADMIN_PORT}/ (status page), /status (JSON) or /metrics. The status page, /status and`,
    '   /reload answer loopback clients (port-forward is one) or holders of an admin token (`--admin-token-file`) only.',
    '',
    `A NetworkPolicy (\`${kn.networkPolicy}\`) lets only the checker pods reach the DNS nodes' admin port; add an ingress rule`,
    'for your Prometheus if it scrapes /metrics there. DNS itself is open.',
    '',
    'A DNS node rolls with a surge: the new pod takes queries, and the old one stops, only once it is ready, that is once it',
    'answers DNS (/healthz asks it a real question) and holds verdicts (/readyz: every checker has reported since it started,',
    'or the freshness window has passed). A config change restarts no checker: each takes the changed file in place, keeping',
    'the results of unchanged checks. A checker that does restart (a new image) reports nothing until it has `FailureThreshold`',
    'results, so the nodes keep its last reports and no verdict falls back to healthy. PodDisruptionBudgets',
    'let a drain take one DNS node and one checker pod at a time. No pod gets a service account token.',
    '',
    `DNS is published on port 53 by the Services \`${kn.dnsServices.udp}\` and \`${kn.dnsServices.tcp}\` (type ${k.dnsServiceType}); delegate`,
    'the zones to their external addresses. Applying a changed config rolls the pods.',
    '',
  ];
  const geoipFile = config.geoip?.database;
  if (config.recordSets.some((r) => r.geoLocation !== undefined || r.region !== undefined)) {
    lines.push(
      '## GeoIP',
      '',
      geoipFile === undefined
        ? 'Geolocation and latency routing read the embedded DB-IP Lite country database (CC BY 4.0, https://db-ip.com), shipped with the package.'
        : `Geolocation and latency routing read \`${geoipFile}\` on every DNS node's machine (a MaxMind DB country or city database). `
          + `In Kubernetes, create the PersistentVolumeClaim \`${kn.geoipClaim}\` holding it: the DNS nodes mount it read-only at \`${path.posix.dirname(geoipFile)}\`.`,
      'Replace the file and reload the node to take a new one; a database that cannot be used is refused and the old one keeps serving.',
      '',
    );
  }
  if (ctx.warnings.length > 0) {
    lines.push('## Warnings at synthesis', '', ...ctx.warnings.map((w) => `- ${w}`), '');
  }
  return lines.join('\n');
}
