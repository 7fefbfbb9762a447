/**
 * Values that are not known until deployment: aws-cdk-lib tokens (`${Token[...]}`), cdktf tokens
 * (`${TfToken[...]}`), and intrinsic references read back from an artifact (`${Ref:Foo}` from
 * CloudFormation, `${tf:var.zone_id}` from Terraform).
 * Validation checks what it can see and lets these through.
 */
const UNRESOLVED = /\$\{(Token|TfToken)\[|\$\{(Ref|GetAtt|Fn::|ref:|data\.|aws_|tf:)/;

export function isUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return UNRESOLVED.test(value);
  if (typeof value === 'number') {
    // aws-cdk-lib and cdktf both encode numeric tokens as doubles near -1.888e289.
    return value < -1e289;
  }
  if (Array.isArray(value)) return value.some(isUnresolved);
  return false;
}

/** A read-back intrinsic (CloudFormation `Ref`, `Fn::GetAtt`, ...) as a model string. */
export function unresolvedMarker(expression: string): string {
  return '${' + expression + '}';
}
