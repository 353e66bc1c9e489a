using ScottPlot;

namespace OrleansChat.Bench.Charts;

/// <summary>Each fault as a dashed vertical line at its moment, shaded until it recovered, optionally labelled with its name.</summary>
internal static class FaultMarks
{
    public static void Add(Plot plot, List<TimelineFault> faults, double tMin, double tMax, double top, bool labelled)
    {
        for (var i = 0; i < faults.Count; i++)
        {
            var fault = faults[i];
            if (fault.RecoveredAt is { } recovered && recovered > fault.At)
            {
                var span = plot.Add.HorizontalSpan(fault.At, recovered, ChartStyle.FaultColor.WithAlpha(0.12));
                span.LineWidth = 0;
            }

            var line = plot.Add.VerticalLine(fault.At, 1.5f, ChartStyle.FaultColor, LinePattern.Dashed);
            line.ExcludeFromLegend = true;
            line.EnableAutoscale = false;
            if (!labelled)
            {
                continue;
            }

            var recoveredText = fault.RecoveredAt is { } r ? $" (recovered +{r - fault.At:0.0} s)" : " (not recovered)";
            var label = plot.Add.Text($"{fault.Name ?? "fault"}{recoveredText}", fault.At, top);

            // Text runs right of its line, or left of it near the right edge, where it would be cut off.
            var nearRightEdge = fault.At > tMin + ((tMax - tMin) * 0.8);
            label.Alignment = nearRightEdge ? Alignment.UpperRight : Alignment.UpperLeft;
            label.OffsetX = nearRightEdge ? -4 : 4;
            label.LabelFontSize = ChartStyle.LegendSize;
            label.LabelFontColor = ChartStyle.FaultColor;
            label.LabelBackgroundColor = Colors.White.WithAlpha(0.75);

            // Faults close together would print over each other: stagger the labels downwards.
            label.OffsetY = 4 + (i % 4 * 20);
        }
    }
}
