using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// recvmmsg(2)/sendmmsg(2) for one UDP receive thread (Linux, 64-bit): one system call receives up to
/// <see cref="Capacity"/> datagrams, and the replies written while they are handled on this thread leave
/// together in one sendmmsg. Knot and NSD do the same; on this machine three quarters of the server's CPU
/// was kernel time, most of it per-packet system call entry.
/// All memory is native and owned by this object (one per thread, never shared).
/// </summary>
internal sealed unsafe class UdpBatch : IDisposable
{
    private const int MsgWaitForOne = 0x10000;
    private const int MsgTrunc = 0x20;
    private const int Eintr = 4;
    private const int Eagain = 11;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;
    private const int NameSize = 128; // sizeof(struct sockaddr_storage)
    private const int SendArenaSize = 256 * 1024;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Hdr;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int recvmmsg(int fd, MMsgHdr* msgs, uint vlen, int flags, void* timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int sendmmsg(int fd, MMsgHdr* msgs, uint vlen, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, void* value, uint length);

    /// <summary>True where recvmmsg/sendmmsg and this struct layout apply.</summary>
    public static bool Supported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>
    /// Makes a blocking receive on <paramref name="socket"/> return after <paramref name="timeout"/> with EAGAIN,
    /// so a receive thread outside .NET's own socket calls still notices that the listener is stopping.
    /// </summary>
    public static void SetReceiveTimeout(Socket socket, TimeSpan timeout)
    {
        var tv = new TimeVal { Seconds = (long)timeout.TotalSeconds, Microseconds = timeout.Milliseconds * 1000L };
        if (setsockopt((int)socket.Handle, SolSocket, SoRcvTimeo, &tv, (uint)sizeof(TimeVal)) != 0)
            throw new SocketException(Marshal.GetLastPInvokeError());
    }

    private readonly MMsgHdr* _rx;
    private readonly IoVec* _rxIov;
    private readonly byte* _rxNames;
    private readonly byte* _rxData;
    private readonly int _slotSize;

    private readonly MMsgHdr* _tx;
    private readonly IoVec* _txIov;
    private readonly byte* _txNames;
    private readonly byte* _txArena;
    private int _txCount;
    private int _txUsed;

    public UdpBatch(int capacity, int slotSize)
    {
        Capacity = capacity;
        _slotSize = slotSize;
        _rx = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        _rxIov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        _rxNames = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * NameSize));
        _rxData = (byte*)NativeMemory.Alloc((nuint)capacity * (nuint)slotSize);
        _tx = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        _txIov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        _txNames = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * NameSize));
        _txArena = (byte*)NativeMemory.Alloc(SendArenaSize);
        for (var i = 0; i < capacity; i++)
        {
            _rxIov[i].Base = _rxData + (nint)i * slotSize;
            _rxIov[i].Length = (nuint)slotSize;
            _tx[i].Hdr.Iov = _txIov + i;
            _tx[i].Hdr.IovLength = 1;
            _tx[i].Hdr.Name = _txNames + i * NameSize;
            _rx[i].Hdr.Iov = _rxIov + i;
            _rx[i].Hdr.IovLength = 1;
            _rx[i].Hdr.Name = _rxNames + i * NameSize;
        }
    }

    public int Capacity { get; }

    /// <summary>
    /// Blocks until at least one datagram arrived (or the receive timeout passed), then takes whatever else is
    /// queued, up to <see cref="Capacity"/>. Returns the count, 0 on timeout or interruption, or -errno.
    /// </summary>
    public int Receive(int fd)
    {
        for (var i = 0; i < Capacity; i++)
        {
            _rx[i].Hdr.NameLength = NameSize;
            _rx[i].Hdr.Flags = 0;
        }
        var n = recvmmsg(fd, _rx, (uint)Capacity, MsgWaitForOne, null);
        if (n >= 0) return n;
        var errno = Marshal.GetLastPInvokeError();
        return errno is Eagain or Eintr ? 0 : -errno;
    }

    /// <summary>Datagram <paramref name="i"/> of the last receive; empty when it did not fit its slot.</summary>
    public ReadOnlySpan<byte> Packet(int i) =>
        (_rx[i].Hdr.Flags & MsgTrunc) != 0 ? default : new ReadOnlySpan<byte>(_rxIov[i].Base, (int)_rx[i].Length);

    /// <summary>Sender of datagram <paramref name="i"/>, copied into <paramref name="into"/> (the native sockaddr layout .NET uses).</summary>
    public void CopySender(int i, System.Net.SocketAddress into)
    {
        var len = (int)Math.Min(_rx[i].Hdr.NameLength, (uint)into.Buffer.Length);
        new ReadOnlySpan<byte>(_rx[i].Hdr.Name, len).CopyTo(into.Buffer.Span);
        into.Size = len;
    }

    /// <summary>Queues one reply for <see cref="Flush"/>; false when it does not fit (send it directly).</summary>
    public bool TryQueue(int fd, ReadOnlySpan<byte> reply, System.Net.SocketAddress to)
    {
        if (to.Size > NameSize || reply.Length > SendArenaSize) return false;
        if (_txCount == Capacity || _txUsed + reply.Length > SendArenaSize) Flush(fd);
        var dst = _txArena + _txUsed;
        reply.CopyTo(new Span<byte>(dst, reply.Length));
        _txUsed += reply.Length;
        ref var m = ref _tx[_txCount];
        to.Buffer.Span[..to.Size].CopyTo(new Span<byte>(m.Hdr.Name, to.Size));
        m.Hdr.NameLength = (uint)to.Size;
        _txIov[_txCount].Base = dst;
        _txIov[_txCount].Length = (nuint)reply.Length;
        _txCount++;
        return true;
    }

    /// <summary>Sends every queued reply; returns how many left. A reply the kernel refuses is dropped, as a failed sendto would be.</summary>
    public int Flush(int fd)
    {
        var sent = 0;
        var start = 0;
        while (start < _txCount)
        {
            var n = sendmmsg(fd, _tx + start, (uint)(_txCount - start), 0);
            if (n > 0)
            {
                sent += n;
                start += n;
                continue;
            }
            if (n < 0 && Marshal.GetLastPInvokeError() == Eintr) continue;
            start++; // this datagram could not be sent (client gone, buffer full): skip it
        }
        _txCount = 0;
        _txUsed = 0;
        return sent;
    }

    public void Dispose()
    {
        NativeMemory.Free(_rx);
        NativeMemory.Free(_rxIov);
        NativeMemory.Free(_rxNames);
        NativeMemory.Free(_rxData);
        NativeMemory.Free(_tx);
        NativeMemory.Free(_txIov);
        NativeMemory.Free(_txNames);
        NativeMemory.Free(_txArena);
    }
}
