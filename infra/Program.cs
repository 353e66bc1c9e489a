using Amazon.CDK;
using OrleansChat.Infra;
using OrleansChat.Infra.Settings;

// The CDK app (cdk.json runs it): `npm run synth`, `npm run deploy`. See DEPLOY.md.
var app = new App();
try
{
    ChatInfrastructure.Define(app, System.Environment.GetEnvironmentVariable);
}
catch (DeploySettingsException exception)
{
    await Console.Error.WriteLineAsync($"OrleansChat infra: {exception.Message}");
    return 1;
}

app.Synth();
return 0;
