using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Akka.Dns.Dnssec;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Sign;

/// <summary>
/// Signs one zone of one <c>sign</c> directive (CoreDNS's Signer, signer.go): reads DBFILE, drops its DNSKEY, RRSIG,
/// CDS and CDNSKEY records, sets the SOA serial to the Unix time of signing, adds DNSKEY, CDS (SHA-1 and SHA-256)
/// and CDNSKEY per key, the NSEC chain and RRSIGs (<see cref="ZoneSigner"/>), and writes <c>db.&lt;zone&gt;signed</c>
/// into the directory through a temporary file and a rename. The source is only read.
/// </summary>
public sealed class Signer
{
    /// <summary>Re-sign when the SOA's RRSIG inception is more than this long ago (sign.go durationResignDays).</summary>
    public static readonly TimeSpan ResignAfter = TimeSpan.FromDays(6);
    /// <summary>Re-sign when the SOA's RRSIG expires in less than this (sign.go durationExpireDays).</summary>
    public static readonly TimeSpan ExpireWithin = TimeSpan.FromDays(7);
    /// <summary>How often the zone is checked (sign.go durationRefreshHours).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(5);
    /// <summary>Most the inception is moved back (sign.go durationInceptionJitter, −18 h).</summary>
    public static readonly TimeSpan InceptionJitterMax = TimeSpan.FromHours(18);
    /// <summary>Most the expiration is moved forward (sign.go durationExpirationDayJitter, 5 days).</summary>
    public static readonly TimeSpan ExpirationJitterMax = TimeSpan.FromDays(5);

    /// <summary>The first line of a signed file: the SHA-256 of the source it was made from (how a changed source is seen).</summary>
    internal const string SourceComment = "; plugin/sign: source sha256 ";

    private const int SoaSearchLimit = 100;

    public Signer(string dbFile, string origin, string directory, IReadOnlyList<DnssecKey> keys, TimeSpan inceptionJitter, TimeSpan expirationJitter)
    {
        DbFile = dbFile;
        Origin = origin;
        Directory = directory;
        Keys = keys;
        InceptionJitter = inceptionJitter;
        ExpirationJitter = expirationJitter;
    }

    public string DbFile { get; }
    public string Origin { get; }
    public string Directory { get; }
    public IReadOnlyList<DnssecKey> Keys { get; }
    /// <summary>0 to 18 h, subtracted from every inception (chosen once per zone at setup, as CoreDNS).</summary>
    public TimeSpan InceptionJitter { get; }
    /// <summary>0 to 5 days, added to every expiration (chosen once per zone at setup, as CoreDNS).</summary>
    public TimeSpan ExpirationJitter { get; }

    /// <summary><c>db.example.org.signed</c> (the origin is fully qualified, hence CoreDNS's <c>db.%ssigned</c>).</summary>
    public string SignedFileName => $"db.{Origin}signed";
    public string SignedFile => Path.Combine(Directory, SignedFileName);

    /// <summary>CoreDNS's keyTag(): "59725" or "59725,12345".</summary>
    public string KeyTags => string.Join(',', Keys.Select(k => k.KeyTag.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Inception and expiration for a signing at <paramref name="now"/> (signer.go lifetime).</summary>
    public (uint Inception, uint Expiration) Lifetime(DateTimeOffset now)
    {
        var (inc, exp) = ZoneSigner.OfflineLifetime(now);
        return ((uint)(inc - (long)InceptionJitter.TotalSeconds), (uint)(exp + (long)ExpirationJitter.TotalSeconds));
    }

    /// <summary>Signs the source as of <paramref name="now"/>; returns the signed records (SOA and its RRSIGs first).</summary>
    public List<DnsRecord> Sign(DateTimeOffset now, out uint serial, out string sourceHash)
    {
        var text = ReadSource(out sourceHash);
        var records = new List<DnsRecord>();
        DnsRecord? soa = null;
        serial = (uint)now.ToUnixTimeSeconds();
        foreach (var r in MasterFile.Parse(text, Origin, DbFile, Path.GetDirectoryName(DbFile)))
        {
            // file.go Parse: the keys, their signatures and CDS/CDNSKEY are the signer's to add.
            if (r.Type is RrType.DNSKEY or RrType.RRSIG or RrType.NSEC or 59 or 60) continue;
            if (!DnsName.IsSubdomain(r.Name, Origin)) continue;
            if (r.Type == RrType.SOA)
            {
                if (soa is not null) continue;
                var rdata = (byte[])r.RData.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(rdata.AsSpan(rdata.Length - 20), serial);
                soa = new DnsRecord(r.Name, r.Type, r.Class, r.Ttl, rdata);
                records.Add(soa);
                continue;
            }
            records.Add(r);
        }
        if (soa is null) throw new SignException($"file \"{DbFile}\" has no SOA record");
        var (inception, expiration) = Lifetime(now);
        var signed = ZoneSigner.Sign(records, Origin, Keys, inception, expiration, cdsAndCdnskey: true, cdsDigestTypes: [1, 2]);
        // The SOA and its signatures lead, as file.go writes them: the re-sign check reads only the first records.
        var ordered = new List<DnsRecord>(signed.Count);
        foreach (var r in signed)
            if (r.Type == RrType.SOA) ordered.Add(r);
        foreach (var r in signed)
            if (r.Type == RrType.RRSIG && CoveredType(r) == RrType.SOA) ordered.Add(r);
        foreach (var r in signed)
            if (r.Type != RrType.SOA && !(r.Type == RrType.RRSIG && CoveredType(r) == RrType.SOA)) ordered.Add(r);
        return ordered;
    }

    /// <summary>Signs and writes <see cref="SignedFile"/> (a temporary file in the directory, then a rename).</summary>
    public SignResult SignAndWrite(DateTimeOffset now)
    {
        var watch = Stopwatch.StartNew();
        var records = Sign(now, out var serial, out var hash);
        var text = SourceComment + hash + "\n" + MasterFile.Write(records);
        var temp = Path.Combine(Directory, "signed-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            System.IO.File.WriteAllText(temp, text);
            System.IO.File.Move(temp, SignedFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { System.IO.File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new SignException($"failed to move zone file into place: {e.Message}");
        }
        return new SignResult(serial, records.Count, watch.Elapsed);
    }

    /// <summary>
    /// Why the zone must be (re-)signed at <paramref name="now"/>, or null when the signed file is good (signer.go
    /// resign): it is missing or unreadable, a SOA RRSIG in its first 100 records has an inception more than 6 days
    /// ago or in the future, or expires in less than 7 days; none is found; or (ours) the source is not the one it
    /// was signed from.
    /// </summary>
    public string? ResignReason(DateTimeOffset now)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(SignedFile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"open {SignedFile}: no such file or directory";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"open {SignedFile}: {e.Message}";
        }
        var why = ResignReason(text, now);
        if (why is not null) return why;
        string current;
        try
        {
            ReadSource(out current);
        }
        catch (SignException)
        {
            return null;   // the source cannot be read: keep the signed zone until it can (signing would fail)
        }
        var recorded = RecordedSourceHash(text);
        if (recorded != current) return $"source \"{DbFile}\" changed since it was signed";
        return null;
    }

    /// <summary>signer.go resign over the text of a signed zone.</summary>
    public static string? ResignReason(string signedText, DateTimeOffset now)
    {
        IReadOnlyList<DnsRecord> rrs;
        try
        {
            rrs = MasterFile.Parse(signedText, ".", "resign");
        }
        catch (MasterFileException e)
        {
            return e.Message;
        }
        var found = false;
        for (var i = 0; i < rrs.Count && i < SoaSearchLimit; i++)
        {
            var r = rrs[i];
            if (r.Type != RrType.RRSIG || CoveredType(r) != RrType.SOA) continue;
            found = true;
            var expire = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(r.RData.AsSpan(8)));
            var incep = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(r.RData.AsSpan(12)));
            var since = now - incep;
            if (since > ResignAfter)
                return $"inception \"{Time(incep)}\" was more than: {Go(ResignAfter)} ago from {Time(now)}: {Go(since)}";
            if (since < TimeSpan.Zero)
                return $"inception \"{Time(incep)}\" date is in the future: {Go(since)}";
            var left = expire - now;
            if (left < ExpireWithin)
                return $"expiration \"{Time(expire)}\" is less than: {Go(ExpireWithin)} away from {Time(now)}: {Go(left)}";
        }
        return found ? null : $"no SOA RRSIG found in first {SoaSearchLimit} records";
    }

    internal static string? RecordedSourceHash(string signedText) =>
        signedText.StartsWith(SourceComment, StringComparison.Ordinal) && signedText.IndexOf('\n') is var nl and > 0
            ? signedText[SourceComment.Length..nl].Trim()
            : null;

    private string ReadSource(out string hash)
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(DbFile);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SignException($"open {DbFile}: no such file or directory");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SignException($"open {DbFile}: {e.Message}");
        }
        hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return Encoding.UTF8.GetString(bytes);
    }

    internal static ushort CoveredType(DnsRecord rrsig) => BinaryPrimitives.ReadUInt16BigEndian(rrsig.RData);

    /// <summary>Go's "2006-01-02T15:04:05.000Z07:00" in UTC (sign.go timeFmt).</summary>
    internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Go(TimeSpan d) => GoDuration.Format(d.Ticks * 100);
}

/// <summary>What one signing produced.</summary>
public sealed record SignResult(uint Serial, int Records, TimeSpan Elapsed);

/// <summary>A zone that could not be signed; the message is CoreDNS's where it has one.</summary>
public sealed class SignException(string message) : Exception(message);
