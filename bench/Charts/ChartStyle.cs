using ScottPlot;

namespace OrleansChat.Bench.Charts;

/// <summary>What every chart shares: fonts, sizes, margins that line the stacked plots' time axes up, and how a line is drawn.</summary>
internal static class ChartStyle
{
    public const float TitleSize = 20;
    public const float LabelSize = 15;
    public const float TickSize = 12;
    public const float LegendSize = 13;

    public static readonly Color FaultColor = Color.FromHex("#c0392b");
    public static readonly Color ErrorColor = Color.FromHex("#e67e22");

    /// <summary>Category10 without its red, which is the faults' colour.</summary>
    public static readonly Color[] ProcessColors = [.. new ScottPlot.Palettes.Category10().Colors.Where((_, i) => i != 3)];

    /// <summary>A fixed data-area padding, the same left and right on every stacked plot so their time axes line up.</summary>
    public static void Pad(Plot plot, float top, float bottom) => plot.Layout.Fixed(new PixelPadding(left: 90, right: 230, bottom: bottom, top: top));

    public static void Style(Plot plot, bool legend)
    {
        // Outside the data area, right of it, so that it never hides a spike or a fault's label.
        if (legend)
        {
            plot.ShowLegend(Edge.Right);
        }
        else
        {
            plot.HideLegend();
        }

        plot.Axes.Title.Label.FontSize = TitleSize;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontSize = LabelSize;
            axis.TickLabelStyle.FontSize = TickSize;
        }

        plot.Legend.FontSize = LegendSize;
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.85);
        plot.Legend.OutlineColor = Colors.Gray;
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.08);
    }

    /// <summary>
    /// Draws one line of segments (a gap where values were missing), legend text on the first segment only; a segment of
    /// a single point gets a marker, since a line of one point draws nothing.
    /// </summary>
    public static void AddLine(Plot plot, List<(double[] Xs, double[] Ys)> segments, Color color, float width, LinePattern pattern, string legend, IYAxis? yAxis = null, float markerSize = 0)
    {
        var first = true;
        foreach (var (xs, ys) in segments)
        {
            var line = plot.Add.Scatter(xs, ys, color);
            line.LineWidth = width;
            line.LinePattern = pattern;
            line.MarkerSize = xs.Length == 1 ? Math.Max(markerSize, 6) : markerSize;
            line.LegendText = first ? legend : "";
            if (yAxis is not null)
            {
                line.Axes.YAxis = yAxis;
            }

            first = false;
        }
    }

    /// <summary>
    /// The run's time range in seconds: from 0 (or the earliest point) to the last point; a run of a single moment gets a
    /// second either side, so that its point is not drawn on the frame.
    /// </summary>
    public static (double Min, double Max) TimeRange(IEnumerable<double> times)
    {
        var min = 0.0;
        var max = 0.0;
        foreach (var t in times)
        {
            min = Math.Min(min, t);
            max = Math.Max(max, t);
        }

        return max > min ? (min, max) : (min - 1, min + 1);
    }
}
