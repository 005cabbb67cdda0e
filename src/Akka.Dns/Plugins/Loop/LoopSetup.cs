using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Loop;

/// <summary><c>loop</c> takes no arguments; it probes the first zone of the block's first key.</summary>
[Plugin("loop")]
public sealed class LoopSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        context.ExpectNoArguments();
        var key = context.Block.Keys[0];
        var zone = key.Zones.Count > 0 ? key.Zones[0] : DnsName.Root;
        return new LoopPlugin(zone, key.ResolvePort(context.DnsPort), context.Options);
    }
}

/// <summary>
/// One block's loop detector: the probe name, how often it came back, and whether detection is still on.
/// Shared by the block's pipeline replicas; the query path reads it with volatile reads and one interlocked add.
/// </summary>
public sealed class LoopPlugin : Plugin
{
    /// <summary>How long the probe is retried while the listener is not up yet (CoreDNS: 30 s).</summary>
    public static TimeSpan ProbeDeadline { get; set; } = TimeSpan.FromSeconds(30);

    private readonly int _port;
    private readonly BlockOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private int _seen;
    private volatile bool _off;
    private int _fatal;

    public LoopPlugin(string zone, int port, BlockOptions options) : base("loop")
    {
        Zone = zone;
        QName = $"{RandomLabel()}.{RandomLabel()}.{(zone == DnsName.Root ? "" : zone)}";
        _port = port;
        _options = options;
        Address = $":{port}";
    }

    /// <summary>The zone probed (lower-case, fully qualified).</summary>
    public string Zone { get; }

    /// <summary><c>&lt;random&gt;.&lt;random&gt;.zone.</c>, queried with type HINFO.</summary>
    public string QName { get; }

    /// <summary>Where the probe was sent, as CoreDNS prints it (":1053", "127.0.0.1:1053").</summary>
    public string Address { get; private set; }

    public bool Disabled => _off;
    public int Seen => Volatile.Read(ref _seen);

    public override Props HandlerProps(ChainLink? next) => LoopActor.Props(this, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        _ = Task.Run(ProbeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        _off = true;
        _stop.Cancel();
        return Task.CompletedTask;
    }

    /// <summary>Counts one sighting of the probe; true (once) when it has been seen more than twice.</summary>
    internal bool Sighted() => Interlocked.Increment(ref _seen) > 2 && Interlocked.Exchange(ref _fatal, 1) == 0;

    internal bool Fatal => Volatile.Read(ref _fatal) != 0;

    /// <summary>CoreDNS's start-up goroutine: send the probe until one exchange succeeds (or 30 s pass), then turn detection off 2 s later.</summary>
    private async Task ProbeAsync()
    {
        var deadline = DateTime.UtcNow + ProbeDeadline;
        var host = _options.Bind is { Count: > 0 } bind ? bind[0] : null;
        Address = host is null ? $":{_port}" : host.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{_port}" : $"{host}:{_port}";
        var target = new IPEndPoint(host is null || host.Equals(IPAddress.Any) ? IPAddress.Loopback
            : host.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : host, _port);
        try
        {
            while (DateTime.UtcNow < deadline && !_stop.IsCancellationRequested)
            {
                if (await ExchangeAsync(target))
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
                    break;
                }
                Interlocked.Exchange(ref _seen, 0);
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        _off = true;
    }

    private async Task<bool> ExchangeAsync(IPEndPoint target)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var id = (ushort)Random.Shared.Next();
        var query = new DnsResponse { Id = id, QName = QName, QType = RrType.HINFO, QClass = RrClass.IN, Rd = true };
        var buf = new byte[DnsName.MaxWireLength + 64];
        var len = DnsWriter.Encode(query, buf, buf.Length);
        buf[2] &= 0x7F;   // a query
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));   // miekg/dns's Exchange timeout
        try
        {
            await socket.SendToAsync(buf.AsMemory(0, len), SocketFlags.None, target, timeout.Token);
            var reply = new byte[65535];
            while (true)
            {
                var got = await socket.ReceiveFromAsync(reply, SocketFlags.None, new IPEndPoint(target.Address, 0), timeout.Token);
                if (got.ReceivedBytes >= 12 && ((reply[0] << 8) | reply[1]) == id) return true;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A random non-negative 62-bit integer in decimal, as CoreDNS's secureRandIntString.</summary>
    private static string RandomLabel()
    {
        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        return (BitConverter.ToUInt64(b) >> 2).ToString(global::System.Globalization.CultureInfo.InvariantCulture);
    }
}
