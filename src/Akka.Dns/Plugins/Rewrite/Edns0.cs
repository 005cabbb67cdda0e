using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Rewrite;

/// <summary>
/// The query's EDNS options while the rules run: loaded on first use (adding an OPT with size 4096 when the query had
/// none, as CoreDNS's setupEdns0Opt), and written back into a rebuilt query packet once the rules are done.
/// </summary>
internal sealed class EdnsEdit
{
    private readonly List<(ushort Code, byte[] Data)> _options = [];
    private DnsQuery _q = null!;
    private bool _loaded;
    private bool _changed;

    public void Reset(DnsQuery q)
    {
        _q = q;
        _loaded = false;
        _changed = false;
        _options.Clear();
    }

    /// <summary>The options, loaded; marks the query changed when it had no OPT (one is added).</summary>
    public List<(ushort Code, byte[] Data)> Options
    {
        get
        {
            if (_loaded) return _options;
            _loaded = true;
            if (!_q.HasEdns) _changed = true;
            var o = _q.Options;
            while (o.Length >= 4)
            {
                var c = BinaryPrimitives.ReadUInt16BigEndian(o);
                var l = BinaryPrimitives.ReadUInt16BigEndian(o[2..]);
                if (4 + l > o.Length) break;
                _options.Add((c, o.Slice(4, l).ToArray()));
                o = o[(4 + l)..];
            }
            return _options;
        }
    }

    public void Changed() => _changed = true;

    /// <summary>Rebuilds the query packet with the edited OPT; returns how to put the client's back, or null when nothing changed.</summary>
    public Snapshot? Commit()
    {
        if (!_changed) return null;
        var q = _q;
        var snapshot = new Snapshot(q.Packet, q.HasEdns, q.UdpSize, q.EdnsVersion, q.Do, q.OptionsOffset, q.OptionsLength);
        var optLen = 0;
        foreach (var (_, d) in _options) optLen += 4 + d.Length;
        var buf = new byte[12 + DnsName.MaxWireLength + 4 + 11 + optLen];
        q.Packet.AsSpan(0, 4).CopyTo(buf);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(10), 1);
        var at = 12;
        var n = DnsName.TryWrite(q.Name, buf.AsSpan(at));
        if (n < 0) return null;
        at += n;
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at), q.Type);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at + 2), q.Class);
        at += 4;
        var udp = q.HasEdns ? q.UdpSize : (ushort)4096;
        buf[at] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at + 1), RrType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at + 3), udp);
        buf[at + 5] = 0;
        buf[at + 6] = q.HasEdns ? q.EdnsVersion : (byte)0;
        buf[at + 7] = (byte)(q.HasEdns && q.Do ? 0x80 : 0);
        buf[at + 8] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at + 9), (ushort)optLen);
        at += 11;
        var optionsOffset = at;
        foreach (var (c, d) in _options)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at), c);
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(at + 2), (ushort)d.Length);
            d.CopyTo(buf, at + 4);
            at += 4 + d.Length;
        }
        q.ReplacePacket(buf[..at]);
        q.HasEdns = true;
        q.UdpSize = udp;
        q.OptionsOffset = optionsOffset;
        q.OptionsLength = optLen;
        return snapshot;
    }

    /// <summary>The client's OPT state, put back when the reply goes out.</summary>
    internal sealed record Snapshot(byte[] Packet, bool HasEdns, ushort UdpSize, byte Version, bool Do, int OptionsOffset, int OptionsLength)
    {
        public void Restore(DnsQuery q)
        {
            q.ReplacePacket(Packet);
            q.HasEdns = HasEdns;
            q.UdpSize = UdpSize;
            q.EdnsVersion = Version;
            q.Do = Do;
            q.OptionsOffset = OptionsOffset;
            q.OptionsLength = OptionsLength;
        }
    }
}

internal enum EdnsAction { Append, Replace, Set, Unset }

/// <summary><c>edns0 local|nsid|subnet ...</c>: sets, appends, replaces or removes one option of the query.</summary>
internal sealed class Edns0Rule(EdnsAction action, ushort code, Func<RewriteQuery, byte[]?> data, bool revert, bool ignoreWhenPresentAndAppend) : RewriteRule
{
    public EdnsAction Action { get; } = action;
    public ushort Code { get; } = code;

    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        var opts = q.Edns.Options;
        if (Action == EdnsAction.Unset)
        {
            for (var i = opts.Count - 1; i >= 0; i--)
                if (opts[i].Code == Code) { opts.RemoveAt(i); q.Edns.Changed(); }
            return None;
        }
        for (var i = 0; i < opts.Count; i++)
        {
            if (opts[i].Code != Code) continue;
            if (Action is EdnsAction.Replace or EdnsAction.Set)
            {
                var d = data(q);
                if (d is null) return null;
                var old = opts[i].Data;
                opts[i] = (Code, d);
                q.Edns.Changed();
                return revert ? [new EdnsRestoreResponseRule(Code, old)] : None;
            }
            // append when the option is there: a variable or subnet rule is ignored, a local or nsid rule is appended
            if (ignoreWhenPresentAndAppend) return null;
            break;
        }
        if (Action is EdnsAction.Append or EdnsAction.Set)
        {
            var d = data(q);
            if (d is null) return null;
            opts.Add((Code, d));
            q.Edns.Changed();
            return revert ? [new EdnsRemoveResponseRule(Code)] : None;
        }
        return null;
    }
}

/// <summary>CoreDNS's newEdns0Rule and friends, with their messages.</summary>
internal static class Edns0Parser
{
    public static RewriteRule NewRule(string[] args)
    {
        if (args.Length < 2) throw new RuleException("too few arguments for an EDNS0 rule");
        var type = args[0].ToLowerInvariant();
        var actionText = args[1].ToLowerInvariant();
        var action = actionText switch
        {
            "append" => EdnsAction.Append,
            "replace" => EdnsAction.Replace,
            "set" => EdnsAction.Set,
            "unset" => EdnsAction.Unset,
            _ => throw new RuleException($"invalid action: \"{actionText}\""),
        };
        if (action == EdnsAction.Unset)
        {
            switch (type)
            {
                case "local":
                    if (args.Length != 3) throw new RuleException("local unset action requires exactly two arguments");
                    return new Edns0Rule(action, Code(args[2]), _ => null, false, false);
                case "nsid":
                    if (args.Length != 2) throw new RuleException("nsid unset action requires exactly one argument");
                    return new Edns0Rule(action, EdnsOption.Nsid, _ => null, false, false);
                case "subnet":
                    if (args.Length != 2) throw new RuleException("subnet unset action requires exactly one argument");
                    return new Edns0Rule(action, EdnsOption.ClientSubnet, _ => null, false, false);
                default:
                    throw new RuleException($"invalid rule type \"{type}\"");
            }
        }
        var revert = false;
        if (args[^1] == "revert")
        {
            revert = true;
            args = args[..^1];
        }
        switch (type)
        {
            case "local":
                if (args.Length != 4) throw new RuleException("EDNS0 local rules require three or four args");
                var code = Code(args[2]);
                if (args[3].StartsWith('{') && args[3].EndsWith('}'))
                {
                    var variable = Variable(args[3]);
                    return new Edns0Rule(action, code, variable, revert, true);
                }
                var bytes = Data(args[3]);
                return new Edns0Rule(action, code, _ => bytes, revert, false);
            case "nsid":
                if (args.Length != 2) throw new RuleException("EDNS0 NSID rules can accept no more than one arg");
                return new Edns0Rule(action, EdnsOption.Nsid, static _ => [], revert, false);
            case "subnet":
                if (args.Length != 4) throw new RuleException("EDNS0 subnet rules require three or four args");
                var v4 = Bits(args[2], 32, "IPv4");
                var v6 = Bits(args[3], 128, "IPv6");
                return new Edns0Rule(action, EdnsOption.ClientSubnet, q => Subnet(q, v4, v6), revert, true);
            default:
                throw new RuleException($"invalid rule type \"{type}\"");
        }
    }

    /// <summary>Go's strconv.ParseUint(s, 0, 16).</summary>
    private static ushort Code(string s)
    {
        if (TryParseUintBase0(s, out var v) is { } error) throw new RuleException($"strconv.ParseUint: parsing {GoNet.Quote(s)}: {error}");
        if (v > ushort.MaxValue) throw new RuleException($"strconv.ParseUint: parsing {GoNet.Quote(s)}: value out of range");
        return (ushort)v;
    }

    private static int Bits(string s, int max, string family)
    {
        if (TryParseUintBase0(s, out var v) is { } error) throw new RuleException($"strconv.ParseUint: parsing {GoNet.Quote(s)}: {error}");
        if (v > ushort.MaxValue) throw new RuleException($"strconv.ParseUint: parsing {GoNet.Quote(s)}: value out of range");
        if (v > (ulong)max) throw new RuleException($"invalid {family} bit mask length {v}");
        return (int)v;
    }

    private static string? TryParseUintBase0(string s, out ulong v)
    {
        v = 0;
        var t = s.Replace("_", "", StringComparison.Ordinal);
        var style = NumberStyles.None;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) { t = t[2..]; style = NumberStyles.AllowHexSpecifier; }
        else if (t.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) { t = t[2..]; style = NumberStyles.AllowBinarySpecifier; }
        else if (t.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) { t = t[2..]; return Octal(t, out v) ? null : "invalid syntax"; }
        else if (t.Length > 1 && t[0] == '0') return Octal(t[1..], out v) ? null : "invalid syntax";
        if (t.Length == 0) return "invalid syntax";
        if (ulong.TryParse(t, style, CultureInfo.InvariantCulture, out v)) return null;
        var digits = style == NumberStyles.None ? t.All(char.IsAsciiDigit) : t.All(char.IsAsciiHexDigit);
        return digits ? "value out of range" : "invalid syntax";
    }

    private static bool Octal(string t, out ulong v)
    {
        v = 0;
        if (t.Length == 0) return false;
        foreach (var c in t)
        {
            if (c is < '0' or > '7') return false;
            v = v * 8 + (ulong)(c - '0');
        }
        return true;
    }

    /// <summary>The option data: "0x" then hex, else the string's bytes.</summary>
    private static byte[] Data(string s)
    {
        if (!s.StartsWith("0x", StringComparison.Ordinal)) return System.Text.Encoding.UTF8.GetBytes(s);
        var hex = s[2..];
        for (var i = 0; i < hex.Length; i++)
            if (!char.IsAsciiHexDigit(hex[i]))
                throw new RuleException($"encoding/hex: invalid byte: U+{(int)hex[i]:X4} {GoQuoteRune(hex[i])}");
        if (hex.Length % 2 != 0) throw new RuleException("encoding/hex: odd length hex string");
        return Convert.FromHexString(hex);
    }

    private static string GoQuoteRune(char c) => "'" + c + "'";

    /// <summary>The {variable}s CoreDNS's edns0 local rule takes, or a metadata label.</summary>
    private static Func<RewriteQuery, byte[]?> Variable(string v)
    {
        switch (v)
        {
            case "{qname}": return static q => System.Text.Encoding.UTF8.GetBytes(q.Request.Query.Name);
            case "{qtype}": return static q => U16(q.Request.Query.Type);
            case "{client_ip}": return static q => q.Request.ClientAddressBytes();
            case "{server_ip}": return static q => ServerIp(q);
            case "{client_port}": return static q => U16((ushort)q.Request.ClientPort);
            case "{server_port}": return static q => U16((ushort)q.Request.Local.Port);
            case "{protocol}": return static q => System.Text.Encoding.UTF8.GetBytes(q.Request.Proto);
        }
        var label = v[1..^1];
        if (!Metadata.MetadataLabel.IsValid(label)) throw new RuleException($"unsupported variable name \"{v}\"");
        return q => q.Request.Metadata.TryGetValue(label, out var s) && s.Length > 0 ? System.Text.Encoding.UTF8.GetBytes(s) : null;
    }

    private static byte[] ServerIp(RewriteQuery q)
    {
        var a = q.Request.Local.Address;
        if (a.IsIPv4MappedToIPv6) a = a.MapToIPv4();
        return a.GetAddressBytes();
    }

    private static byte[] U16(ushort v) => [(byte)(v >> 8), (byte)v];

    /// <summary>ECS from the client's address: family, source prefix, scope 0, the masked address in as few octets as the prefix needs.</summary>
    private static byte[] Subnet(RewriteQuery q, int v4, int v6)
    {
        var ip = q.Request.ClientAddressBytes();
        var v4Family = ip.Length == 4;
        var bits = v4Family ? v4 : v6;
        var n = (bits + 7) / 8;
        var data = new byte[4 + n];
        data[1] = (byte)(v4Family ? 1 : 2);
        data[2] = (byte)bits;
        for (var i = 0; i < n; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            data[4 + i] = (byte)(ip[i] & (0xFF << (8 - keep)));
        }
        return data;
    }
}
