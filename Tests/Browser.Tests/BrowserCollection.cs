namespace OrleansChat.Browser.Tests;

/// <summary>One browser and one backend for every browser test (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
