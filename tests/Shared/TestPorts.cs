using System.Net;
using System.Net.Sockets;

namespace Akka.Dns.TestSupport;

/// <summary>
/// Loopback ports for specs that must write a port into a Corefile before the server binds it. They come from
/// 20000-31999, below the kernel's ephemeral range (32768-60999 on Linux), so no client socket or port-0 bind of
/// a parallel spec can take one between the asking and the binding; a process-wide cursor never hands one out
/// twice, each process starts at its own offset, and a port is handed out only when TCP and UDP both bind now.
/// </summary>
public static class TestPorts
{
    private const int First = 20000;
    private const int Count = 12000;
    private static int _cursor = Environment.ProcessId * 37 % Count;

    public static int Free()
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _cursor) % Count);
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException($"no loopback port free for both UDP and TCP in {First}-{First + Count - 1}");
    }
}
