using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server.Listeners;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Server;

public sealed class PacketHandlerSpec
{
    private static DnsMessage? Direct(byte[] packet)
    {
        var q = PacketHandler.Accept(packet, packet.Length, out var reply);
        Assert.Null(q);
        if (reply is null) return null;
        var buf = PacketHandler.Encode(reply, 512, out var len);
        return DnsMessage.Parse(new ArraySegment<byte>(buf, 0, len));
    }

    [Fact]
    public void Handler_should_answer_notimp_for_a_status_request_with_the_id_and_opcode()
    {
        var m = Direct(new QueryBuilder("example.org.", RrType.SOA) { Opcode = Opcode.Status, Id = 777 }.Build())!;
        Assert.Equal(ReturnCode.NotImplemented, m.ReturnCode);
        Assert.Equal(777, m.TransactionID);
        Assert.True(m.IsQuery == false);
    }

    [Fact]
    public void Handler_should_answer_formerr_for_two_questions()
    {
        var p = new QueryBuilder("example.org.") { Id = 4242 }.Build();
        p[5] = 2;
        var m = Direct(p)!;
        Assert.Equal(ReturnCode.FormatError, m.ReturnCode);
        Assert.Equal(4242, m.TransactionID);
    }

    [Fact]
    public void Handler_should_answer_formerr_with_the_question_when_the_opt_is_broken()
    {
        var p = new QueryBuilder("example.org.") { UdpSize = 1232, Options = [(10, new byte[8])] }.Build();
        p[^10] = 0xFF;   // option length larger than the RDATA
        var m = Direct(p)!;
        Assert.Equal(ReturnCode.FormatError, m.ReturnCode);
        Assert.Equal("example.org", m.Questions[0].Name.ToString().TrimEnd('.'));
    }

    [Fact]
    public void Handler_should_drop_responses_and_runts_silently()
    {
        var p = new QueryBuilder("example.org.").Build();
        p[2] |= 0x80;
        Assert.Null(Direct(p));
        Assert.Null(Direct(p[..11]));
    }

    [Fact]
    public void Handler_should_accept_a_notify()
    {
        var p = new QueryBuilder("example.org.", RrType.SOA) { Opcode = Opcode.Notify }.Build();
        Assert.NotNull(PacketHandler.Accept(p, p.Length, out _));
    }
}
