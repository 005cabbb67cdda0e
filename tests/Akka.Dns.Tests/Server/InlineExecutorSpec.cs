using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Server;

public sealed class InlineExecutorSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    inline { type = Dispatcher, executor = "Akka.Dns.Server.Pipeline.InlineExecutorConfigurator, Akka.Dns", throughput = 100 }
    """), output: output)
{
    private sealed class Recorder : UntypedActor
    {
        private int _running;
        public static readonly List<(int Thread, int Concurrent)> Seen = [];

        protected override void OnReceive(object message)
        {
            var c = Interlocked.Increment(ref _running);
            lock (Seen) Seen.Add((Environment.CurrentManagedThreadId, c));
            if (message is int n && n > 0) Self.Tell(n - 1);   // re-entrant tell: queued, not nested
            Thread.SpinWait(1000);
            Interlocked.Decrement(ref _running);
            if (message is string) Sender.Tell("done");
        }
    }

    [Fact]
    public void An_idle_actor_should_run_on_the_thread_that_told_it_and_never_on_two_threads_at_once()
    {
        var a = Sys.ActorOf(Props.Create(() => new Recorder()).WithDispatcher("inline"));
        a.Tell("warm-up", TestActor);
        ExpectMsg("done");
        lock (Recorder.Seen) Recorder.Seen.Clear();

        var caller = Environment.CurrentManagedThreadId;
        a.Tell(3);
        lock (Recorder.Seen)
        {
            // The whole run (the message and the three it told itself) happened on this thread, before Tell returned.
            Assert.Equal(4, Recorder.Seen.Count);
            Assert.All(Recorder.Seen, s => Assert.Equal(caller, s.Thread));
            Recorder.Seen.Clear();
        }

        // Many threads telling at once: the mailbox still serialises the actor.
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => a.Tell(i % 2));
        a.Tell("end", TestActor);
        ExpectMsg("done", TimeSpan.FromSeconds(10));
        lock (Recorder.Seen) Assert.All(Recorder.Seen, s => Assert.Equal(1, s.Concurrent));
    }
}
