/**
 * The self-hosted target as the constructs see it: it collects the model objects the gateways and
 * health checks hand over, and validates them with the self-hosted capabilities. Rendering the
 * bundle (config, manifests, units) happens at synth, in `synth.ts`.
 *
 * Zones are served by name here: a record that names its zone by a Route 53 hosted zone id
 * (`GatewayZone.fromHostedZoneAttributes`) is placed in the longest configured zone that contains
 * its name, and the model this target renders says so with `hostedZoneName`.
 */
import { Construct, IConstruct } from 'constructs';
import { SELF_HOSTED_CAPABILITIES } from '../../bundle';
import { CidrCollectionModel, FailoverModel, Finding, HealthCheckModel, normalizeName, RecordSetModel, TargetCapabilities } from '../../model';
import { FailoverTarget, RenderedModel } from '../target';

/** Metadata type of a warning on a construct of a self-hosted stack (the bundle's manifest lists them). */
export const WARNING_METADATA = 'cdk-dns-failover:warning';

export class SelfHostedTarget implements FailoverTarget {
  private readonly rendered = new RenderedModel();

  /** @param capabilities the self-hosted capabilities with the stack's own regions */
  constructor(public readonly root: IConstruct, public readonly capabilities: TargetCapabilities = SELF_HOSTED_CAPABILITIES) {}

  /** What the gateways and health checks handed over, as they handed it over. */
  public get renderedModel(): FailoverModel {
    return this.rendered.model;
  }

  public renderHealthCheck(_scope: Construct, model: HealthCheckModel): string {
    this.rendered.healthChecks.push(model);
    // The DNS nodes and checkers refer to a check by its model id: that is its id in this target.
    return model.id;
  }

  public renderRecordSet(_scope: Construct, model: RecordSetModel): void {
    this.rendered.recordSets.push({ ...model, name: normalizeName(model.name) });
  }

  public renderCidrCollection(_scope: Construct, model: CidrCollectionModel): string {
    this.rendered.cidrCollections.push(model);
    return model.id;
  }

  public report(scope: IConstruct, findings: readonly Finding[]): void {
    for (const f of findings) {
      if (f.severity === 'warning') scope.node.addMetadata(WARNING_METADATA, `${f.message} [${f.rule}]`);
    }
  }
}
