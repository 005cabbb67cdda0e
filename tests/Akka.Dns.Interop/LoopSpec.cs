using System.Text.RegularExpressions;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The loop plugin's fatal path in the real daemon: a forward to itself, and the spec playing the loop (it reads
/// the start-up probe from the query log and sends it back twice); the third sighting must stop the daemon with
/// status 1 and CoreDNS's message.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed partial class LoopSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [GeneratedRegex("\"HINFO IN (\\d+\\.\\d+\\.) udp ")]
    private static partial Regex ProbeLine();

    [Fact]
    public async Task A_probe_seen_three_times_should_stop_the_daemon_with_status_1_naming_the_loop()
    {
        await using var d = await Daemon.StartAsync(".:{PORT} {\n    loop\n    log\n    whoami\n}\n", waitReady: false);
        try
        {
            Assert.True(await d.Stdout.WaitForAsync(l => ProbeLine().IsMatch(l), Bound), "no probe in the query log");
            var probe = ProbeLine().Match(d.Stdout.Lines.First(l => ProbeLine().IsMatch(l))).Groups[1].Value;
            for (var i = 0; i < 2; i++)
                await RawDns.UdpAsync(RawDns.Loopback(d.Port), new RawQuery(probe, 13) { Id = (ushort)(100 + i) }.Build(), TimeSpan.FromSeconds(1));

            Assert.True(await d.WaitForExitAsync(Bound), "the daemon did not stop after the third sighting");
            Assert.Equal(1, d.ExitCode);
            var fatal = d.Stderr.Lines.Single(l => l.StartsWith("[FATAL] plugin/loop: ", StringComparison.Ordinal));
            Assert.Matches(new Regex("^\\[FATAL\\] plugin/loop: Loop \\(127\\.0\\.0\\.1:\\d+ -> :" + d.Port + "\\) detected for zone \"\\.\", " +
                "see https://coredns\\.io/plugins/loop#troubleshooting\\. Query: \"HINFO " + Regex.Escape(probe) + "\"$"), fatal);
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task A_forward_to_itself_should_stop_the_daemon_with_status_1_naming_the_loop()
    {
        await using var d = await Daemon.StartAsync(".:{PORT} {\n    loop\n    forward . 127.0.0.1:{PORT}\n}\n", waitReady: false);
        try
        {
            Assert.True(await d.WaitForExitAsync(Bound), "the daemon did not stop on the forwarding loop");
            Assert.Equal(1, d.ExitCode);
            var fatal = d.Stderr.Lines.Single(l => l.StartsWith("[FATAL] plugin/loop: ", StringComparison.Ordinal));
            Assert.Matches(new Regex("^\\[FATAL\\] plugin/loop: Loop \\(127\\.0\\.0\\.1:\\d+ -> :" + d.Port + "\\) detected for zone \"\\.\", " +
                "see https://coredns\\.io/plugins/loop#troubleshooting\\. Query: \"HINFO \\d+\\.\\d+\\.\"$"), fatal);
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task Without_a_loop_the_daemon_should_keep_serving_after_the_probe()
    {
        await using var d = await Daemon.StartAsync(".:{PORT} {\n    loop\n    log\n    whoami\n}\n");
        try
        {
            Assert.True(await d.Stdout.WaitForAsync(l => ProbeLine().IsMatch(l), Bound), "no probe in the query log");
            Assert.NotNull(await RawDns.UdpAsync(RawDns.Loopback(d.Port), new RawQuery("after.example") { Id = 7 }.Build(), TimeSpan.FromSeconds(2)));
            Assert.False(d.HasExited);
        }
        finally
        {
            d.Dump(output);
        }
    }
}
