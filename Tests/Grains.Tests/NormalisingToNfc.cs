using System.Globalization;
using System.Text;
using OrleansChat.Unicode;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// The managed NFC behind display names (the solution runs with InvariantGlobalization, where string.Normalize
/// changes nothing) against Python's unicodedata: every character with a canonical decomposition, its decomposed
/// form, and random runs of bases, marks and Hangul jamo.
/// </summary>
public sealed class NormalisingToNfc
{
    [Fact]
    public void EveryCaseMatchesTheReference()
    {
        var failures = new List<string>();
        var lines = NfcCases.Lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            var parts = line.Split(';');
            var input = FromHex(parts[0]);
            var expected = FromHex(parts[1]);
            var actual = Nfc.Normalize(input);
            if (actual != expected)
            {
                failures.Add($"{parts[0]} -> {Hex(actual)}, expected {parts[1]}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} cases differ, e.g.:\n" + string.Join('\n', failures.Take(20)));
        Assert.True(lines.Length > 5_000, $"only {lines.Length} cases: the generated file is incomplete");
    }

    [Theory]
    [InlineData("Jose\u0301", "Jos\u00E9")]
    [InlineData("\u212B", "\u00C5")]              // ANGSTROM SIGN is a singleton: never composed back
    [InlineData("a\u0323\u0302", "\u1EAD")]      // marks in either order compose alike
    [InlineData("a\u0302\u0323", "\u1EAD")]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")] // Hangul jamo compose algorithmically
    [InlineData("\u0958", "\u0915\u093C")]      // a composition exclusion stays decomposed
    [InlineData("plain ascii", "plain ascii")]
    public void KnownCases(string input, string expected) => Assert.Equal(expected, Nfc.Normalize(input));

    private static string FromHex(string hex)
    {
        var builder = new StringBuilder();
        foreach (var part in hex.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }

        return builder.ToString();
    }

    private static string Hex(string text) => string.Join(' ', text.EnumerateRunes().Select(r => r.Value.ToString("X", CultureInfo.InvariantCulture)));
}
