using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Dns.Wire;

namespace Akka.Dns.Server;

/// <summary>How a query arrived; <see cref="DnsRequest.Proto"/> gives CoreDNS's "udp"/"tcp".</summary>
public enum DnsTransport { Udp, Tcp, Tls, Https, Grpc }

/// <summary>Sees a reply on its way out, after the plugin that answered and before the wire (CoreDNS's ResponseWriter wrappers).</summary>
public interface IResponseWriter
{
    /// <summary>Returns the reply to pass on: the same object, a changed one, or a copy.</summary>
    DnsResponse OnResponse(DnsRequest request, DnsResponse response);
}

/// <summary>
/// Sees how a request ended, once, after every message of its answer was written (metrics): the last reply as the
/// writers left it (null when the request was dropped without a reply) and the octets written to the transport.
/// </summary>
public interface IReplyObserver
{
    void OnReplied(DnsRequest request, DnsResponse? response, int length);
}

/// <summary>Writes the encoded reply to the transport the query came from.</summary>
public interface IReplyTarget
{
    /// <summary>Largest reply this transport carries for <paramref name="request"/> (UDP: the client's buffer; streams: 65535).</summary>
    int MaxReplySize(DnsRequest request);
    void Send(DnsRequest request, ReadOnlySpan<byte> reply);

    /// <summary>Every message of the answer to <paramref name="request"/> was sent (one, or several for a transfer).</summary>
    void Completed(DnsRequest request) { }
}

/// <summary>
/// Signs an encoded reply on its way to the wire (TSIG): the server encodes the reply at most
/// <see cref="Reserve"/> octets short of the transport's limit, then lets the signer append to the bytes in place.
/// For a multi-message answer it is called once per message, in order.
/// </summary>
public interface IReplySigner
{
    /// <summary>Octets the signature may add; the encoder leaves them free (a truncated UDP reply still fits its TSIG).</summary>
    int Reserve { get; }

    /// <summary>Signs <paramref name="buffer"/>[..<paramref name="length"/>] in place; returns the new length (negative: send unsigned).</summary>
    int Sign(DnsRequest request, Span<byte> buffer, int length);
}

/// <summary>
/// One query in flight: the parsed query, who sent it and how, and its one-shot reply handle. It moves through
/// the plugin actors by <c>Tell</c>; whoever answers calls <see cref="Respond"/> (or <see cref="Fail"/>), which
/// runs the response writers in reverse chain order, scrubs the reply and writes it. Exactly one answer wins;
/// the deadline (<c>akka.dns.server.request-timeout</c>) answers SERVFAIL for requests nobody answered.
/// </summary>
public sealed class DnsRequest
{
    private const int MaxWriters = 16;
    private IResponseWriter[]? _writers;
    private int _writerCount;
    private int _answered;
    private IPEndPoint? _client;
    private DnsResponse? _last;

    internal DnsRequest(DnsQuery query, DnsTransport transport, IReplyTarget target, ServerInfo server, SocketAddress? clientAddress, IPEndPoint? client, IPEndPoint local)
    {
        Query = query;
        Transport = transport;
        Target = target;
        Server = server;
        ClientAddress = clientAddress;
        _client = client;
        Local = local;
        Received = Stopwatch.GetTimestamp();
        UdpSize = query.HasEdns ? query.UdpSize : (ushort)0;
        Flags = query.Flags;
    }

    public DnsQuery Query { get; }
    public DnsTransport Transport { get; }
    public string Proto => Transport == DnsTransport.Udp ? "udp" : "tcp";
    public ServerInfo Server { get; }
    internal IReplyTarget Target { get; }
    /// <summary>The client's address as the socket gave it (UDP replies go back to it without an EndPoint allocation).</summary>
    public SocketAddress? ClientAddress { get; }
    public IPEndPoint Client => _client ??= FromSocketAddress(ClientAddress!);

    /// <summary>The client's address bytes (4 for IPv4, IPv4-mapped IPv6 included; 16 for IPv6) without an IPAddress allocation.</summary>
    public byte[] ClientAddressBytes()
    {
        if (ClientAddress is { } sa)
        {
            var b = sa.Buffer.Span;
            if (sa.Family == AddressFamily.InterNetwork) return b.Slice(4, 4).ToArray();
            if (sa.Family == AddressFamily.InterNetworkV6)
            {
                var a = b.Slice(8, 16);
                return IsV4Mapped(a) ? a[12..].ToArray() : a.ToArray();
            }
        }
        return Client.Address.GetAddressBytes();
    }

    /// <summary>The client's port.</summary>
    public int ClientPort => ClientAddress is { } sa && sa.Family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
        ? (sa.Buffer.Span[2] << 8) | sa.Buffer.Span[3]
        : Client.Port;

    private static bool IsV4Mapped(ReadOnlySpan<byte> a) =>
        a[..10].IndexOfAnyExcept((byte)0) < 0 && a[10] == 0xFF && a[11] == 0xFF;

    private static IPEndPoint FromSocketAddress(SocketAddress sa)
    {
        var ep = (IPEndPoint)new IPEndPoint(sa.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0).Create(sa);
        return ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
    }
    public IPEndPoint Local { get; }
    /// <summary><see cref="Stopwatch.GetTimestamp"/> at arrival.</summary>
    public long Received { get; }
    /// <summary>The server block's zone that matched (set by the router).</summary>
    public string Zone { get; internal set; } = DnsName.Root;
    /// <summary>The EDNS UDP size the reply is sized for; the bufsize plugin lowers it. 0 without EDNS.</summary>
    public ushort UdpSize { get; set; }
    /// <summary>
    /// The query's header flags as the rest of the chain sees them: the query's, unless a plugin (header) set or
    /// cleared bits. <see cref="CreateReply"/> copies RD and CD from here; <see cref="Query"/> stays as received.
    /// </summary>
    public ushort Flags { get; set; }
    /// <summary>The dispatcher that routed this request (to re-enter the server for CNAME targets).</summary>
    internal Routing.RequestDispatcher? Dispatcher { get; set; }
    /// <summary>How many server re-entries led to this request (0 for a client's query); CoreDNS's loop key.</summary>
    public int Depth { get; init; }

    /// <summary>Signs the reply bytes (the tsig plugin sets it for a signed request); null sends them as encoded.</summary>
    public IReplySigner? Signer { get; set; }
    /// <summary>The name of the TSIG key that verified this request; null when unsigned or not verified.</summary>
    public string? TsigKey { get; set; }
    /// <summary>The TSIG error of a signed request that failed verification (BADSIG, BADKEY, BADTIME), 0 otherwise.</summary>
    public int TsigError { get; set; }

    /// <summary>Told how the request ended (the prometheus plugin sets it; the dispatcher for requests it refuses). One per request.</summary>
    public IReplyObserver? Observer { get; set; }
    /// <summary>The plugin actor that last received this request (who answered, when the reply does not say).</summary>
    public string? LastPlugin { get; internal set; }
    /// <summary>Octets written to the transport for this request so far.</summary>
    public int Written { get; internal set; }

    /// <summary>Position in the in-flight table (for the deadline), -1 when not tracked.</summary>
    internal long InFlightSlot { get; set; } = -1;
    internal InFlightTable? InFlight { get; set; }
    private Dictionary<string, string>? _metadata;

    public bool Answered => Volatile.Read(ref _answered) != 0;
    public string Name => Query.Name;
    public ushort Type => Query.Type;
    public ushort Class => Query.Class;
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Received);

    /// <summary>Request metadata (CoreDNS's metadata plugin): label → value.</summary>
    public IDictionary<string, string> Metadata => _metadata ??= new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds a writer that sees the reply before the writers pushed earlier (reverse chain order).</summary>
    public void PushWriter(IResponseWriter writer)
    {
        _writers ??= new IResponseWriter[4];
        if (_writerCount == _writers.Length)
        {
            if (_writerCount == MaxWriters) throw new InvalidOperationException("too many response writers");
            Array.Resize(ref _writers, _writers.Length * 2);
        }
        _writers[_writerCount++] = writer;
    }

    /// <summary>A reply skeleton for this query (id, opcode, RD/CD, question).</summary>
    public DnsResponse CreateReply(int rcode = Rcode.NoError)
    {
        var r = DnsResponse.ReplyTo(Query, rcode);
        if (Query.Opcode == Opcode.Query)
        {
            r.Rd = (Flags & 0x0100) != 0;
            r.Cd = (Flags & 0x0010) != 0;
        }
        return r;
    }

    /// <summary>Answers with <paramref name="response"/>. False when the request was already answered.</summary>
    public bool Respond(DnsResponse response)
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0) return false;
        Write(response);
        Finish();
        return true;
    }

    /// <summary>
    /// Answers with several messages in order (a zone transfer over a stream transport): each passes the
    /// response writers and is written whole. False when the request was already answered.
    /// </summary>
    public bool RespondMany(IReadOnlyList<DnsResponse> responses)
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0) return false;
        foreach (var response in responses) Write(response);
        Finish();
        return true;
    }

    /// <summary>Runs the response writers (reverse chain order; one that throws turns the reply into SERVFAIL) and writes the reply.</summary>
    private void Write(DnsResponse response)
    {
        var writers = _writers;
        for (var i = _writerCount - 1; i >= 0; i--)
        {
            try
            {
                response = writers![i].OnResponse(this, response);
            }
            catch (Exception e)
            {
                response = CreateReply(Rcode.ServFail);
                response.Error = $"response writer {writers![i].GetType().Name}: {e.Message}";
            }
        }
        _last = response;
        ReplyWriter.Write(this, response);
    }

    private void Finish()
    {
        InFlight?.Remove(this);
        Target.Completed(this);
        Observer?.OnReplied(this, _last, Written);
    }

    /// <summary>
    /// A copy of this request whose reply goes to <paramref name="target"/> instead of the client (CoreDNS's
    /// nonwriter): dns64 and autopath pass the copy down the chain, look at its reply and answer the original.
    /// The copy has no response writers of its own yet, is not in the in-flight table (the original's deadline
    /// still holds) and carries the original's zone, flags, buffer size, depth, TSIG outcome and metadata.
    /// </summary>
    public DnsRequest Fork(IReplyTarget target) => Fork(target, Query);

    /// <summary>
    /// As <see cref="Fork(IReplyTarget)"/>, for another question name (autopath's search path walk): the copy's
    /// query is this one's header (id, RD, CD) and EDNS (buffer size, DO) with <paramref name="name"/> as QNAME.
    /// Null when the name does not make a valid query.
    /// </summary>
    public DnsRequest? Fork(IReplyTarget target, string name)
    {
        var r = new DnsResponse
        {
            Id = Query.Id, QName = name, QType = Query.Type, QClass = Query.Class,
            Rd = (Flags & 0x0100) != 0, Cd = (Flags & 0x0010) != 0,
        };
        if (Query.HasEdns) r.Edns = new EdnsRecord { UdpSize = Query.UdpSize, Do = Query.Do };
        var buf = new byte[DnsName.MaxWireLength + 64];
        int len;
        try
        {
            len = DnsWriter.Encode(r, buf, buf.Length);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            return null;   // a name longer than 255 octets or with a label over 63
        }
        if (len < 0) return null;
        buf[2] &= 0x7F;   // a query, not a response
        var q = Listeners.PacketHandler.Accept(buf[..len], len, out _);
        return q is null ? null : Fork(target, q);
    }

    private DnsRequest Fork(IReplyTarget target, DnsQuery query)
    {
        var copy = new DnsRequest(query, Transport, target, Server, ClientAddress, _client, Local)
        {
            Depth = Depth,
            Zone = Zone,
            UdpSize = UdpSize,
            Flags = Flags,
            Dispatcher = Dispatcher,
            TsigKey = TsigKey,
            TsigError = TsigError,
        };
        if (_metadata is not null)
            foreach (var (k, v) in _metadata) copy.Metadata[k] = v;
        return copy;
    }

    /// <summary>
    /// Answers nothing (acl's drop, erratic's drop): the request counts as answered, leaves the in-flight table (no
    /// SERVFAIL at the deadline) and no reply is written. False when the request was already answered.
    /// </summary>
    public bool Drop()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0) return false;
        Finish();
        return true;
    }

    /// <summary>Answers an empty reply with <paramref name="rcode"/> (what CoreDNS's server writes when a chain returns SERVFAIL, REFUSED, ...).</summary>
    public bool Fail(int rcode, string? error = null, string? plugin = null)
    {
        if (Answered) return false;
        var r = CreateReply(rcode);
        r.Error = error;
        r.Plugin = plugin;
        return Respond(r);
    }
}

/// <summary>What a request knows of the listener it came through (CoreDNS's "server" metrics label).</summary>
public sealed record ServerInfo(string Address, int Port, DnsTransport Transport)
{
    /// <summary>"dns://:1053", "dns://127.0.0.1:1053" — the label CoreDNS uses.</summary>
    public string Label { get; } = (Transport switch
    {
        DnsTransport.Tls => "tls://",
        DnsTransport.Https => "https://",
        DnsTransport.Grpc => "grpc://",
        _ => "dns://",
    }) + (Address is "0.0.0.0" or "::" ? "" : Address) + ":" + Port;
}
