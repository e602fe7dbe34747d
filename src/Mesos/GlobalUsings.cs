// The Mesos TaskStatus is the only TaskStatus this assembly means.
global using TaskStatus = ActorScheduler.Messages.MesosV1.TaskStatus;
