using System.Buffers;
using System.Net;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Loadbalance;

/// <summary>Pushes the shuffling writer and passes every query on (CoreDNS's LoadBalance handler).</summary>
public sealed class LoadbalanceActor : PluginActor
{
    private readonly LoadbalanceWriter _writer;

    public static Props Props(LoadbalanceWriter writer, ChainLink? next) => Akka.Actor.Props.Create(() => new LoadbalanceActor(writer, next));

    public LoadbalanceActor(LoadbalanceWriter writer, ChainLink? next) : base("loadbalance", next) => _writer = writer;

    protected override void Handle(DnsRequest request)
    {
        request.PushWriter(_writer);
        Next(request);
    }
}

/// <summary>
/// Reorders a NOERROR reply (not AXFR/IXFR) on its way out, as CoreDNS's LoadBalanceResponseWriter:
/// <list type="bullet">
/// <item>round_robin: in each section, CNAMEs first, then other types, then the shuffled A/AAAA, then the shuffled MX
/// (a section of A or AAAA only is just shuffled);</item>
/// <item>weighted (A, AAAA and SRV questions): in the answer and additional sections, one address picked with
/// probability weight/sum is moved to the top; CNAMEs, other types, addresses, MX;</item>
/// <item>prefer: after the shuffle, in the answer and additional sections, CNAMEs, then the addresses in the
/// preferred subnets (in the order of the subnets), the other addresses, MX, other types.</item>
/// </list>
/// The reply is copied before it is changed (a cache may hold it). Thread-safe: it runs on the answering plugin's thread.
/// </summary>
public sealed class LoadbalanceWriter : IResponseWriter
{
    private readonly LoadbalancePolicy _policy;
    private readonly WeightStore? _weights;
    private readonly (byte[] Prefix, int Bits)[] _prefer;

    public LoadbalanceWriter(LoadbalanceOptions options, WeightStore? weights)
    {
        _policy = options.Policy;
        _weights = weights;
        _prefer = new (byte[], int)[options.Prefer.Length];
        for (var i = 0; i < _prefer.Length; i++)
            _prefer[i] = (options.Prefer[i].BaseAddress.GetAddressBytes(), options.Prefer[i].PrefixLength);
    }

    public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
    {
        if (response.Rcode != Rcode.NoError || response.QName is null) return response;
        if (response.QType is RrType.AXFR or RrType.IXFR) return response;
        if (response.AnswerCount + response.AuthorityCount + response.AdditionalCount < 2) return response;
        var r = response.Copy();
        if (_policy == LoadbalancePolicy.RoundRobin)
        {
            RoundRobin(r.Answer);
            RoundRobin(r.Authority);
            RoundRobin(r.Additional);
        }
        else if (r.QType is RrType.A or RrType.AAAA or RrType.SRV)
        {
            Weighted(r.Answer);
            Weighted(r.Additional);
        }
        if (_prefer.Length > 0)
        {
            Prefer(r.Answer);
            Prefer(r.Additional);
        }
        return r;
    }

    private enum Kind { Cname, Address, Mx, Rest }

    private static Kind KindOf(DnsRecord rr) => rr.Type switch
    {
        RrType.CNAME => Kind.Cname,
        RrType.A or RrType.AAAA => Kind.Address,
        RrType.MX => Kind.Mx,
        _ => Kind.Rest,
    };

    private static void RoundRobin(List<DnsRecord> list)
    {
        var n = list.Count;
        if (n <= 1) return;
        var first = list[0].Type;
        if (first is RrType.A or RrType.AAAA)
        {
            var same = true;
            for (var i = 1; i < n && same; i++) same = list[i].Type == first;
            if (same)
            {
                Shuffle(list, 0, n);
                return;
            }
        }
        var scratch = ArrayPool<DnsRecord>.Shared.Rent(n);
        try
        {
            var k = Gather(list, scratch, 0, Kind.Cname);
            k = Gather(list, scratch, k, Kind.Rest);
            var addrStart = k;
            k = Gather(list, scratch, k, Kind.Address);
            var mxStart = k;
            k = Gather(list, scratch, k, Kind.Mx);
            for (var i = 0; i < n; i++) list[i] = scratch[i];
            Shuffle(list, addrStart, mxStart - addrStart);
            Shuffle(list, mxStart, n - mxStart);
        }
        finally
        {
            Array.Clear(scratch, 0, n);
            ArrayPool<DnsRecord>.Shared.Return(scratch);
        }
    }

    private static int Gather(List<DnsRecord> list, DnsRecord[] into, int at, Kind kind)
    {
        foreach (var rr in list)
            if (KindOf(rr) == kind) into[at++] = rr;
        return at;
    }

    /// <summary>CoreDNS's roundRobinShuffle: two records swap half of the time; more get a Fisher-Yates pass.</summary>
    private static void Shuffle(List<DnsRecord> list, int start, int count)
    {
        for (var j = 0; j < count - 1; j++)
        {
            var p = j + Random.Shared.Next(count - j);
            if (p != j) (list[start + j], list[start + p]) = (list[start + p], list[start + j]);
        }
    }

    private void Weighted(List<DnsRecord> list)
    {
        var n = list.Count;
        var addresses = 0;
        foreach (var rr in list)
            if (KindOf(rr) == Kind.Address) addresses++;
        if (addresses == 0) return;
        var scratch = ArrayPool<DnsRecord>.Shared.Rent(n);
        try
        {
            var k = Gather(list, scratch, 0, Kind.Cname);
            k = Gather(list, scratch, k, Kind.Rest);
            var addrStart = k;
            k = Gather(list, scratch, k, Kind.Address);
            Gather(list, scratch, k, Kind.Mx);
            var top = TopIndex(scratch, addrStart, addresses);
            if (top != addrStart) (scratch[addrStart], scratch[top]) = (scratch[top], scratch[addrStart]);
            for (var i = 0; i < n; i++) list[i] = scratch[i];
        }
        finally
        {
            Array.Clear(scratch, 0, n);
            ArrayPool<DnsRecord>.Shared.Return(scratch);
        }
    }

    /// <summary>Picks one address with probability weight/sum (weight 1 for an address the file does not list).</summary>
    private int TopIndex(DnsRecord[] records, int start, int count)
    {
        var map = _weights!.Current;
        Span<byte> weights = count <= 256 ? stackalloc byte[count] : new byte[count];
        var sum = 0;
        for (var i = 0; i < count; i++)
        {
            var rr = records[start + i];
            byte w = 1;
            if (map.TryGetValue(rr.Name, out var items))
            {
                foreach (var item in items)
                {
                    if (SameAddress(item.Address, rr.RData))
                    {
                        w = item.Weight;
                        break;
                    }
                }
            }
            weights[i] = w;
            sum += w;
        }
        var v = Random.Shared.Next(sum);
        var psum = 0;
        for (var i = 0; i < count; i++)
        {
            psum += weights[i];
            if (v < psum) return start + i;
        }
        return start;
    }

    /// <summary>Go's net.IP.Equal: IPv4 equals its IPv4-mapped IPv6 form.</summary>
    private static bool SameAddress(byte[] a, byte[] b) => Unmap(a).SequenceEqual(Unmap(b));

    private static ReadOnlySpan<byte> Unmap(byte[] ip) =>
        ip.Length == 16 && ip.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && ip[10] == 0xFF && ip[11] == 0xFF ? ip.AsSpan(12) : ip;

    private void Prefer(List<DnsRecord> list)
    {
        var n = list.Count;
        if (n <= 1) return;
        var scratch = ArrayPool<DnsRecord>.Shared.Rent(n);
        Span<bool> seen = n <= 256 ? stackalloc bool[n] : new bool[n];
        seen.Clear(); // the module skips locals init
        try
        {
            var k = Gather(list, scratch, 0, Kind.Cname);
            foreach (var (prefix, bits) in _prefer)
            {
                for (var i = 0; i < n; i++)
                {
                    if (seen[i] || KindOf(list[i]) != Kind.Address || !Contains(prefix, bits, list[i].RData)) continue;
                    scratch[k++] = list[i];
                    seen[i] = true;
                }
            }
            for (var i = 0; i < n; i++)
                if (!seen[i] && KindOf(list[i]) == Kind.Address) scratch[k++] = list[i];
            k = Gather(list, scratch, k, Kind.Mx);
            Gather(list, scratch, k, Kind.Rest);
            for (var i = 0; i < n; i++) list[i] = scratch[i];
        }
        finally
        {
            Array.Clear(scratch, 0, n);
            ArrayPool<DnsRecord>.Shared.Return(scratch);
        }
    }

    /// <summary>Go's IPNet.Contains: an IPv4 network holds IPv4 addresses (and their IPv4-mapped form) only.</summary>
    private static bool Contains(byte[] prefix, int bits, byte[] rdata)
    {
        var ip = Unmap(rdata);
        if (ip.Length != prefix.Length) return false;
        var full = bits / 8;
        if (!ip[..full].SequenceEqual(prefix.AsSpan(0, full))) return false;
        var rest = bits % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (ip[full] & mask) == (prefix[full] & mask);
    }
}
