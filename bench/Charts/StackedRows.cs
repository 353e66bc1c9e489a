using ScottPlot;

namespace OrleansChat.Bench.Charts;

/// <summary>A multiplot layout of plots stacked top to bottom, each taking its share of the height.</summary>
internal sealed class StackedRows(params float[] shares) : IMultiplotLayout
{
    public PixelRect[] GetSubplotRectangles(SubplotCollection subplots, PixelRect figureRect)
    {
        var count = subplots.Count;
        var weights = Enumerable.Range(0, count).Select(i => i < shares.Length ? shares[i] : 1f).ToArray();
        var total = weights.Sum();
        var rects = new PixelRect[count];
        var top = figureRect.Top;
        for (var i = 0; i < count; i++)
        {
            var bottom = i == count - 1 ? figureRect.Bottom : top + (figureRect.Height * weights[i] / total);
            rects[i] = new PixelRect(figureRect.Left, figureRect.Right, bottom, top);
            top = bottom;
        }

        return rects;
    }
}
