global using TaskStatus = ActorScheduler.Messages.MesosV1.TaskStatus;
