using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// RFC 2136 §3.2–§3.4 (and §3.6, the serial) as a pure function: an <see cref="UpdateMessage"/> evaluated against a
/// read-only <see cref="IRRsetView"/> of the zone gives an rcode and the RRsets to change. Nothing is written: the
/// caller commits the changes atomically, or not at all. The caller has already matched the zone section to a zone it
/// serves (NOTAUTH otherwise) and checked the client may update it (REFUSED otherwise, §3.3).
/// </summary>
/// <remarks>
/// Order of work, as the RFC's pseudocode: the prerequisites (§3.2), then the prescan of the whole update section
/// (§3.4.1), then each update RR in turn against the zone as the earlier ones left it (§3.4.2). Where the RFC is loose
/// the engine does what BIND 9 does:
/// <list type="bullet">
/// <item>A duplicate RR is not added again, but its TTL becomes the TTL of the whole RRset: adding an RR always sets its
/// RRset's TTL to the added RR's TTL.</item>
/// <item>A CNAME may share its owner with RRSIG, NSEC, SIG, KEY and NXT (RFC 2535 §2.3.5, RFC 4035 §2.5), nothing
/// else: a CNAME added to a name with other data is ignored, and so is other data added to a CNAME.</item>
/// <item>A SOA replaces the zone's only when its serial is greater (RFC 1982); elsewhere than the apex it is ignored.</item>
/// <item>The last NS at the apex is never deleted by a class NONE delete; a delegation's last NS may be.</item>
/// <item>When the update changed the zone and did not itself raise the serial, the serial goes up by one (0 skipped),
/// as BIND's default <c>serial-update-method increment</c>. An update whose changes cancel out changes nothing.</item>
/// </list>
/// </remarks>
public static class UpdateEngine
{
    private const ushort Maila = 254, Mailb = 253, Tkey = 249, Wks = 11;

    public static UpdateResult Apply(UpdateMessage update, IRRsetView zone, bool incrementSerial = true)
    {
        if (update.ZoneClass is RrClass.ANY or RrClass.NONE) return UpdateResult.Error(Rcode.NotAuth);
        var zname = DnsName.Normalize(update.Zone);
        var rcode = CheckPrerequisites(update, zname, zone);
        if (rcode != Rcode.NoError) return UpdateResult.Error(rcode);
        rcode = Prescan(update, zname);
        if (rcode != Rcode.NoError) return UpdateResult.Error(rcode);

        var work = new Overlay(zone);
        var serialSet = false;
        foreach (var rr in update.Updates)
        {
            var owner = DnsName.Normalize(rr.Name);
            if (rr.Class == update.ZoneClass) serialSet |= Add(work, rr, owner);
            else if (rr.Class == RrClass.ANY) DeleteRRsets(work, rr, owner, zname);
            else DeleteRR(work, rr, owner, zname);
        }

        if (incrementSerial && !serialSet && work.NetChanges().Count > 0) IncrementSerial(work, zname);
        return new UpdateResult(Rcode.NoError, work.NetChanges());
    }

    /// <summary>The serial after <paramref name="serial"/> (RFC 1982 wrap-around; 0 is skipped, as BIND does).</summary>
    public static uint NextSerial(uint serial) => serial == uint.MaxValue ? 1 : serial + 1;

    // ---------------------------------------------------------------- §3.2 prerequisites

    private static int CheckPrerequisites(UpdateMessage update, string zname, IRRsetView zone)
    {
        List<(string Owner, ushort Type, List<DnsRecord> Records)>? temp = null;
        foreach (var rr in update.Prerequisites)
        {
            if (rr.Ttl != 0) return Rcode.FormErr;
            var owner = DnsName.Normalize(rr.Name);
            if (!DnsName.IsSubdomain(owner, zname)) return Rcode.NotZone;
            if (rr.Class == RrClass.ANY)
            {
                if (rr.RData.Length != 0) return Rcode.FormErr;
                if (rr.Type == RrType.ANY)
                {
                    if (!zone.NameInUse(owner)) return Rcode.NxDomain;
                }
                else if (zone.Get(owner, rr.Type) is not { Count: > 0 })
                {
                    return Rcode.NxRrset;
                }
            }
            else if (rr.Class == RrClass.NONE)
            {
                if (rr.RData.Length != 0) return Rcode.FormErr;
                if (rr.Type == RrType.ANY)
                {
                    if (zone.NameInUse(owner)) return Rcode.YxDomain;
                }
                else if (zone.Get(owner, rr.Type) is { Count: > 0 })
                {
                    return Rcode.YxRrset;
                }
            }
            else if (rr.Class == update.ZoneClass)
            {
                temp ??= [];
                var set = FindOrAdd(temp, owner, rr.Type);
                if (IndexOf(set, rr) < 0) set.Add(rr);
            }
            else
            {
                return Rcode.FormErr;
            }
        }

        if (temp is null) return Rcode.NoError;
        foreach (var (owner, type, records) in temp)
        {
            // §3.2.3: the RRset must exist and hold exactly these RRs (TTL aside).
            var current = zone.Get(owner, type) ?? [];
            if (!SameRRs(current, records)) return Rcode.NxRrset;
        }
        return Rcode.NoError;
    }

    private static List<DnsRecord> FindOrAdd(List<(string Owner, ushort Type, List<DnsRecord> Records)> temp, string owner, ushort type)
    {
        foreach (var t in temp)
        {
            if (t.Type == type && t.Owner == owner) return t.Records;
        }
        var records = new List<DnsRecord>();
        temp.Add((owner, type, records));
        return records;
    }

    // ---------------------------------------------------------------- §3.4.1 prescan

    private static int Prescan(UpdateMessage update, string zname)
    {
        foreach (var rr in update.Updates)
        {
            if (!DnsName.IsSubdomain(DnsName.Normalize(rr.Name), zname)) return Rcode.NotZone;
            if (rr.Class == update.ZoneClass)
            {
                if (IsMeta(rr.Type)) return Rcode.FormErr;
                if (rr.RData.Length == 0 && !RData.TryReadFromMessage(rr.Type, [], 0, 0, out _)) return Rcode.FormErr;
            }
            else if (rr.Class == RrClass.ANY)
            {
                if (rr.Ttl != 0 || rr.RData.Length != 0 || (rr.Type != RrType.ANY && IsMeta(rr.Type))) return Rcode.FormErr;
            }
            else if (rr.Class == RrClass.NONE)
            {
                if (rr.Ttl != 0 || IsMeta(rr.Type)) return Rcode.FormErr;
            }
            else
            {
                return Rcode.FormErr;
            }
        }
        return Rcode.NoError;
    }

    /// <summary>Types that never live in a zone: ANY, AXFR, IXFR, MAILA, MAILB (RFC 2136) and OPT, TSIG, TKEY (as BIND).</summary>
    private static bool IsMeta(ushort type) =>
        type is RrType.ANY or RrType.AXFR or RrType.IXFR or Maila or Mailb or RrType.OPT or RrType.TSIG or Tkey;

    /// <summary>Types that may share an owner with a CNAME: the DNSSEC ones (BIND's ATCNAME types).</summary>
    private static bool MayJoinCname(ushort type) => type is RrType.RRSIG or RrType.NSEC or 24 /* SIG */ or 25 /* KEY */ or 30 /* NXT */;

    // ---------------------------------------------------------------- §3.4.2 update

    /// <summary>§3.4.2.2: add to an RRset. True when this replaced the zone's SOA (its serial went up).</summary>
    private static bool Add(Overlay work, DnsRecord rr, string owner)
    {
        var types = work.TypesAt(owner);
        if (rr.Type == RrType.CNAME)
        {
            foreach (var t in types)
            {
                if (t != RrType.CNAME && !MayJoinCname(t)) return false;
            }
        }
        else if (!MayJoinCname(rr.Type) && types.Contains(RrType.CNAME))
        {
            return false;
        }

        var existing = work.Get(owner, rr.Type);
        if (rr.Type == RrType.SOA)
        {
            if (existing.Count == 0 || rr.RData.Length < 22 || existing[0].RData.Length < 22) return false;
            if (!RRComparer.SerialGreater(RRComparer.SoaSerial(rr.RData), RRComparer.SoaSerial(existing[0].RData))) return false;
            work.Set(owner, RrType.SOA, [Spelled(rr, existing)]);
            return true;
        }
        if (rr.Type == RrType.CNAME && existing.Count > 0)
        {
            work.Set(owner, RrType.CNAME, [Spelled(rr, existing)]);
            return false;
        }

        var list = new List<DnsRecord>(existing.Count + 1);
        var found = false;
        foreach (var z in existing)
        {
            if (!found && RRComparer.Equal(z, rr))
            {
                list.Add(z);
                found = true;
            }
            else if (!found && rr.Type == Wks && SameWksService(z, rr))
            {
                list.Add(Spelled(rr, existing));
                found = true;
            }
            else
            {
                list.Add(z);
            }
        }
        if (!found) list.Add(Spelled(rr, existing));
        for (var i = 0; i < list.Count; i++) list[i] = list[i].WithTtl(rr.Ttl);
        work.Set(owner, rr.Type, list);
        return false;
    }

    /// <summary>WKS RRs with the same address and protocol are the same RR for an add (§3.4.2.2).</summary>
    private static bool SameWksService(DnsRecord a, DnsRecord b) =>
        a.RData.Length >= 5 && b.RData.Length >= 5 && a.RData.AsSpan(0, 5).SequenceEqual(b.RData.AsSpan(0, 5));

    /// <summary>The record as added: its owner spelled as the RRset it joins already spells it.</summary>
    private static DnsRecord Spelled(DnsRecord rr, IReadOnlyList<DnsRecord> existing) =>
        existing.Count > 0 && existing[0].Name != rr.Name ? rr.WithName(existing[0].Name) : rr;

    /// <summary>§3.4.2.3: class ANY deletes an RRset, or with type ANY every RRset of a name (at the apex, not SOA and NS).</summary>
    private static void DeleteRRsets(Overlay work, DnsRecord rr, string owner, string zname)
    {
        var apex = owner == zname;
        if (rr.Type == RrType.ANY)
        {
            foreach (var t in work.TypesAt(owner))
            {
                if (apex && t is RrType.SOA or RrType.NS) continue;
                work.Set(owner, t, []);
            }
            return;
        }
        if (apex && rr.Type is RrType.SOA or RrType.NS) return;
        if (work.Get(owner, rr.Type).Count > 0) work.Set(owner, rr.Type, []);
    }

    /// <summary>§3.4.2.4: class NONE deletes one RR; never the SOA, never the last NS at the apex.</summary>
    private static void DeleteRR(Overlay work, DnsRecord rr, string owner, string zname)
    {
        if (rr.Type == RrType.SOA) return;
        var existing = work.Get(owner, rr.Type);
        var at = IndexOf(existing, rr);
        if (at < 0) return;
        if (rr.Type == RrType.NS && owner == zname && existing.Count == 1) return;
        var list = new List<DnsRecord>(existing.Count - 1);
        for (var i = 0; i < existing.Count; i++)
        {
            if (i != at) list.Add(existing[i]);
        }
        work.Set(owner, rr.Type, list);
    }

    private static void IncrementSerial(Overlay work, string zname)
    {
        var soa = work.Get(zname, RrType.SOA);
        if (soa.Count == 0 || soa[0].RData.Length < 22) return;
        var old = soa[0];
        var rdata = (byte[])old.RData.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(rdata.AsSpan(rdata.Length - 20), NextSerial(RRComparer.SoaSerial(rdata)));
        work.Set(zname, RrType.SOA, [new DnsRecord(old.Name, RrType.SOA, old.Class, old.Ttl, rdata)]);
    }

    // ---------------------------------------------------------------- helpers

    private static int IndexOf(IReadOnlyList<DnsRecord> set, DnsRecord rr)
    {
        for (var i = 0; i < set.Count; i++)
        {
            if (RRComparer.Equal(set[i], rr)) return i;
        }
        return -1;
    }

    /// <summary>Same RRs by RFC 2136 §1.1.1 equality (TTL aside); duplicates count once.</summary>
    private static bool SameRRs(IReadOnlyList<DnsRecord> a, IReadOnlyList<DnsRecord> b)
    {
        foreach (var r in a)
        {
            if (IndexOf(b, r) < 0) return false;
        }
        foreach (var r in b)
        {
            if (IndexOf(a, r) < 0) return false;
        }
        return true;
    }

    /// <summary>Same RRs with the same TTLs: an RRset the update left as it found it.</summary>
    private static bool Unchanged(IReadOnlyList<DnsRecord> before, IReadOnlyList<DnsRecord> after)
    {
        if (before.Count != after.Count) return false;
        foreach (var r in after)
        {
            var i = IndexOf(before, r);
            if (i < 0 || before[i].Ttl != r.Ttl || before[i].Class != r.Class) return false;
        }
        return SameRRs(before, after);
    }

    /// <summary>The zone as the update has modified it so far: changed RRsets over the untouched view.</summary>
    private sealed class Overlay(IRRsetView zone)
    {
        private readonly Dictionary<(string Owner, ushort Type), List<DnsRecord>> _sets = [];
        private readonly List<(string Owner, ushort Type)> _order = [];
        private readonly Dictionary<string, List<ushort>> _typesByOwner = [];

        public IReadOnlyList<DnsRecord> Get(string owner, ushort type) =>
            _sets.TryGetValue((owner, type), out var set) ? set : zone.Get(owner, type) ?? [];

        public void Set(string owner, ushort type, List<DnsRecord> records)
        {
            if (!_sets.TryAdd((owner, type), records))
            {
                _sets[(owner, type)] = records;
                return;
            }
            _order.Add((owner, type));
            if (!_typesByOwner.TryGetValue(owner, out var types)) _typesByOwner[owner] = types = [];
            types.Add(type);
        }

        /// <summary>The types with RRs at <paramref name="owner"/> now (a copy: callers may change the zone while iterating).</summary>
        public List<ushort> TypesAt(string owner)
        {
            var types = new List<ushort>();
            foreach (var t in zone.TypesAt(owner))
            {
                if (!types.Contains(t) && Get(owner, t).Count > 0) types.Add(t);
            }
            if (_typesByOwner.TryGetValue(owner, out var mine))
            {
                foreach (var t in mine)
                {
                    if (!types.Contains(t) && Get(owner, t).Count > 0) types.Add(t);
                }
            }
            return types;
        }

        public List<RRsetChange> NetChanges()
        {
            var changes = new List<RRsetChange>();
            foreach (var key in _order)
            {
                var after = _sets[key];
                if (!Unchanged(zone.Get(key.Owner, key.Type) ?? [], after)) changes.Add(new RRsetChange(key.Owner, key.Type, after.ToArray()));
            }
            return changes;
        }
    }
}
