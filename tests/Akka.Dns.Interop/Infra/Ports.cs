using System.Net;
using System.Net.Sockets;

namespace Akka.Dns.Interop.Infra;

/// <summary>Free loopback ports, free for both UDP and TCP at the moment of asking.</summary>
public static class Ports
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Handed = [];

    public static int Free()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
                if (Handed.Contains(port)) continue;
                try
                {
                    using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    continue;
                }
                Handed.Add(port);
                return port;
            }
            throw new InvalidOperationException("no free port for UDP and TCP after 50 attempts");
        }
    }
}
