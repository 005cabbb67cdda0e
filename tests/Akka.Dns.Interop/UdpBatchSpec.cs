using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// Bursts of UDP queries from many client sockets at once, with recvmmsg/sendmmsg batching on (the default,
/// akka.dns.udp.batch = 32) and off (1): every query gets exactly one reply, carrying its own ID, sent to the
/// socket that asked (whoami echoes the client's port, so a reply addressed from the wrong slot of a batch shows).
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class UdpBatchSpec(ITestOutputHelper output)
{
    private const int Sockets = 40;
    private const int PerSocket = 50;

    [Theory]
    [InlineData(32)]
    [InlineData(1)]
    public async Task Every_query_of_a_burst_should_get_its_own_reply_at_its_own_socket(int batch)
    {
        var hocon = Path.Combine(Directory.CreateTempSubdirectory("akka-dns-batch-").FullName, "batch.conf");
        await File.WriteAllTextAsync(hocon, $"akka.dns.udp.batch = {batch}\n");
        await using var daemon = await Daemon.StartAsync(". {\n    whoami\n}\n", extraArgs: ["-hocon", hocon]);
        var server = RawDns.Loopback(daemon.Port);
        var clients = Enumerable.Range(0, Sockets).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            s.ReceiveBufferSize = 1 << 20;
            return s;
        }).ToArray();
        try
        {
            // All sockets send their whole share before any reads: the server sees full batches.
            for (var k = 0; k < Sockets; k++)
                for (var i = 0; i < PerSocket; i++)
                {
                    var id = (ushort)(k * PerSocket + i);
                    clients[k].SendTo(new RawQuery($"q{id}.batch.test.") { Id = id }.Build(), server);
                }

            var buffer = new byte[2048];
            var wrong = new List<string>();
            var answered = 0;
            for (var k = 0; k < Sockets; k++)
            {
                var port = ((IPEndPoint)clients[k].LocalEndPoint!).Port;
                var seen = new HashSet<ushort>();
                clients[k].ReceiveTimeout = 5000;
                while (seen.Count < PerSocket)
                {
                    int n;
                    try
                    {
                        n = clients[k].Receive(buffer);
                    }
                    catch (SocketException)
                    {
                        break;   // timed out: the count check below says what is missing
                    }
                    var reply = DnsMessage.Parse(buffer.AsSpan(0, n).ToArray());
                    var id = reply.TransactionID;
                    if (id / PerSocket != k) wrong.Add($"socket {k} got id {id}");
                    if (!seen.Add(id)) wrong.Add($"socket {k} got id {id} twice");
                    var srv = reply.AdditionalRecords.OfType<SrvRecord>().Single();
                    if (srv.Port != port) wrong.Add($"id {id}: whoami saw port {srv.Port}, socket is {port}");
                    if (reply.Questions[0].Name.ToString() != $"q{id}.batch.test.") wrong.Add($"id {id}: question {reply.Questions[0].Name}");
                }
                answered += seen.Count;
            }
            output.WriteLine($"batch={batch}: {answered} of {Sockets * PerSocket} answered");
            Assert.Empty(wrong);
            Assert.Equal(Sockets * PerSocket, answered);
        }
        finally
        {
            foreach (var s in clients) s.Dispose();
        }
    }
}
