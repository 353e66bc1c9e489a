using Amazon.CDK.Assertions;
using CdkAnnotations = Amazon.CDK.Assertions.Annotations;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheStacksSynthesizeCleanly(Deployments deployments)
{
    [Fact]
    public void NeitherStackHasAWarningOrAnError()
    {
        foreach (var deployment in new[] { deployments.Default, deployments.Custom })
        {
            foreach (var stack in new Amazon.CDK.Stack[] { deployment.Stacks.Networking, deployment.Stacks.Service })
            {
                var annotations = CdkAnnotations.FromStack(stack);
                annotations.HasNoError("*", Match.AnyValue());
                annotations.HasNoWarning("*", Match.AnyValue());
            }
        }
    }

    [Fact]
    public void TheServiceStackUsesTheNetworkStacksVpc()
    {
        Assert.Contains(deployments.Default.Stacks.Networking, deployments.Default.Stacks.Service.Dependencies);
    }
}
