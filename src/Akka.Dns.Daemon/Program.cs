using Akka.Dns.Daemon;

return await Daemon.RunAsync(args);
