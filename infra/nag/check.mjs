// AWS Solutions checks (cdk-nag) over the templates of the last `npm run synth` (infra/cdk.out):
//   npm run nag:install   once (cdk-nag and the JavaScript aws-cdk-lib it runs on, the same CDK version as the C# app)
//   npm run nag           exit 1 on any finding not acknowledged in the C# code (infra/Checks/NagFindings.cs)
//
// cdk-nag is a JavaScript library (not on NuGet), so it reads the synthesized templates back in with CfnInclude. The
// C# app writes each acknowledged finding, with its reason, into the resource's metadata (cdk_nag.rules_to_suppress),
// which is where cdk-nag looks for suppressions.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Aspects, LegacyStackSynthesizer, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';

const here = path.dirname(fileURLToPath(import.meta.url));
const templates = path.resolve(process.argv[2] ?? path.join(here, '..', 'cdk.out'));
const files = readdirSync(templates).filter((file) => file.endsWith('.template.json'));
if (files.length === 0) {
  console.error(`No templates in ${templates}: run npm run synth first.`);
  process.exit(1);
}

const outdir = mkdtempSync(path.join(os.tmpdir(), 'orleans-chat-nag-'));
try {
  const app = new App({ outdir });
  for (const file of files) {
    // The legacy synthesizer adds no bootstrap parameter of its own (the template already has one).
    const stack = new Stack(app, file.replace(/\.template\.json$/, ''), { synthesizer: new LegacyStackSynthesizer() });
    new CfnInclude(stack, 'Template', { templateFile: path.join(templates, file) });
  }
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const assembly = app.synth();

  let errors = 0;
  let warnings = 0;
  for (const stack of assembly.stacks) {
    for (const [resource, entries] of Object.entries(stack.manifest.metadata ?? {})) {
      for (const entry of entries) {
        if (entry.type !== 'aws:cdk:error' && entry.type !== 'aws:cdk:warning') {
          continue;
        }
        const error = entry.type === 'aws:cdk:error';
        errors += error ? 1 : 0;
        warnings += error ? 0 : 1;
        console.log(`${error ? 'error  ' : 'warning'} ${stack.stackName} ${resource.replace(/^\/[^/]+\/Template\//, '')}`);
        console.log(`        ${String(entry.data).split('\n')[0]}`);
      }
    }
  }
  console.log(`cdk-nag AwsSolutions: ${files.length} templates, ${errors} unacknowledged errors, ${warnings} warnings`);
  process.exitCode = errors > 0 ? 1 : 0;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
