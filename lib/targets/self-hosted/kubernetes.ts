/**
 * The bundle's Kubernetes manifests: the fleet as Kubernetes runs it.
 *
 * - a Namespace;
 * - a ConfigMap holding `config.json` (DNS node pods roll when it changes: its digest is a pod
 *   annotation; checkers take the changed file without a restart);
 * - per DNS node, a Deployment (one replica: a node is an identity the checkers push to; rolled
 *   with a surge, the new pod ready, with verdicts, before the old one stops) and a ClusterIP Service for its admin API (`<prefix>-dns-<node>-admin:8053`, where checkers push);
 * - two Services publishing DNS on port 53 from every DNS node, one UDP and one TCP (separate,
 *   because many load balancers take one protocol per Service);
 * - per checker region, a Deployment with one container per checker of that region, each pushing to
 *   every DNS node's admin Service;
 * - a NetworkPolicy: only this bundle's checker pods reach the DNS nodes' admin port (where reports,
 *   the status and the metrics are); DNS is open to all;
 * - PodDisruptionBudgets: a drain takes at most one DNS node and one checker pod at a time.
 * No pod gets a service account token (none talks to the Kubernetes API).
 *
 * Every checker's report key comes from a Secret of its own that the user creates
 * (`kubectl create secret generic <stack>-key-<key name> --from-file=key=...`, the bundle's README
 * lists them); the manifests only refer to them by name. A DNS node's pod mounts every checker's key
 * (a projected volume, one file per key name); a checker's container mounts only its own.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { BUNDLE_FILES, checkArgs, CONTAINER_ADMIN_PORT, CONTAINER_DNS_PORT, reportUrl, serveArgs } from './files';
import type { BundleContext } from './settings';
import { checkerKeyName } from '../../bundle';

type Json = Record<string, unknown>;

const CONFIG_DIR = '/etc/dns-failover/config';
/** Where a DNS node's pod mounts every checker's key, and a checker's container its own. */
const KEYS_DIR = '/etc/dns-failover/keys';
/** The key of a checker's report key inside its Secret. */
export const SECRET_KEY = 'key';

/** A DNS-1123 label (also a DNS-1035 label: starts with a letter) from any text; long names keep a digest. */
export function kubernetesName(text: string): string {
  let name = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `x-${name}`.replace(/-+$/, '');
  if (name.length > 63) {
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 8);
    name = `${name.slice(0, 54).replace(/-+$/, '')}-${digest}`;
  }
  return name;
}

/** Names that sanitise to the same text get a digest each, so that no two objects share a name. */
function uniqueNames(ids: readonly string[], make: (id: string) => string): Map<string, string> {
  const names = new Map(ids.map((id) => [id, make(id)]));
  const counts = new Map<string, number>();
  for (const n of names.values()) counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const [id, n] of names) {
    if (counts.get(n)! > 1) names.set(id, kubernetesName(`${n.slice(0, 50)}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`));
  }
  return names;
}

/** The names of a bundle's Kubernetes objects. */
export interface KubernetesNames {
  /** What every name starts with: the stack's path. */
  readonly prefix: string;
  readonly configMap: string;
  /** The PersistentVolumeClaim holding a GeoIP database of one's own. */
  readonly geoipClaim: string;
  /** Deployment per DNS node id. */
  readonly nodes: ReadonlyMap<string, string>;
  /** Admin Service per DNS node id. */
  readonly adminServices: ReadonlyMap<string, string>;
  readonly dnsServices: { readonly udp: string; readonly tcp: string };
  /** Deployment per checker region. */
  readonly regions: ReadonlyMap<string, string>;
  /** The Secret holding each checker's report key, by checker id. */
  readonly keySecrets: ReadonlyMap<string, string>;
  /** The NetworkPolicy that lets only the checkers reach the DNS nodes' admin port. */
  readonly networkPolicy: string;
  readonly disruptionBudgets: { readonly dnsNodes: string; readonly checkers: string };
}

export function kubernetesNames(ctx: Pick<BundleContext, 'config' | 'stackPath'>): KubernetesNames {
  const prefix = kubernetesName(ctx.stackPath.split('/').filter(Boolean).join('-') || 'dns-failover');
  const nodes = uniqueNames(ctx.config.dnsNodes.map((n) => n.id), (id) => kubernetesName(`${prefix}-dns-${id}`));
  return {
    prefix,
    configMap: kubernetesName(`${prefix}-config`),
    geoipClaim: kubernetesName(`${prefix}-geoip`),
    nodes,
    adminServices: new Map([...nodes].map(([id, name]) => [id, kubernetesName(`${name}-admin`)])),
    dnsServices: { udp: kubernetesName(`${prefix}-dns-udp`), tcp: kubernetesName(`${prefix}-dns-tcp`) },
    regions: uniqueNames([...new Set(ctx.config.checkers.map((c) => c.region))], (r) => kubernetesName(`${prefix}-checker-${r}`)),
    keySecrets: new Map(ctx.config.checkers.map((c) => [c.id, kubernetesName(`${prefix}-key-${checkerKeyName(c)}`)])),
    networkPolicy: kubernetesName(`${prefix}-dns-admin-from-checkers`),
    disruptionBudgets: { dnsNodes: kubernetesName(`${prefix}-dns-nodes`), checkers: kubernetesName(`${prefix}-checkers`) },
  };
}

export function kubernetesManifests(ctx: BundleContext): Json[] {
  const { config, settings } = ctx;
  const k = settings.kubernetes;
  const namespace = k.namespace;
  const names = kubernetesNames(ctx);
  const prefix = names.prefix;
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  const digest = createHash('sha256').update(configText).digest('hex');
  const common = {
    'app.kubernetes.io/name': 'dns-failover',
    'app.kubernetes.io/instance': prefix,
    'app.kubernetes.io/managed-by': 'cdk-dns-failover',
  };
  const metadata = (name: string, component: string, extra: Json = {}) => ({
    name,
    namespace,
    labels: { ...common, 'app.kubernetes.io/component': component, ...extra },
  });
  const configMapName = names.configMap;
  const nodeNames = names.nodes;
  const adminService = (id: string) => names.adminServices.get(id)!;
  const configVolume = { name: 'config', configMap: { name: configMapName } };
  const configMount = { name: 'config', mountPath: CONFIG_DIR, readOnly: true };
  // A DNS node: every checker's key, one file per key name. A missing Secret leaves its file out
  // (optional), so the node still serves DNS and says which key it lacks.
  const nodeVolumes: Json[] = [
    configVolume,
    {
      name: 'checker-keys',
      projected: {
        defaultMode: 0o440,
        sources: config.checkers.map((c) => ({
          secret: { name: names.keySecrets.get(c.id)!, items: [{ key: SECRET_KEY, path: checkerKeyName(c) }], optional: true },
        })),
      },
    },
  ];
  const nodeMounts: Json[] = [configMount, { name: 'checker-keys', mountPath: KEYS_DIR, readOnly: true }];
  // A GeoIP database of one's own: the claim's volume at the database's directory (the embedded one is in the image).
  const geoipFile = config.geoip?.database;
  if (geoipFile !== undefined) {
    nodeVolumes.push({ name: 'geoip', persistentVolumeClaim: { claimName: names.geoipClaim, readOnly: true } });
    nodeMounts.push({ name: 'geoip', mountPath: path.posix.dirname(geoipFile), readOnly: true });
  }
  const configFile = `${CONFIG_DIR}/${BUNDLE_FILES.config}`;
  const containerSecurity = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
  const podSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
  const podAnnotations = { 'dns-failover/config-sha256': digest };
  const objects: Json[] = [];

  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: common } });
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(configMapName, 'config'),
    data: { [BUNDLE_FILES.config]: configText },
  });

  for (const node of config.dnsNodes) {
    const name = nodeNames.get(node.id)!;
    const selector = { ...common, 'app.kubernetes.io/component': 'dns-node', 'dns-failover/node': name };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(name, 'dns-node', { 'dns-failover/node': name }),
      spec: {
        replicas: 1,
        // A node is never down for a rollout: the new pod starts first and takes queries (and the old
        // one stops) only once it is ready, that is once it holds verdicts (/readyz: every checker
        // has reported since it started, or the freshness window has passed). So a rollout that
        // changes every node's pod never leaves DNS without a node that knows the verdicts.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: selector, annotations: { ...podAnnotations, 'dns-failover/node-id': node.id } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurity,
            containers: [
              {
                name: 'dns-node',
                image: settings.containerImage,
                imagePullPolicy: 'IfNotPresent',
                args: serveArgs({
                  config: configFile,
                  listen: `0.0.0.0:${CONTAINER_DNS_PORT}`,
                  admin: `0.0.0.0:${CONTAINER_ADMIN_PORT}`,
                  keysDir: KEYS_DIR,
                  ignoreClientSubnet: node.ignoreClientSubnet,
                }),
                ports: [
                  { name: 'dns-udp', containerPort: CONTAINER_DNS_PORT, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: CONTAINER_DNS_PORT, protocol: 'TCP' },
                  { name: 'admin', containerPort: CONTAINER_ADMIN_PORT, protocol: 'TCP' },
                ],
                // /healthz asks the node's own DNS listeners a real question (UDP and TCP).
                livenessProbe: { httpGet: { path: '/healthz', port: 'admin' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                readinessProbe: { httpGet: { path: '/readyz', port: 'admin' }, periodSeconds: 2, timeoutSeconds: 3 },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: containerSecurity,
                volumeMounts: nodeMounts,
              },
            ],
            volumes: nodeVolumes,
          },
        },
      },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(adminService(node.id), 'dns-node-admin', { 'dns-failover/node': name }),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'admin', port: CONTAINER_ADMIN_PORT, targetPort: 'admin', protocol: 'TCP' }],
      },
    });
  }

  const dnsSelector = { ...common, 'app.kubernetes.io/component': 'dns-node' };
  for (const protocol of ['UDP', 'TCP'] as const) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(protocol === 'UDP' ? names.dnsServices.udp : names.dnsServices.tcp, 'dns'),
      spec: {
        type: k.dnsServiceType,
        selector: dnsSelector,
        ports: [{ name: `dns-${protocol.toLowerCase()}`, port: 53, targetPort: `dns-${protocol.toLowerCase()}`, protocol }],
      },
    });
  }

  // Only the checkers of this bundle reach a DNS node's admin port (reports, status, metrics); DNS
  // itself is open. (Kubelet probes come from the node, which most network plugins let through.)
  objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(names.networkPolicy, 'dns-node'),
    spec: {
      podSelector: { matchLabels: dnsSelector },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { ...common, 'app.kubernetes.io/component': 'checker' } } }],
          ports: [{ protocol: 'TCP', port: CONTAINER_ADMIN_PORT }],
        },
        { ports: [{ protocol: 'UDP', port: CONTAINER_DNS_PORT }, { protocol: 'TCP', port: CONTAINER_DNS_PORT }] },
      ],
    },
  });

  // Voluntary disruptions (a node drain, a cluster upgrade) take at most one DNS node, and one
  // checker pod, at a time.
  objects.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(names.disruptionBudgets.dnsNodes, 'dns-node'),
    spec: { maxUnavailable: 1, selector: { matchLabels: dnsSelector } },
  });
  objects.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(names.disruptionBudgets.checkers, 'checker'),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...common, 'app.kubernetes.io/component': 'checker' } } },
  });

  const push = config.dnsNodes.map((n) => reportUrl(`${adminService(n.id)}.${namespace}.svc:${CONTAINER_ADMIN_PORT}`));
  for (const [region, name] of names.regions) {
    const checkers = config.checkers.filter((c) => c.region === region);
    const containerNames = uniqueNames(checkers.map((c) => c.id), (id) => kubernetesName(`checker-${id}`));
    const selector = { ...common, 'app.kubernetes.io/component': 'checker', 'dns-failover/region': name };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(name, 'checker', { 'dns-failover/region': name }),
      spec: {
        replicas: 1,
        // Two pods of one checker id at once would compete for its sequence: the old one stops
        // first. A restarted checker reports nothing until it has FailureThreshold results, so the
        // nodes keep its last reports meanwhile, and a verdict never falls back to 'healthy'.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          // No config digest here: a checker takes a changed config.json (the ConfigMap, updated in
          // place) without a restart, keeping the results of unchanged checks.
          metadata: { labels: selector, annotations: { 'dns-failover/region': region } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurity,
            containers: checkers.map((c, i) => ({
              name: containerNames.get(c.id)!,
              image: settings.containerImage,
              imagePullPolicy: 'IfNotPresent',
              args: checkArgs({ config: configFile, checkerId: c.id, region: c.region, push, keyFile: `${KEYS_DIR}/${checkerKeyName(c)}` }),
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: containerSecurity,
              // Its own key only.
              volumeMounts: [configMount, { name: `key-${i}`, mountPath: KEYS_DIR, readOnly: true }],
            })),
            volumes: [
              configVolume,
              ...checkers.map((c, i) => ({
                name: `key-${i}`,
                secret: { secretName: names.keySecrets.get(c.id)!, defaultMode: 0o440, items: [{ key: SECRET_KEY, path: checkerKeyName(c) }] },
              })),
            ],
          },
        },
      },
    });
  }
  return objects;
}
