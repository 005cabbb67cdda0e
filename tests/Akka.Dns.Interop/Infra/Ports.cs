namespace Akka.Dns.Interop.Infra;

/// <summary>Free loopback ports, free for both UDP and TCP at the moment of asking (see tests/Shared/TestPorts.cs).</summary>
public static class Ports
{
    public static int Free() => Akka.Dns.TestSupport.TestPorts.Free();
}
