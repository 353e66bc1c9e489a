// Runs the pinned AWS CDK CLI (package.json) for the npm scripts, with the environment the C# app needs:
//   npm run synth | diff | bootstrap | deploy | destroy [-- more cdk arguments, e.g. -c certificateArn=arn:...]
//
// - jsii (the bridge between C# and the CDK's JavaScript) unpacks the CDK library, ~66 MB, into the temp folder on
//   every run and leaves it there: each run gets a temp folder of its own under bin/, deleted when the CLI is done.
// - Node 20 is enough for this CDK version: jsii's end-of-life warning about it is silenced.
// - synth needs no AWS account: without credentials the CLI would wait for the EC2 instance metadata service, so
//   synth turns that look-up off (deploy and the others keep it: they may run on an EC2 instance or in CodeBuild).
// - bootstrap and destroy synthesize the app too but never use the image: they run without CONTAINER_IMAGE_URI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const command = args.find((arg) => !arg.startsWith('-'));

const cli = path.join(here, 'node_modules', 'aws-cdk', 'bin', 'cdk');
if (!existsSync(cli)) {
  console.error('The AWS CDK CLI is not installed here: run `npm ci` in infra/ first.');
  process.exit(1);
}

const env = { ...process.env };
env.JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ??= '20';
env.DOTNET_CLI_TELEMETRY_OPTOUT ??= '1';
env.DOTNET_NOLOGO ??= '1';
if (command === 'synth') {
  env.AWS_EC2_METADATA_DISABLED ??= 'true';
}
const imageGiven = env.CONTAINER_IMAGE_URI || args.some((arg) => arg.includes('containerImageUri='));
if ((command === 'bootstrap' || command === 'destroy') && !imageGiven) {
  env.CONTAINER_IMAGE_URI = '000000000000.dkr.ecr.us-east-1.amazonaws.com/unused-by-' + command + ':none';
}

const tempRoot = path.join(here, 'bin', 'cdk-tmp');
mkdirSync(tempRoot, { recursive: true });
const temp = mkdtempSync(path.join(tempRoot, 'run-'));
env.TMPDIR = temp;
env.TMP = temp;
env.TEMP = temp;

let status = 1;
try {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: here, env, stdio: 'inherit' });
  if (result.error) {
    console.error(result.error.message);
  }
  status = result.status ?? 1;
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exit(status);
