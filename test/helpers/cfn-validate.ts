import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Engine, RegoEngine, StandardDiagnostic, TemplateFile } from '@aws/cloudformation-validate';

let engine: Engine | undefined;

/**
 * Runs AWS's offline CloudFormation validator on a synthesized template and returns its ERROR and
 * FATAL diagnostics (warnings and infos are not failures).
 */
export function cloudFormationErrors(template: object): StandardDiagnostic[] {
  engine ??= new RegoEngine();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-validate-'));
  const file = path.join(dir, 'template.json');
  try {
    fs.writeFileSync(file, JSON.stringify(template, undefined, 1));
    const report = engine.validateStandard(new TemplateFile(file));
    if (report.status === 'ERROR') throw new Error(`validator pipeline failed on ${file}`);
    return report.diagnostics.filter((d) => d.severity === 'ERROR' || d.severity === 'FATAL');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per diagnostic, for readable assertion failures. */
export function describeDiagnostics(diagnostics: StandardDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.severity} ${d.ruleId} ${d.entity?.logicalId ?? ''} ${d.propertyPath ?? ''}: ${d.message}`);
}
