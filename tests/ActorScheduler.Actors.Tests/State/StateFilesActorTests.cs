using ActorScheduler.Actors.State;
using ActorScheduler.Messages.State;
using Akka.Actor;
using Google.Protobuf;

namespace ActorScheduler.Actors.Tests.State;

public sealed class StateFilesActorTests : ActorTestKit
{
    [Fact]
    public void StateFiles_should_keep_the_newest_upload_of_each_name_across_a_restart()
    {
        var files = Sys.ActorOf(StateFilesActor.Props("svc"));
        files.Tell(new StateProtocol.StoreFile("b.conf", "text/plain", ByteString.CopyFromUtf8("first")));
        Assert.Equal(new StateProtocol.FileStored("b.conf", 5), ExpectMsg<StateProtocol.FileStored>());
        files.Tell(new StateProtocol.StoreFile("a.bin", "application/octet-stream", ByteString.CopyFrom(0, 1, 2)));
        ExpectMsg<StateProtocol.FileStored>();
        files.Tell(new StateProtocol.StoreFile("b.conf", "text/plain", ByteString.CopyFromUtf8("second")));
        ExpectMsg<StateProtocol.FileStored>();
        Watch(files);
        files.Tell(PoisonPill.Instance);
        ExpectTerminated(files);

        var restarted = Sys.ActorOf(StateFilesActor.Props("svc"));
        restarted.Tell(StateProtocol.GetFiles.Instance);
        Assert.Equal(new[] { "a.bin", "b.conf" }, ExpectMsg<StateProtocol.FileNames>().Names.AsEnumerable());
        restarted.Tell(new StateProtocol.GetFile("b.conf"));
        var file = ExpectMsg<StateProtocol.StoredFile>();
        Assert.Equal(("text/plain", "second"), (file.ContentType, file.Content.ToStringUtf8()));
        restarted.Tell(new StateProtocol.GetFile("nope"));
        ExpectMsg<StateProtocol.FileNotFound>();
    }

    [Fact]
    public void StateFiles_should_refuse_bad_names_and_files_over_the_limit_and_keep_nothing()
    {
        var files = Sys.ActorOf(StateFilesActor.Props("svc"));
        foreach (var name in new[] { "", ".hidden", "a/b", new string('x', 65) })
        {
            files.Tell(new StateProtocol.StoreFile(name, "text/plain", ByteString.CopyFromUtf8("x")));
            Assert.Contains("must be 1 to 64 letters", ExpectMsg<StateProtocol.FileRefused>().Message);
        }

        files.Tell(new StateProtocol.StoreFile("big", "text/plain", ByteString.CopyFrom(new byte[StateProtocol.MaxFileBytes + 1])));
        Assert.Equal("File is over 1000000 bytes, the most scheduler state keeps", ExpectMsg<StateProtocol.FileRefused>().Message);
        files.Tell(StateProtocol.GetFiles.Instance);
        Assert.Empty(ExpectMsg<StateProtocol.FileNames>().Names);
    }

    [Fact]
    public void Properties_leave_out_what_the_scheduler_does_not_have_yet()
    {
        Assert.Equal(
            new Dictionary<string, string> { ["reconciled"] = "false", ["suppressed"] = "false" },
            SchedulerProperties.Of(null, null, deploymentCompleted: false, suppressed: false, reconciled: false));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["framework-id"] = "f-1", ["last-completed-update-type"] = "DEPLOY", ["reconciled"] = "true", ["suppressed"] = "true", ["target-config-id"] = "c-1",
            },
            SchedulerProperties.Of("f-1", "c-1", deploymentCompleted: true, suppressed: true, reconciled: true));
    }
}
