using Akka.Configuration;
using Akka.Dispatch;

namespace Akka.Dns.Server.Pipeline;

/// <summary>
/// An executor that runs an actor's mailbox on the thread that scheduled it (the thread that told the actor,
/// when the actor was idle). The mailbox still guarantees one thread at a time per actor: a message told
/// while the actor runs elsewhere is queued and processed by that thread. Selected with
/// <c>akka.dns.dispatcher.executor = "Akka.Dns.Server.Pipeline.InlineExecutorConfigurator, Akka.Dns"</c>.
/// </summary>
public sealed class InlineExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new InlineExecutor(id);

    private sealed class InlineExecutor(string id) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => run.Run();

        public override void Shutdown()
        {
        }
    }
}
