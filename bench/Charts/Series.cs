namespace OrleansChat.Bench.Charts;

/// <summary>Splits a series with missing values into the runs of points that can be joined by a line.</summary>
internal static class Series
{
    /// <summary>
    /// The points of <paramref name="items"/> (in order of x) in runs without a missing value and without a step in x
    /// wider than <paramref name="maxGap"/>.
    /// </summary>
    public static List<(double[] Xs, double[] Ys)> Segments<T>(IEnumerable<T> items, Func<T, double> x, Func<T, double?> y, double maxGap = double.PositiveInfinity)
    {
        var segments = new List<(double[] Xs, double[] Ys)>();
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var item in items)
        {
            if (xs.Count > 0 && x(item) - xs[^1] > maxGap)
            {
                Flush();
            }

            if (y(item) is { } value)
            {
                xs.Add(x(item));
                ys.Add(value);
                continue;
            }

            Flush();
        }

        Flush();
        return segments;

        void Flush()
        {
            if (xs.Count > 0)
            {
                segments.Add((xs.ToArray(), ys.ToArray()));
                xs.Clear();
                ys.Clear();
            }
        }
    }

    /// <summary>A step in time of one and a half times the usual interval between samples (their median) is a gap.</summary>
    public static double GapThreshold(IEnumerable<double> times)
    {
        var sorted = times.Order().ToArray();
        var steps = sorted.Zip(sorted.Skip(1), (a, b) => b - a).Where(step => step > 0).Order().ToArray();
        return steps.Length == 0 ? double.PositiveInfinity : steps[steps.Length / 2] * 1.5;
    }

    /// <summary>The upper y limit for values up to <paramref name="max"/>: a little headroom, never an empty range.</summary>
    public static double UpperLimit(double max) => max > 0 ? max * 1.08 : 1;
}
