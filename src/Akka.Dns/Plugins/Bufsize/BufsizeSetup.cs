using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Bufsize;

/// <summary><c>bufsize [SIZE]</c>: SIZE defaults to 1232 (DNS flag day 2020) and must be 512–4096 (RFC 6891).</summary>
[Plugin("bufsize")]
public sealed class BufsizeSetup : IPluginSetup
{
    public const int DefaultSize = 1232;
    public const int MinSize = 512;
    public const int MaxSize = 4096;

    public Plugin Setup(SetupContext context)
    {
        var size = DefaultSize;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            switch (args.Length)
            {
                case 0:
                    break;
                case 1:
                    if (!int.TryParse(args[0], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out size)
                        || size < MinSize || size > MaxSize)
                        throw context.Error(r, r.ArgErr().Detail);
                    break;
                default:
                    throw context.Error(r, r.ArgErr().Detail);
            }
        }
        return new BufsizePlugin((ushort)size);
    }
}

public sealed class BufsizePlugin(ushort size) : Plugin("bufsize")
{
    public ushort Size { get; } = size;

    public override Props HandlerProps(ChainLink? next) => BufsizeActor.Props(Size, next);
}
