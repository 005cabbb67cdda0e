using Akka.Dns.Wire;
using Xunit;
using static Akka.Dns.Tests.Wire.WireTestKit;

namespace Akka.Dns.Tests.Wire;

public class DnsNameSpec
{
    private static string RoundTrip(string name)
    {
        var buf = new byte[DnsName.MaxWireLength + 2];
        var n = DnsName.TryWrite(name, buf);
        Assert.True(n > 0, $"TryWrite({name}) failed");
        var off = 0;
        Assert.True(DnsName.TryRead(buf.AsSpan(0, n), ref off, out var back));
        Assert.Equal(n, off);
        return back;
    }

    [Theory]
    [InlineData(".", ".")]
    [InlineData("", ".")]
    [InlineData("example.org.", "example.org.")]
    [InlineData("example.org", "example.org.")]
    [InlineData("MiXeD.CaSe.ORG.", "MiXeD.CaSe.ORG.")]
    [InlineData(@"a\.b.example.", @"a\.b.example.")]
    [InlineData(@"\000.x.", @"\000.x.")]
    [InlineData(@"\255", @"\255.")]
    [InlineData(@"\065\066c.", "ABc.")]
    [InlineData(@"a\\b.", @"a\\b.")]
    [InlineData(@"sp\ ace.", @"sp\ ace.")]
    [InlineData(@"\(\)\;\@\'\"".", @"\(\)\;\@\'\"".")]
    [InlineData(@"a\$b.", "a$b.")]           // miekg/dns does not escape '$' in names
    [InlineData("it's.", @"it\'s.")]          // but does escape '\''
    [InlineData("a$b.", "a$b.")]
    [InlineData(@"tab\009.", @"tab\009.")]
    [InlineData(@"\127\128.", @"\127\128.")]
    [InlineData("_sip._tcp.example.org.", "_sip._tcp.example.org.")]
    [InlineData("*.example.org.", "*.example.org.")]
    public void Name_should_round_trip_through_the_wire(string name, string expected)
    {
        Assert.Equal(expected, RoundTrip(name));
    }

    [Theory]
    [InlineData(@"a\.b.example.", new byte[] { 3, (byte)'a', (byte)'.', (byte)'b', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 0 })]
    [InlineData(@"\000.x.", new byte[] { 1, 0, 1, (byte)'x', 0 })]
    [InlineData(@"\255", new byte[] { 1, 255, 0 })]
    [InlineData(".", new byte[] { 0 })]
    [InlineData("Ab.", new byte[] { 2, (byte)'A', (byte)'b', 0 })]
    public void Name_should_encode_to_the_exact_wire_bytes(string name, byte[] wire)
    {
        Assert.Equal(wire, Name(name));
    }

    [Theory]
    [InlineData("www.example.org.")]
    [InlineData("WwW.ExAmPlE.oRg.")]
    [InlineData(@"a\.b.example.")]
    [InlineData(@"\000.x.")]
    [InlineData("_dns._udp.example.")]
    public void Name_wire_form_should_match_what_ARSoft_encodes(string name)
    {
        var packet = Encode(Query(name, edns: false));
        var ours = Name(name);
        Assert.Equal(ours, packet.AsSpan(12, ours.Length).ToArray(), new CaseInsensitiveByteComparer());
    }

    private sealed class CaseInsensitiveByteComparer : IEqualityComparer<byte>
    {
        private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
        public bool Equals(byte x, byte y) => Lower(x) == Lower(y);
        public int GetHashCode(byte b) => Lower(b);
    }

    [Fact]
    public void Name_should_keep_its_case_on_read()
    {
        var wire = Name("WWW.Example.ORG.");
        var off = 0;
        Assert.True(DnsName.TryRead(wire, ref off, out var name));
        Assert.Equal("WWW.Example.ORG.", name);
    }

    [Fact]
    public void Name_read_should_follow_a_pointer_and_stop_after_it()
    {
        // offset 0: "org."; offset 5: "example" + pointer to 0; then a trailing byte.
        byte[] msg = [3, (byte)'o', (byte)'r', (byte)'g', 0, 7, .. "example"u8, 0xC0, 0, 0xEE];
        var off = 5;
        Assert.True(DnsName.TryRead(msg, ref off, out var name));
        Assert.Equal("example.org.", name);
        Assert.Equal(15, off);
        off = 5;
        Assert.True(DnsName.TrySkip(msg, ref off));
        Assert.Equal(15, off);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0 })]                  // self pointer
    [InlineData(new byte[] { 0xC0, 2, 0xC0, 0 })]         // two-pointer cycle
    [InlineData(new byte[] { 0xC0, 9 })]                  // past the end
    [InlineData(new byte[] { 0xC0 })]                     // half a pointer
    [InlineData(new byte[] { 0x40, 0 })]
    [InlineData(new byte[] { 0x80, 0 })]
    [InlineData(new byte[] { 3, (byte)'a', (byte)'b' })] // label past the end
    [InlineData(new byte[] { 1, (byte)'a' })]             // no root label
    [InlineData(new byte[] { })]
    public void Name_read_should_fail_on_malformed_input(byte[] msg)
    {
        var off = 0;
        Assert.False(DnsName.TryRead(msg, ref off, out _));
        Assert.Equal(0, off);
    }

    [Fact]
    public void Name_read_should_reject_a_name_longer_than_255_octets_but_accept_255()
    {
        var ok = Name(Long(255));
        Assert.Equal(255, ok.Length);
        var off = 0;
        Assert.True(DnsName.TryRead(ok, ref off, out var name));
        Assert.Equal(Long(255), name);

        // 256 octets: the 255-octet name with one more octet in its first label.
        byte[] tooLong = [(byte)(ok[0] + 1), (byte)'z', .. ok.AsSpan(1)];
        off = 0;
        Assert.False(DnsName.TryRead(tooLong, ref off, out _));
    }

    /// <summary>A name of exactly <paramref name="octets"/> on the wire, in presentation form.</summary>
    private static string Long(int octets)
    {
        var labels = new List<string>();
        var left = octets - 1;
        while (left > 0)
        {
            var l = Math.Min(63, left - 1);
            if (left - (l + 1) == 1) l--;
            labels.Add(new string('c', l));
            left -= l + 1;
        }
        return string.Join('.', labels) + ".";
    }

    [Theory]
    [InlineData("a..b.")]
    [InlineData("a..")]
    [InlineData("..")]
    [InlineData(".a.")]
    [InlineData(@"\256.")]
    [InlineData(@"\999.")]
    [InlineData("caf\u20ac.")]
    public void Name_write_should_reject_invalid_names(string name)
    {
        Assert.Equal(-1, DnsName.TryWrite(name, new byte[512]));
        Assert.False(DnsName.IsValid(name));
    }

    [Fact]
    public void Name_write_should_reject_a_64_octet_label_and_accept_63()
    {
        Assert.Equal(65, DnsName.TryWrite(new string('a', 63) + ".", new byte[512]));
        Assert.Equal(-1, DnsName.TryWrite(new string('a', 64) + ".", new byte[512]));
        Assert.Equal(-1, DnsName.TryWrite(new string('a', 64) + ".org.", new byte[512]));
        Assert.Equal(-1, DnsName.TryWrite(@"\000" + new string('a', 63) + ".", new byte[512]));
    }

    [Fact]
    public void Name_write_should_reject_more_than_255_octets_and_accept_255()
    {
        Assert.Equal(255, DnsName.TryWrite(Long(255), new byte[512]));
        Assert.Equal(-1, DnsName.TryWrite(Long(256), new byte[512]));
        Assert.Equal(-1, DnsName.TryWrite(Long(300), new byte[512]));
        Assert.Equal(255, DnsName.TryWrite(Long(255).TrimEnd('.'), new byte[512]));   // relative: same wire length
        Assert.True(DnsName.IsValid(Long(255)));
        Assert.False(DnsName.IsValid(Long(256)));
    }

    [Fact]
    public void Name_write_should_fail_rather_than_overrun_a_small_buffer()
    {
        var full = Name("www.example.org.").Length;
        for (var size = 0; size < full; size++)
            Assert.Equal(-1, DnsName.TryWrite("www.example.org.", new byte[size]));
        Assert.Equal(full, DnsName.TryWrite("www.example.org.", new byte[full]));
        Assert.Equal(-1, DnsName.TryWrite(".", Span<byte>.Empty));
    }

    [Theory]
    [InlineData("Example.ORG", "example.org.")]
    [InlineData("example.org.", "example.org.")]
    [InlineData("", ".")]
    [InlineData(".", ".")]
    [InlineData(@"a\.", @"a\..")]        // the dot is escaped: still relative
    [InlineData(@"a\\.", @"a\\.")]       // escaped backslash, then a real dot: already absolute
    [InlineData(@"a\\\.", @"a\\\..")]
    public void Name_normalize_should_lower_case_and_qualify(string name, string expected)
    {
        Assert.Equal(expected, DnsName.Normalize(name));
        Assert.True(DnsName.IsValid(DnsName.Normalize(name)));
    }

    [Theory]
    [InlineData("example.org.", "example.org.", true)]
    [InlineData("www.example.org.", "example.org.", true)]
    [InlineData("a.b.c.example.org.", "example.org.", true)]
    [InlineData("WWW.EXAMPLE.ORG.", "example.org.", true)]
    [InlineData("www.example.org.", "Example.Org.", true)]
    [InlineData("fooexample.org.", "example.org.", false)]
    [InlineData("example.org.", "www.example.org.", false)]
    [InlineData("example.com.", "example.org.", false)]
    [InlineData("org.", "example.org.", false)]
    [InlineData(@"a\.b.example.org.", "example.org.", true)]
    [InlineData(@"www\.example.org.", @"example.org.", false)]   // the label is "www.example", the parent is "org."
    [InlineData(@"a\\.example.org.", "example.org.", true)]     // escaped backslash, then a real dot
    [InlineData("anything.", ".", true)]
    [InlineData(".", ".", true)]
    [InlineData(".", "org.", false)]
    public void Name_is_subdomain_should_respect_label_boundaries(string name, string zone, bool expected)
    {
        Assert.Equal(expected, DnsName.IsSubdomain(name, zone));
    }

    [Theory]
    [InlineData("a.b.c.", 0, 2)]
    [InlineData("a.b.c.", 2, 4)]
    [InlineData("a.b.c.", 4, -1)]
    [InlineData("www.example.org.", 0, 4)]
    [InlineData(@"a\.b.c.", 0, 5)]
    [InlineData(@"a\\.b.", 0, 4)]
    [InlineData(@"\046.b.", 0, 5)]
    [InlineData(".", 0, -1)]
    [InlineData("a.b", 0, 2)]
    [InlineData("a.b", 2, -1)]
    public void Name_next_label_should_skip_escaped_dots(string name, int start, int expected)
    {
        Assert.Equal(expected, DnsName.NextLabel(name, start));
    }

    [Theory]
    [InlineData(".", 0)]
    [InlineData("", 0)]
    [InlineData("org.", 1)]
    [InlineData("example.org.", 2)]
    [InlineData("a.b.c.d.e.", 5)]
    [InlineData(@"a\.b.example.", 2)]
    [InlineData(@"a\\.b.", 2)]
    [InlineData("a.b", 2)]
    public void Name_count_labels_should_count_real_labels(string name, int expected)
    {
        Assert.Equal(expected, DnsName.CountLabels(name));
        Assert.Equal(expected, ARSoft.Tools.Net.DomainName.Parse(name.Length == 0 ? "." : name).LabelCount);
    }

    [Fact]
    public void Name_equality_should_ignore_ASCII_case()
    {
        Assert.True(DnsName.EqualsIgnoreCase("WWW.Example.org.", "www.example.ORG."));
        Assert.False(DnsName.EqualsIgnoreCase("www.example.org.", "www.example.org"));
    }
}
