/**
 * Reading a bundle back into the model (for the verifier and the round-trip tests): the bundle
 * config of a bundle directory (or the config file itself), validated like a DNS node validates it,
 * and the Route 53 model it describes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BUNDLE_FILES } from './files';
import { BundleConfig, BundleConfigError, BundleProblem, bundleToModel, formatProblem, readBundleConfigFile } from '../../bundle';
import { FailoverModel } from '../../model';

export interface SelfHostedBundle {
  /** The bundle config file that was read. */
  readonly configFile: string;
  readonly config: BundleConfig;
  /** The health checks, failover groups and static records the bundle serves. */
  readonly model: FailoverModel;
  readonly warnings: readonly BundleProblem[];
}

/** The config file of a bundle directory, or `location` itself when it is a file. */
export function bundleConfigFile(location: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    throw new Error(`${location} does not exist; give a bundle directory (written by SelfHostedStack.synth) or its ${BUNDLE_FILES.config}`);
  }
  if (!stat.isDirectory()) return location;
  const file = path.join(location, BUNDLE_FILES.config);
  if (!fs.existsSync(file)) {
    throw new Error(`${location} is a directory without ${BUNDLE_FILES.config}, so it is not a bundle; synthesize the SelfHostedStack into it, or give the config file`);
  }
  return file;
}

/** Reads and validates a bundle; throws a `BundleConfigError` naming every problem (with the file). */
export function readSelfHostedBundle(location: string): SelfHostedBundle {
  const configFile = bundleConfigFile(location);
  const check = readBundleConfigFile(configFile);
  if (!check.config) {
    const error = new BundleConfigError(check.errors);
    error.message = `${configFile} is not a valid bundle config:\n${check.errors.map(formatProblem).join('\n')}`;
    throw error;
  }
  return { configFile, config: check.config, model: bundleToModel(check.config), warnings: check.warnings };
}
