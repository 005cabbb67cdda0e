using System.Collections.Concurrent;
using Akka.Dns.Dnssec;

namespace Akka.Dns.Plugins.Dnssec;

/// <summary>
/// The plugin's signing keys. <see cref="Keys"/> describes them (DNSKEY RDATA, flags, tags); signing borrows a
/// private copy of the whole set from a pool, because .NET does not promise that one <c>RSA</c>/<c>ECDsa</c>
/// instance signs from several threads at once, and response writers run on whichever actor answered. The pool
/// grows to the number of threads that signed at the same moment (each copy parsed from the key files' text read
/// at setup) and is never shrunk; with no contention it holds one copy.
/// </summary>
public sealed class KeyRing : IDisposable
{
    private readonly (string Public, string Private, string PublicName, string PrivateName)[] _texts;
    private readonly ConcurrentBag<DnssecKey[]> _pool = [];
    private readonly List<DnssecKey[]> _all = [];

    /// <summary>Parses each pair (the texts of a .key and its .private file); errors are <see cref="DnssecKeyException"/>.</summary>
    public KeyRing(IReadOnlyList<(string Public, string Private, string PublicName, string PrivateName)> texts)
    {
        _texts = [.. texts];
        Keys = Parse();
        var ksk = 0;
        var zsk = 0;
        foreach (var k in Keys)
        {
            if (k.IsKsk) ksk++;
            else if (k.IsZsk) zsk++;
        }
        // dnssec/setup.go: split KSK/ZSK signing only when both kinds are present; otherwise every key is a CSK.
        SplitKeys = ksk > 0 && zsk > 0;
    }

    public static KeyRing Empty { get; } = new([]);

    /// <summary>The keys in the order configured (the DNSKEY RRset, the RRSIG order).</summary>
    public DnssecKey[] Keys { get; }

    /// <summary>At least one KSK and one ZSK: DNSKEY signed by the KSKs only, everything else by the ZSKs only.</summary>
    public bool SplitKeys { get; }

    /// <summary>How many private copies the pool made (for the README's note and the specs).</summary>
    public int Copies
    {
        get
        {
            lock (_all) return _all.Count;
        }
    }

    /// <summary>Whether key <paramref name="i"/> signs an RRset of type <paramref name="type"/> (dnssec.go <c>sign</c>).</summary>
    public bool Signs(int i, ushort type)
    {
        if (!SplitKeys) return true;
        return type == Wire.RrType.DNSKEY ? Keys[i].IsKsk : Keys[i].IsZsk;
    }

    /// <summary>A private copy of the key set for one thread; give it back with <see cref="Return"/>.</summary>
    public DnssecKey[] Rent()
    {
        if (_pool.TryTake(out var set)) return set;
        set = Parse();
        lock (_all) _all.Add(set);
        return set;
    }

    public void Return(DnssecKey[] set) => _pool.Add(set);

    private DnssecKey[] Parse()
    {
        var keys = new DnssecKey[_texts.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var t = _texts[i];
            keys[i] = KeyFile.Parse(t.Public, t.Private, t.PublicName, t.PrivateName);
        }
        return keys;
    }

    public void Dispose()
    {
        foreach (var k in Keys) k.Dispose();
        lock (_all)
        {
            foreach (var set in _all)
                foreach (var k in set) k.Dispose();
            _all.Clear();
        }
    }
}
