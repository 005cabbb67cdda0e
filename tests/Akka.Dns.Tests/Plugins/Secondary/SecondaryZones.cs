using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Tests.Plugins.Secondary;

/// <summary>Zone data for the fake primary: example.org. with a given serial, SOA timers and address of www.</summary>
public static class SecondaryZones
{
    public static IReadOnlyList<DnsRecord> ExampleOrg(uint serial, string www = "192.0.2.1", uint refresh = 3600, uint retry = 600, uint expire = 86400) =>
        MasterFile.Parse($"""
            $TTL 3600
            @       IN SOA ns1 hostmaster {serial} {refresh} {retry} {expire} 300
                    IN NS  ns1
                    IN MX  10 mail
            ns1     IN A   192.0.2.53
            mail    IN A   192.0.2.25
            www     IN A   {www}
            alias   IN CNAME www
            _sip._tcp IN SRV 10 20 5060 sip
            sip     IN AAAA 2001:db8::5
            txt     IN TXT "hello" "world"
            sub     IN NS  ns.sub
            ns.sub  IN A   192.0.2.99
            """, "example.org.", "example.org");
}
