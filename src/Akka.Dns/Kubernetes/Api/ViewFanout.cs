using System.Collections.Immutable;
using Akka.Dns.Kubernetes.Model;
using Akka.Event;

namespace Akka.Dns.Kubernetes.Api;

/// <summary>Where a kubernetes plugin gets its <see cref="K8sView"/> snapshots: its own watcher, or a cluster's one.</summary>
public interface IK8sViewSource
{
    /// <summary>The latest snapshot; null before the first one.</summary>
    K8sView? Current { get; }

    /// <summary>
    /// Calls <paramref name="onView"/> with the latest snapshot from now on (first the current one, if any), one
    /// snapshot at a time on a publishing task, never an older one after a newer one; a burst may skip to the
    /// latest. A throwing callback is logged and kept. Dispose the result to unsubscribe.
    /// </summary>
    IDisposable Subscribe(Action<K8sView> onView);
}

/// <summary>
/// Hands the latest published <see cref="K8sView"/> to every subscriber on one background task: a publisher never
/// waits for a subscriber (an index build takes tens of milliseconds at 10,000 services), each subscriber sees
/// every snapshot that was the latest when it got its turn, and none twice.
/// </summary>
public sealed class ViewFanout : IK8sViewSource, IAsyncDisposable
{
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile ImmutableList<Subscriber> _subscribers = ImmutableList<Subscriber>.Empty;
    private volatile K8sView? _current;
    private int _pending;

    public ViewFanout(ILoggingAdapter? log = null)
    {
        _log = log ?? NoLogger.Instance;
        _loop = Task.Run(Loop);
    }

    public K8sView? Current => _current;

    /// <summary>Makes <paramref name="view"/> the latest and wakes the publishing task.</summary>
    public void Publish(K8sView view)
    {
        _current = view;
        Kick();
    }

    public IDisposable Subscribe(Action<K8sView> onView)
    {
        var s = new Subscriber(this, onView);
        lock (_gate) _subscribers = _subscribers.Add(s);
        if (_current is not null) Kick();
        return s;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private void Kick()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0) _signal.Release();
    }

    private async Task Loop()
    {
        var ct = _stop.Token;
        try
        {
            while (true)
            {
                await _signal.WaitAsync(ct).ConfigureAwait(false);
                Interlocked.Exchange(ref _pending, 0);
                if (_current is not { } view) continue;
                foreach (var s in _subscribers)
                {
                    if (ReferenceEquals(s.Last, view)) continue;
                    s.Last = view;
                    try { s.OnView(view); }
                    catch (Exception e) { _log.Error(e, "kubernetes: a view subscriber threw"); }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private sealed class Subscriber(ViewFanout owner, Action<K8sView> onView) : IDisposable
    {
        public readonly Action<K8sView> OnView = onView;
        public K8sView? Last;

        public void Dispose()
        {
            lock (owner._gate) owner._subscribers = owner._subscribers.Remove(this);
        }
    }
}
