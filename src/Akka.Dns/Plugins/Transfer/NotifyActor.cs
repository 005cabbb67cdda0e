using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Transfer;

/// <summary>
/// Sends DNS NOTIFY (RFC 1996) for the block's transferred zones: once for each zone already loaded when the
/// server has opened its listeners (CoreDNS notifies on startup), then whenever a <see cref="ZoneLoaded"/> brings a serial it has not
/// notified yet. Each IP-address <c>to</c> of the zone's rule gets <c>zone. IN SOA</c> with opcode NOTIFY and AA
/// over UDP, tried up to three times (two seconds each) until it answers NOERROR, as CoreDNS's sendNotify does.
/// </summary>
public sealed class NotifyActor : ReceiveActor
{
    /// <summary>Tries per target (miekg Exchange calls in CoreDNS's sendNotify).</summary>
    public const int Attempts = 3;
    /// <summary>How long one try waits for the answer (miekg's default read timeout).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    private readonly TransferOptions _options;
    private readonly BlockOptions _block;
    private readonly Dictionary<string, uint> _notified = new(StringComparer.OrdinalIgnoreCase);

    public static Props Props(TransferOptions options, BlockOptions block) =>
        Akka.Actor.Props.Create(() => new NotifyActor(options, block));

    public NotifyActor(TransferOptions options, BlockOptions block)
    {
        _options = options;
        _block = block;
        Receive<ZoneLoaded>(z => Consider(DnsName.Normalize(z.Origin), z.Zone.Serial));
        Receive<Server.ServerStarted>(_ => NotifyLoaded());
        Receive<NotifyOutcome>(Log);
    }

    // The start-up NOTIFY waits for ServerStarted (the listeners are open): a secondary that answers it at once
    // transfers from us. The plugin subscribes this actor to it when it creates it.
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void NotifyLoaded()
    {
        foreach (var p in _block.Plugins)
        {
            if (p is not ITransferer t) continue;
            foreach (var origin in t.TransferZones)
                if (t.GetZone(origin) is { } zone) Consider(DnsName.Normalize(origin), zone.Serial);
        }
    }

    private void Consider(string origin, uint serial)
    {
        if (_notified.TryGetValue(origin, out var last) && last == serial) return;
        if (!Transferred(origin)) return;
        var rule = _options.LongestMatch(origin);
        if (rule is null) return;
        _notified[origin] = serial;
        var id = (ushort)Random.Shared.Next(0, 65536);
        foreach (var to in rule.To)
        {
            if (to.IsAny) continue;
            SendAsync(origin, serial, to, rule.Source, id).PipeTo(Self);
        }
    }

    /// <summary>Whether a transferer of this block serves <paramref name="origin"/> (ZoneLoaded is process-wide).</summary>
    private bool Transferred(string origin)
    {
        foreach (var p in _block.Plugins)
        {
            if (p is not ITransferer t) continue;
            foreach (var z in t.TransferZones)
                if (DnsName.EqualsIgnoreCase(z, origin)) return true;
        }
        return false;
    }

    private static void Log(NotifyOutcome o)
    {
        if (o.Error is null) LineLog.Info($"plugin/transfer: sent notify for zone {GoNet.Quote(o.Zone)} to {o.Target} for {o.Serial} SOA serial");
        else LineLog.Warning($"plugin/transfer: Failed sending notifies: {o.Error}");
    }

    /// <summary>One target, up to <see cref="Attempts"/> tries; never throws (the outcome carries CoreDNS's error text).</summary>
    public static async Task<NotifyOutcome> SendAsync(string zone, uint serial, TransferTarget to, IPAddress? source, ushort id)
    {
        var target = to.EndPoint;
        if (target is null)
            return new NotifyOutcome(zone, serial, to.Text, $"notify for zone {GoNet.Quote(zone)} was not accepted by {GoNet.Quote(to.Text)}: {GoNet.Quote("cannot resolve the address")}");
        var packet = Build(zone, id);
        var code = Rcode.ServFail;
        string? error = null;
        try
        {
            using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(source ?? (target.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any), 0));
            var buffer = new byte[512];
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                error = null;
                using var cts = new CancellationTokenSource(AttemptTimeout);
                try
                {
                    await socket.SendToAsync(packet, SocketFlags.None, target, cts.Token);
                    while (true)
                    {
                        var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, target, cts.Token);
                        // miekg's Exchange: a reply with another id is an error; here it is skipped (a late answer to nothing).
                        if (r.ReceivedBytes < 12 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id || (buffer[2] & 0x80) == 0) continue;
                        code = buffer[3] & 0xF;
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    error = $"read udp {socket.LocalEndPoint}->{target}: i/o timeout";
                    continue;
                }
                catch (SocketException e)
                {
                    error = $"read udp {socket.LocalEndPoint}->{target}: {e.Message}";
                    continue;
                }
                if (code == Rcode.NoError) return new NotifyOutcome(zone, serial, to.Text, null);
            }
        }
        catch (Exception e)
        {
            error = e.Message;
        }
        return new NotifyOutcome(zone, serial, to.Text, error is not null
            ? $"notify for zone {GoNet.Quote(zone)} was not accepted by {GoNet.Quote(to.Text)}: {GoNet.Quote(error)}"
            : $"notify for zone {GoNet.Quote(zone)} was not accepted by {GoNet.Quote(to.Text)}: rcode was {GoNet.Quote(Rcode.ToString(code))}");
    }

    /// <summary>miekg's SetNotify: opcode NOTIFY, AA, one question <c>zone. IN SOA</c>, nothing else.</summary>
    public static byte[] Build(string zone, ushort id)
    {
        var name = DnsRecord.NameBytes(zone);
        var p = new byte[12 + name.Length + 4];
        BinaryPrimitives.WriteUInt16BigEndian(p, id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)((Opcode.Notify << 11) | 0x0400));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 1);
        name.CopyTo(p, 12);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12 + name.Length), RrType.SOA);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14 + name.Length), RrClass.IN);
        return p;
    }

    #region Messages

    /// <summary>How one target took a NOTIFY: <see cref="Error"/> is null when it answered NOERROR.</summary>
    public sealed record NotifyOutcome(string Zone, uint Serial, string Target, string? Error);

    #endregion
}
