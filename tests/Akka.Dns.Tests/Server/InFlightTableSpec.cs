using System.Diagnostics;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Xunit;

namespace Akka.Dns.Tests.Server;

public sealed class InFlightTableSpec
{
    private static (DnsRequest Request, RecordingTarget Target) NewRequest(string name = "x.example.")
    {
        var t = new RecordingTarget(1232);
        return (PipelineHarness.CreateRequest(new QueryBuilder(name).Build(), DnsTransport.Udp, t)!, t);
    }

    [Fact]
    public async Task Sweep_should_answer_servfail_only_to_requests_past_their_deadline()
    {
        var table = new InFlightTable(16, TimeSpan.FromSeconds(1));
        var (old, oldTarget) = NewRequest();
        table.Add(old);
        Assert.Equal(0, table.Sweep(old.Received));                       // not yet due
        Thread.Sleep(1200);
        var (fresh, freshTarget) = NewRequest();
        table.Add(fresh);
        Assert.Equal(1, table.Sweep(fresh.Received));                     // old is 1.2 s old, fresh 0 s
        Assert.Equal(ReturnCode.ServerFailure, (await oldTarget.NextAsync(TimeSpan.FromSeconds(1))).Rcode);
        Assert.True(old.Answered);
        Assert.Equal(0, freshTarget.Count);
        Assert.Equal(1, table.TimedOut);
    }

    [Fact]
    public void Answered_requests_should_leave_the_table_and_never_be_answered_twice()
    {
        var table = new InFlightTable(16, TimeSpan.FromMilliseconds(1));
        var (r, target) = NewRequest();
        table.Add(r);
        Assert.True(r.Fail(2));
        Assert.False(r.Fail(2));
        Assert.Equal(0, table.Sweep(r.Received + Stopwatch.Frequency));
        Assert.Equal(1, target.Count);
    }

    [Fact]
    public async Task A_full_table_should_fail_its_oldest_unanswered_request_to_make_room()
    {
        var table = new InFlightTable(4, TimeSpan.FromMinutes(1));
        var requests = Enumerable.Range(0, 5).Select(i => NewRequest($"n{i}.example.")).ToList();
        foreach (var (r, _) in requests) table.Add(r);
        Assert.Equal(ReturnCode.ServerFailure, (await requests[0].Target.NextAsync(TimeSpan.FromSeconds(1))).Rcode);
        Assert.All(requests.Skip(1), x => Assert.False(x.Request.Answered));
        Assert.Equal(1, table.Evicted);
    }
}
