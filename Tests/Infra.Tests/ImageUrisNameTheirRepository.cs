using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Tests;

public sealed class ImageUrisNameTheirRepository
{
    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/orleans-chat:latest", "orleans-chat", "arn:aws:ecr:us-east-1:123456789012:repository/orleans-chat")]
    [InlineData("123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/orleans-chat:v1.2", "team/orleans-chat", "arn:aws:ecr:eu-central-1:123456789012:repository/team/orleans-chat")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/chat", "chat", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/chat")]
    [InlineData("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/chat@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "chat", "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/chat")]
    public void TheRepositoryAndItsArnComeFromTheUri(string uri, string repository, string arn)
    {
        var image = ContainerImage.Parse(uri);

        Assert.Equal(repository, image.RepositoryName);
        Assert.Equal(arn, image.RepositoryArn);
        Assert.Equal(uri, image.Uri);
    }

    [Theory]
    [InlineData("orleans-chat:latest")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/Orleans-Chat:latest")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/chat:latest; rm -rf /")]
    [InlineData("12345.dkr.ecr.us-east-1.amazonaws.com/chat:latest")]
    public void AnythingElseIsRefused(string uri)
    {
        var error = Assert.Throws<DeploySettingsException>(() => ContainerImage.Parse(uri));

        Assert.Contains("CONTAINER_IMAGE_URI", error.Message, StringComparison.Ordinal);
    }
}
