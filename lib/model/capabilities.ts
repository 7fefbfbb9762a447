/** What a target can express. Route 53 targets refuse what Route 53 refuses. */
export interface TargetCapabilities {
  /** For messages: "CloudFormation", "Terraform", "the self-hosted target". */
  readonly name: string;
  /** Route 53's limits apply (intervals 10 or 30 s, public addresses, its regions). */
  readonly route53Limits: boolean;
  /** The artifact can express `Disabled` on a health check. */
  readonly disabledHealthChecks: boolean;
  /** CloudWatch alarm health checks are available. */
  readonly cloudWatchAlarmChecks: boolean;
  /** Route 53 ARC routing control health checks are available. */
  readonly recoveryControlChecks: boolean;
  /**
   * Aliases to AWS resources (load balancers, CloudFront, S3 websites, ...) can be served: Route 53 only.
   * @default true
   */
  readonly aliasToAwsResources?: boolean;
  /**
   * Regions of one's own that latency records may name besides Route 53's (a self-hosted stack's
   * regions, with coordinates).
   * @default - none
   */
  readonly ownRegions?: readonly string[];
}
