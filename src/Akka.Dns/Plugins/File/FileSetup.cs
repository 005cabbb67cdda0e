using Akka.Actor;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// <c>file DBFILE [ZONES...] { reload DURATION; fallthrough [ZONES...] }</c>, as CoreDNS's fileParse: each zone
/// is parsed at start-up (a parse error stops start-up); a file that cannot be opened is an error unless
/// reload is on, then it is retried.
/// </summary>
[Plugin("file")]
public sealed class FileSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var slots = new List<ZoneSlot>();
        var fall = Fallthrough.Never;
        Exception? openError = null;
        var reload = TimeSpan.FromMinutes(1);
        foreach (var r in context.Readers())
        {
            r.Next();
            if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
            var fileName = context.ResolvePath(r.Val);
            var origins = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            var here = new List<ZoneSlot>();
            foreach (var origin in origins)
            {
                var slot = new ZoneSlot(origin, fileName);
                try
                {
                    if (!System.IO.File.Exists(fileName)) throw new FileNotFoundException($"open {fileName}: no such file or directory");
                    slot.Current = Zone.Build(origin, MasterFile.ParseFile(fileName, origin));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    openError = e;
                }
                catch (MasterFileException e)
                {
                    throw context.Error(r, e.Message);
                }
                catch (FormatException e)
                {
                    throw context.Error(r, $"{fileName}: {e.Message}");
                }
                here.Add(slot);
            }
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "fallthrough":
                        fall = Fallthrough.FromArgs(r.RemainingArgs(), r);
                        break;
                    case "reload":
                    {
                        var t = r.RemainingArgs();
                        if (t.Length < 1) throw context.Error(r, "reload duration value is expected");
                        if (!GoDuration.TryParse(t[0], out var ns, out var why)) throw context.Error(r, why);
                        reload = TimeSpan.FromTicks(ns / 100);
                        break;
                    }
                    case "upstream":
                        r.RemainingArgs();   // accepted and ignored, as CoreDNS does
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
            slots.AddRange(here);
        }
        if (openError is not null && reload == TimeSpan.Zero)
            throw context.Error(context.Readers().First(), openError.Message);
        if (openError is not null) LineLog.Warning($"plugin/file: Failed to open {openError.Message}: trying again in {GoDuration.Format((long)reload.TotalMilliseconds * 1_000_000)}");
        foreach (var s in slots) s.Reload = reload;
        return new FilePlugin(slots, fall);
    }
}

/// <summary>One zone the plugin serves: its file and the current snapshot (null until loaded).</summary>
public sealed class ZoneSlot(string origin, string fileName)
{
    private volatile Zone? _current;

    public string Origin { get; } = origin;
    public string FileName { get; } = fileName;
    public TimeSpan Reload { get; set; } = TimeSpan.FromMinutes(1);

    public Zone? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>
    /// Re-reads the file and, when the SOA serial changed (or nothing was loaded yet), swaps in the new snapshot and
    /// returns it; null when nothing changed. A missing file or one with an error is logged and the running version
    /// keeps serving (CoreDNS's reload semantics). The owner actor calls it every reload interval; the sign plugin
    /// calls it right after it wrote this file.
    /// </summary>
    public Zone? Refresh()
    {
        Zone next;
        if (!System.IO.File.Exists(FileName))
        {
            if (Current is not null) LineLog.Error($"plugin/file: {FileName} is gone, keeping the running version of {Origin}");
            return null;
        }
        try
        {
            next = Zone.Build(Origin, MasterFile.ParseFile(FileName, Origin));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MasterFileException or FormatException)
        {
            LineLog.Error($"plugin/file: failed to reload {Origin} from {FileName}, keeping the running version: {e.Message}");
            return null;
        }
        var current = Current;
        if (current is not null && current.Serial == next.Serial) return null;
        Current = next;
        LineLog.Info($"plugin/file: successfully reloaded zone {Origin} in {FileName} with serial {next.Serial}");
        return next;
    }
}

public sealed class FilePlugin(IReadOnlyList<ZoneSlot> slots, Fallthrough fallthrough) : Plugin("file"), ITransferer
{
    private readonly List<IActorRef> _owners = [];

    public IReadOnlyList<ZoneSlot> Slots { get; } = slots;
    public Fallthrough Fallthrough { get; } = fallthrough;

    public override Props HandlerProps(ChainLink? next) => FileActor.Props(this, next);

    public IEnumerable<string> TransferZones => Slots.Select(s => s.Origin);

    public Zone? GetZone(string origin)
    {
        foreach (var s in Slots)
            if (Wire.DnsName.EqualsIgnoreCase(s.Origin, origin)) return s.Current;
        return null;
    }

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        foreach (var slot in Slots)
            if (slot.Reload > TimeSpan.Zero)
                _owners.Add(host.System.ActorOf(ZoneOwnerActor.Props(slot)));
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        foreach (var o in _owners) o.Tell(PoisonPill.Instance);
        _owners.Clear();
        return Task.CompletedTask;
    }
}
