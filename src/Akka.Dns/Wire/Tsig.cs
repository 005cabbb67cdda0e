using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Akka.Dns.Wire;

/// <summary>A TSIG MAC algorithm (RFC 8945 §6): its canonical name and HMAC.</summary>
public sealed class TsigAlgorithm
{
    public static readonly TsigAlgorithm HmacMd5 = new("hmac-md5.sig-alg.reg.int.", 16, HMACMD5.HashData);
    public static readonly TsigAlgorithm HmacSha1 = new("hmac-sha1.", 20, HMACSHA1.HashData);
    public static readonly TsigAlgorithm HmacSha224 = new("hmac-sha224.", 28, Sha224.Hmac);
    public static readonly TsigAlgorithm HmacSha256 = new("hmac-sha256.", 32, HMACSHA256.HashData);
    public static readonly TsigAlgorithm HmacSha384 = new("hmac-sha384.", 48, HMACSHA384.HashData);
    public static readonly TsigAlgorithm HmacSha512 = new("hmac-sha512.", 64, HMACSHA512.HashData);

    public static readonly IReadOnlyList<TsigAlgorithm> All = [HmacMd5, HmacSha1, HmacSha224, HmacSha256, HmacSha384, HmacSha512];

    private readonly Func<byte[], byte[], byte[]> _hmac;

    private TsigAlgorithm(string name, int macLength, Func<byte[], byte[], byte[]> hmac)
    {
        Name = name;
        MacLength = macLength;
        _hmac = hmac;
    }

    /// <summary>The algorithm's domain name, lower case, fully qualified ("hmac-sha256.").</summary>
    public string Name { get; }
    /// <summary>Octets of the untruncated MAC.</summary>
    public int MacLength { get; }
    /// <summary>The shortest MAC a receiver accepts (RFC 8945 §5.2.2.1): the larger of 10 and half the output.</summary>
    public int MinMacLength => Math.Max(10, MacLength / 2);

    public byte[] Compute(byte[] key, byte[] data) => _hmac(key, data);

    /// <summary>The algorithm named <paramref name="name"/> (any case, with or without the trailing dot; also BIND's short "hmac-md5").</summary>
    public static TsigAlgorithm? Find(string name)
    {
        var n = name.EndsWith('.') ? name : name + ".";
        foreach (var a in All)
            if (string.Equals(a.Name, n, StringComparison.OrdinalIgnoreCase)) return a;
        return string.Equals(n, "hmac-md5.", StringComparison.OrdinalIgnoreCase) ? HmacMd5 : null;
    }

    public override string ToString() => Name;
}

/// <summary>A TSIG record as read from a message (RFC 8945 §4.2). Names are lower case, fully qualified.</summary>
public sealed class TsigRecord
{
    public required string Name { get; init; }
    public required string Algorithm { get; init; }
    /// <summary>Seconds since the epoch (48 bits).</summary>
    public long TimeSigned { get; init; }
    public ushort Fudge { get; init; }
    public byte[] Mac { get; init; } = [];
    public ushort OriginalId { get; init; }
    public ushort Error { get; init; }
    public byte[] OtherData { get; init; } = [];
    /// <summary>Where the TSIG RR starts in the message it was read from.</summary>
    public int Offset { get; init; }
}

/// <summary>What <see cref="Tsig.TryRead"/> found.</summary>
public enum TsigReadResult
{
    /// <summary>The message carries no TSIG.</summary>
    None,
    /// <summary>A well-formed TSIG, the last additional record.</summary>
    Ok,
    /// <summary>A TSIG that is not last, not class ANY, has a TTL, or does not parse: FORMERR (RFC 8945 §5.1 and §4.2).</summary>
    FormErr,
}

/// <summary>
/// TSIG (RFC 8945): reading the record, verifying a request's MAC and signing replies, one message or a stream of
/// them. The MAC covers the message without its TSIG (ARCOUNT one less, the original id), preceded by the request's
/// (or the previous message's) MAC and followed by the TSIG variables, or only the timers for the messages after the
/// first of a stream (§4.3, §5.3.1), the same input miekg/dns and BIND feed their HMAC.
/// </summary>
public static class Tsig
{
    /// <summary>TSIG error codes (RFC 8945 §3, the TSIG RR's Error field).</summary>
    public const ushort BadSig = 16, BadKey = 17, BadTime = 18, BadTrunc = 22;

    /// <summary>The fudge of every TSIG we write (RFC 8945 §10 recommends 300 s).</summary>
    public const ushort DefaultFudge = 300;

    private const int FixedRdata = 6 + 2 + 2 + 2 + 2 + 2;   // time, fudge, mac size, original id, error, other len

    /// <summary>Error text as dig prints it ("BADSIG").</summary>
    public static string ErrorText(int error) => error switch
    {
        0 => "NOERROR",
        BadSig => "BADSIG",
        BadKey => "BADKEY",
        BadTime => "BADTIME",
        BadTrunc => "BADTRUNC",
        _ => Rcode.ToString(error),
    };

    /// <summary>
    /// Finds the TSIG of <paramref name="msg"/>: none; one that is the last additional record, class ANY, TTL 0
    /// and parses; or a misplaced or malformed one (FORMERR). Never throws.
    /// </summary>
    public static TsigReadResult TryRead(ReadOnlySpan<byte> msg, out TsigRecord? tsig)
    {
        tsig = null;
        if (msg.Length < DnsReader.HeaderSize) return TsigReadResult.None;
        var qd = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        var records = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]) + BinaryPrimitives.ReadUInt16BigEndian(msg[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(msg[10..]);
        var off = DnsReader.HeaderSize;
        for (var i = 0; i < qd; i++)
        {
            if (!DnsName.TrySkip(msg, ref off) || off + 4 > msg.Length) return TsigReadResult.None;
            off += 4;
        }
        var seen = false;
        for (var i = 0; i < records + ar; i++)
        {
            var start = off;
            if (!DnsName.TrySkip(msg, ref off) || off + 10 > msg.Length) return seen ? TsigReadResult.FormErr : TsigReadResult.None;
            var type = BinaryPrimitives.ReadUInt16BigEndian(msg[off..]);
            var rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 8)..]);
            if (off + 10 + rdlen > msg.Length) return seen ? TsigReadResult.FormErr : TsigReadResult.None;
            if (type == RrType.TSIG)
            {
                if (i != records + ar - 1) return TsigReadResult.FormErr;
                seen = true;
                return TryParse(msg, start, out tsig) ? TsigReadResult.Ok : TsigReadResult.FormErr;
            }
            off += 10 + rdlen;
        }
        return TsigReadResult.None;
    }

    private static bool TryParse(ReadOnlySpan<byte> msg, int start, out TsigRecord? tsig)
    {
        tsig = null;
        var off = start;
        if (!DnsName.TryRead(msg, ref off, out var name)) return false;
        var cls = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(msg[(off + 4)..]);
        var rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 8)..]);
        off += 10;
        var end = off + rdlen;
        if (cls != RrClass.ANY || ttl != 0) return false;
        if (!DnsName.TryRead(msg[..end], ref off, out var algorithm) || off + 10 > end) return false;
        var time = ((long)BinaryPrimitives.ReadUInt16BigEndian(msg[off..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(msg[(off + 2)..]);
        var fudge = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 6)..]);
        var macLen = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 8)..]);
        off += 10;
        if (off + macLen + 6 > end) return false;
        var mac = msg.Slice(off, macLen).ToArray();
        off += macLen;
        var orig = BinaryPrimitives.ReadUInt16BigEndian(msg[off..]);
        var error = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 2)..]);
        var otherLen = BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 4)..]);
        off += 6;
        if (off + otherLen != end) return false;
        tsig = new TsigRecord
        {
            Name = DnsName.Normalize(name),
            Algorithm = DnsName.Normalize(algorithm),
            TimeSigned = time,
            Fudge = fudge,
            Mac = mac,
            OriginalId = orig,
            Error = error,
            OtherData = msg.Slice(off, otherLen).ToArray(),
            Offset = start,
        };
        return true;
    }

    /// <summary>
    /// Verifies the TSIG of a received message (RFC 8945 §5.2 / §5.4 order): 0 when it holds, else BADKEY (unknown
    /// algorithm), FORMERR (a MAC longer than the algorithm's or shorter than §5.2.2.1 allows), BADSIG or BADTIME
    /// (checked after the MAC, as miekg/dns and BIND do since CVE-2017-3142). <paramref name="priorMac"/> is the
    /// request MAC when verifying a reply, the previous MAC inside a stream; <paramref name="timersOnly"/> for the
    /// messages after the first of a stream. <paramref name="now"/> is seconds since the epoch.
    /// </summary>
    public static int Verify(ReadOnlySpan<byte> msg, TsigRecord tsig, byte[] secret, long now, ReadOnlySpan<byte> priorMac = default, bool timersOnly = false)
    {
        var algorithm = TsigAlgorithm.Find(tsig.Algorithm);
        if (algorithm is null) return BadKey;
        if (tsig.Mac.Length > algorithm.MacLength || tsig.Mac.Length < algorithm.MinMacLength) return Rcode.FormErr;
        var stripped = msg[..tsig.Offset];
        var data = Digest(stripped, tsig.OriginalId, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(msg[10..]) - 1), priorMac,
            tsig.Name, tsig.Algorithm, tsig.TimeSigned, tsig.Fudge, tsig.Error, tsig.OtherData, timersOnly);
        var expected = algorithm.Compute(secret, data);
        if (!CryptographicOperations.FixedTimeEquals(expected.AsSpan(0, tsig.Mac.Length), tsig.Mac)) return BadSig;
        if (Math.Abs(now - tsig.TimeSigned) > tsig.Fudge) return BadTime;
        return 0;
    }

    /// <summary>The octets a TSIG RR with these names and <paramref name="macLength"/>/<paramref name="otherLength"/> takes.</summary>
    public static int RecordLength(string keyName, string algorithm, int macLength, int otherLength) =>
        WireLength(keyName) + 10 + WireLength(algorithm) + FixedRdata + macLength + otherLength;

    /// <summary>
    /// Appends a TSIG to the message in <paramref name="buffer"/>[..<paramref name="length"/>] and adds one to its
    /// ARCOUNT; the original id is the message's. With <paramref name="algorithm"/> and <paramref name="secret"/> the
    /// MAC covers <paramref name="priorMac"/> (length-prefixed, when not empty), the message and the TSIG variables
    /// (only the timers with <paramref name="timersOnly"/>); without them the MAC is empty (the unsigned TSIG of a
    /// BADKEY/BADSIG reply, RFC 8945 §5.3.2). Returns the new length, or -1 when it does not fit.
    /// </summary>
    public static int Sign(Span<byte> buffer, int length, string keyName, string algorithmName, TsigAlgorithm? algorithm, byte[]? secret,
        ReadOnlySpan<byte> priorMac, bool timersOnly, long timeSigned, ushort fudge, ushort error, ReadOnlySpan<byte> otherData, out byte[] mac)
    {
        mac = [];
        keyName = DnsName.Normalize(keyName);
        algorithmName = DnsName.Normalize(algorithmName);
        if (length < DnsReader.HeaderSize) return -1;
        var id = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(buffer[10..]);
        if (algorithm is not null && secret is not null)
        {
            var data = Digest(buffer[..length], id, ar, priorMac, keyName, algorithmName, timeSigned, fudge, error, otherData, timersOnly);
            mac = algorithm.Compute(secret, data);
        }
        var total = length + RecordLength(keyName, algorithmName, mac.Length, otherData.Length);
        if (total > buffer.Length) return -1;

        var off = length;
        off += DnsName.TryWrite(keyName, buffer[off..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[off..], RrType.TSIG);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(off + 2)..], RrClass.ANY);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(off + 4)..], 0);
        var rdlenAt = off + 8;
        off += 10;
        var rdStart = off;
        off += DnsName.TryWrite(algorithmName, buffer[off..]);
        WriteTime(buffer[off..], timeSigned);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(off + 6)..], fudge);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(off + 8)..], (ushort)mac.Length);
        off += 10;
        mac.CopyTo(buffer[off..]);
        off += mac.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[off..], id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(off + 2)..], error);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(off + 4)..], (ushort)otherData.Length);
        off += 6;
        otherData.CopyTo(buffer[off..]);
        off += otherData.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[rdlenAt..], (ushort)(off - rdStart));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[10..], (ushort)(ar + 1));
        return off;
    }

    /// <summary>A 48-bit time as the six octets of BADTIME's Other Data (RFC 8945 §5.2.3).</summary>
    public static byte[] TimeBytes(long seconds)
    {
        var b = new byte[6];
        WriteTime(b, seconds);
        return b;
    }

    /// <summary>
    /// The HMAC input: [prior MAC size + prior MAC] + message (with <paramref name="id"/> and <paramref name="arCount"/>
    /// in its header) + the TSIG variables in canonical form (RFC 8945 §4.3.3), or only Time Signed and Fudge.
    /// </summary>
    public static byte[] Digest(ReadOnlySpan<byte> message, ushort id, ushort arCount, ReadOnlySpan<byte> priorMac, string keyName,
        string algorithm, long timeSigned, ushort fudge, ushort error, ReadOnlySpan<byte> otherData, bool timersOnly)
    {
        var size = (priorMac.IsEmpty ? 0 : 2 + priorMac.Length) + message.Length
                   + (timersOnly ? 8 : WireLength(keyName) + 6 + WireLength(algorithm) + FixedRdata - 4 + otherData.Length);
        var data = new byte[size];
        var s = data.AsSpan();
        var off = 0;
        if (!priorMac.IsEmpty)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)priorMac.Length);
            priorMac.CopyTo(s[2..]);
            off = 2 + priorMac.Length;
        }
        message.CopyTo(s[off..]);
        BinaryPrimitives.WriteUInt16BigEndian(s[off..], id);
        BinaryPrimitives.WriteUInt16BigEndian(s[(off + 10)..], arCount);
        off += message.Length;
        if (timersOnly)
        {
            WriteTime(s[off..], timeSigned);
            BinaryPrimitives.WriteUInt16BigEndian(s[(off + 6)..], fudge);
            return data;
        }
        off += WriteCanonicalName(keyName, s[off..]);
        BinaryPrimitives.WriteUInt16BigEndian(s[off..], RrClass.ANY);
        BinaryPrimitives.WriteUInt32BigEndian(s[(off + 2)..], 0);
        off += 6;
        off += WriteCanonicalName(algorithm, s[off..]);
        WriteTime(s[off..], timeSigned);
        BinaryPrimitives.WriteUInt16BigEndian(s[(off + 6)..], fudge);
        BinaryPrimitives.WriteUInt16BigEndian(s[(off + 8)..], error);
        BinaryPrimitives.WriteUInt16BigEndian(s[(off + 10)..], (ushort)otherData.Length);
        otherData.CopyTo(s[(off + 12)..]);
        return data;
    }

    private static int WriteCanonicalName(string name, Span<byte> dest)
    {
        var n = DnsName.TryWrite(name, dest);
        for (var i = 0; i < n; i++)
            if (dest[i] is >= (byte)'A' and <= (byte)'Z') dest[i] += 32;
        return n;
    }

    private static int WireLength(string name)
    {
        Span<byte> tmp = stackalloc byte[DnsName.MaxWireLength + 2];
        var n = DnsName.TryWrite(name, tmp);
        return n < 0 ? DnsName.MaxWireLength : n;
    }

    private static void WriteTime(Span<byte> dest, long seconds)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dest, (ushort)(seconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(dest[2..], (uint)seconds);
    }
}

/// <summary>SHA-224 (FIPS 180-4) and its HMAC, which System.Security.Cryptography does not offer.</summary>
internal static class Sha224
{
    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private const int Block = 64;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        Span<uint> h = [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4];
        Span<uint> w = stackalloc uint[64];
        var full = data.Length / Block;
        for (var i = 0; i < full; i++) Compress(h, data.Slice(i * Block, Block), w);
        var rest = data.Length - full * Block;
        Span<byte> tail = stackalloc byte[2 * Block];
        tail.Clear();
        data[(full * Block)..].CopyTo(tail);
        tail[rest] = 0x80;
        var tailLen = rest + 9 <= Block ? Block : 2 * Block;
        BinaryPrimitives.WriteUInt64BigEndian(tail[(tailLen - 8)..], (ulong)data.Length * 8);
        for (var o = 0; o < tailLen; o += Block) Compress(h, tail.Slice(o, Block), w);
        var digest = new byte[28];
        for (var i = 0; i < 7; i++) BinaryPrimitives.WriteUInt32BigEndian(digest.AsSpan(i * 4), h[i]);
        return digest;
    }

    public static byte[] Hmac(byte[] key, byte[] data)
    {
        Span<byte> k = stackalloc byte[Block];
        k.Clear();
        if (key.Length > Block) Hash(key).CopyTo(k);
        else key.CopyTo(k);
        var inner = ArrayPool<byte>.Shared.Rent(Block + data.Length);
        try
        {
            for (var i = 0; i < Block; i++) inner[i] = (byte)(k[i] ^ 0x36);
            data.CopyTo(inner, Block);
            var innerHash = Hash(inner.AsSpan(0, Block + data.Length));
            Span<byte> outer = stackalloc byte[Block + 28];
            for (var i = 0; i < Block; i++) outer[i] = (byte)(k[i] ^ 0x5c);
            innerHash.CopyTo(outer[Block..]);
            return Hash(outer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inner);
        }
    }

    private static void Compress(Span<uint> h, ReadOnlySpan<byte> block, Span<uint> w)
    {
        for (var t = 0; t < 16; t++) w[t] = BinaryPrimitives.ReadUInt32BigEndian(block[(t * 4)..]);
        for (var t = 16; t < 64; t++)
        {
            var s0 = uint.RotateRight(w[t - 15], 7) ^ uint.RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
            var s1 = uint.RotateRight(w[t - 2], 17) ^ uint.RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (var t = 0; t < 64; t++)
        {
            var t1 = hh + (uint.RotateRight(e, 6) ^ uint.RotateRight(e, 11) ^ uint.RotateRight(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
            var t2 = (uint.RotateRight(a, 2) ^ uint.RotateRight(a, 13) ^ uint.RotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
}
