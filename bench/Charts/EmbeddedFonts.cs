using ScottPlot;
using SkiaSharp;

namespace OrleansChat.Bench.Charts;

/// <summary>
/// Makes ScottPlot draw every text with the DejaVu Sans embedded in this assembly, whatever the machine has installed:
/// SkiaSharp's NoDependencies native library only looks in /usr/share/fonts, which a fresh Debian leaves empty, and
/// then draws no text at all. Same font everywhere, so the charts look the same on every machine.
/// </summary>
internal static class EmbeddedFonts
{
    public const string FamilyName = "DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (installed)
            {
                return;
            }

            var resolver = new Resolver(Load("DejaVuSans.ttf"), Load("DejaVuSans-Bold.ttf"));
            Fonts.FontResolvers.Insert(0, resolver);
            Fonts.Default = FamilyName;
            Fonts.Sans = FamilyName;
            installed = true;
        }
    }

    private static SKTypeface Load(string file)
    {
        var name = $"OrleansChat.Bench.Charts.{file}";
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the font resource {name} is missing from {typeof(EmbeddedFonts).Assembly.GetName().Name}");
        return SKTypeface.FromStream(stream)
            ?? throw new InvalidOperationException($"SkiaSharp could not load the embedded font {file}");
    }

    /// <summary>Answers every font name with the embedded regular or bold face (italic is drawn upright).</summary>
    private sealed class Resolver(SKTypeface regular, SKTypeface bold) : IFontResolver
    {
        public SKTypeface CreateTypeface(string fontName, bool bold1, bool italic) => bold1 ? bold : regular;

        public SKTypeface CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            weight >= FontWeight.SemiBold ? bold : regular;
    }
}
