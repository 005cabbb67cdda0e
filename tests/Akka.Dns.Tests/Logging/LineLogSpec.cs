using System.Collections.Concurrent;
using Xunit;

namespace Akka.Dns.Tests.Logging;

[Collection(LineLogCollection.Name)]
public sealed class LineLogSpec
{
    [Theory]
    [InlineData("info", "[INFO] ")]
    [InlineData("warning", "[WARNING] ")]
    [InlineData("error", "[ERROR] ")]
    [InlineData("debug", "[DEBUG] ")]
    public void LineLog_should_prefix_each_line_with_its_level(string level, string prefix)
    {
        var id = Guid.NewGuid().ToString("N");
        var seen = new ConcurrentQueue<string>();
        using (LineLog.Subscribe(seen.Enqueue))
        {
            var message = $"plugin/test: {id}";
            switch (level)
            {
                case "info": LineLog.Info(message); break;
                case "warning": LineLog.Warning(message); break;
                case "error": LineLog.Error(message); break;
                default: LineLog.Debug(message); break;
            }
            Assert.True(LineLog.Flush());
        }
        Assert.Equal([prefix + "plugin/test: " + id], seen.Where(l => l.Contains(id)));
    }

    [Fact]
    public void LineLog_should_keep_the_order_of_lines_from_one_thread()
    {
        var id = Guid.NewGuid().ToString("N");
        var seen = new ConcurrentQueue<string>();
        using (LineLog.Subscribe(seen.Enqueue))
        {
            for (var i = 0; i < 100; i++) LineLog.Info($"{id} {i}");
            Assert.True(LineLog.Flush());
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"[INFO] {id} {i}"), seen.Where(l => l.Contains(id)));
    }

    [Fact]
    public void LineLog_should_stop_calling_a_subscriber_once_disposed()
    {
        var id = Guid.NewGuid().ToString("N");
        var seen = new ConcurrentQueue<string>();
        var sub = LineLog.Subscribe(seen.Enqueue);
        LineLog.Info(id + " before");
        Assert.True(LineLog.Flush());
        sub.Dispose();
        LineLog.Info(id + " after");
        Assert.True(LineLog.Flush());
        Assert.Equal([$"[INFO] {id} before"], seen.Where(l => l.Contains(id)));
    }

    [Fact]
    public void LineLog_should_drop_and_count_lines_instead_of_blocking_when_full()
    {
        var id = Guid.NewGuid().ToString("N");
        using var gate = new ManualResetEventSlim();
        var before = LineLog.Dropped;
        // A subscriber that blocks the writer thread until released: the channel fills and writers must not wait.
        LineLog.Output = TextWriter.Null;
        try
        {
            using var sub = LineLog.Subscribe(l => { if (l.Contains(id + " block")) gate.Wait(); });
            LineLog.Info(id + " block");
            var accepted = 0;
            for (var i = 0; i < LineLog.Capacity + 1000; i++)
                if (LineLog.WriteLine($"[INFO] {id} {i}")) accepted++;
            Assert.True(accepted < LineLog.Capacity + 1000);
            Assert.True(LineLog.Dropped - before >= 1000 - 1);
            gate.Set();
            Assert.True(LineLog.Flush(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            gate.Set();
            LineLog.Flush(TimeSpan.FromSeconds(30));
            LineLog.Output = null;
        }
    }
}

/// <summary>Specs that read LineLog's process-wide output run one at a time: one of them fills the channel on purpose.</summary>
[CollectionDefinition(Name)]
public sealed class LineLogCollection
{
    public const string Name = "LineLog";
}
