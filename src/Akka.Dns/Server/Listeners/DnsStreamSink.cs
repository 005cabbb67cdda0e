using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// The read side of a DNS stream connection (TCP, DoT): splits the byte stream into messages by their 2-byte
/// big-endian length prefix (RFC 1035 §4.2.2) and hands each to <see cref="StreamConnection.OnMessage"/>.
/// It also enforces the connection's time limits, which is why it is one stage and not Framing.LengthField:
/// no complete message for idle-timeout, or a message started but not finished within read-timeout (a client
/// trickling bytes), and the connection is closed.
/// </summary>
internal sealed class DnsStreamSink : GraphStage<SinkShape<ByteString>>
{
    private readonly StreamConnection _connection;
    private readonly Inlet<ByteString> _in = new("DnsStreamSink.in");

    public DnsStreamSink(StreamConnection connection)
    {
        _connection = connection;
        Shape = new SinkShape<ByteString>(_in);
    }

    public override SinkShape<ByteString> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string Idle = "idle";
        private const string Read = "read";
        private readonly DnsStreamSink _stage;
        private byte[] _buf = new byte[512];
        private int _len;

        public Logic(DnsStreamSink stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, OnPush, OnUpstreamFinish, OnUpstreamFailure);
        }

        private StreamConnection Conn => _stage._connection;

        public override void PreStart()
        {
            ScheduleOnce(Idle, Conn.IdleTimeout);
            Pull(_stage._in);
        }

        private void OnPush()
        {
            var chunk = Grab(_stage._in);
            Append(chunk);
            var off = 0;
            while (_len - off >= 2)
            {
                var size = (_buf[off] << 8) | _buf[off + 1];
                if (_len - off - 2 < size) break;
                var message = _buf.AsSpan(off + 2, size).ToArray();
                off += 2 + size;
                if (!Conn.OnMessage(message))
                {
                    // The per-connection query limit was reached: read no more.
                    Finish("query limit");
                    return;
                }
                ScheduleOnce(Idle, Conn.IdleTimeout);
            }
            if (off > 0)
            {
                Buffer.BlockCopy(_buf, off, _buf, 0, _len - off);
                _len -= off;
            }
            if (_len > 0)
            {
                if (!IsTimerActive(Read)) ScheduleOnce(Read, Conn.ReadTimeout);
            }
            else
            {
                CancelTimer(Read);
            }
            Pull(_stage._in);
        }

        private void Append(ByteString chunk)
        {
            if (_len + chunk.Count > _buf.Length)
            {
                var size = _buf.Length;
                while (size < _len + chunk.Count) size *= 2;
                Array.Resize(ref _buf, Math.Min(size, 2 + 65535 + 65536));
                if (_len + chunk.Count > _buf.Length)
                {
                    Finish("oversized input");
                    return;
                }
            }
            chunk.CopyTo(_buf, _len, chunk.Count);
            _len += chunk.Count;
        }

        private void OnUpstreamFinish() => Finish(null);

        private void OnUpstreamFailure(Exception e) => Finish(e.Message);

        protected override void OnTimer(object timerKey) => Finish((string)timerKey == Idle ? "idle timeout" : "read timeout");

        private void Finish(string? reason)
        {
            Conn.OnInputDone(reason);
            CompleteStage();
        }
    }
}
