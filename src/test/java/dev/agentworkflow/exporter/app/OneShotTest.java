package dev.agentworkflow.exporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --textfile}'s write: a hidden temporary file made exclusively, then renamed over the target. */
class OneShotTest {
  @TempDir
  Path dir;

  /**
   * Issue 12: the temporary file's name was predictable ({@code .NAME.PID.tmp}) and it was opened following
   * links, so a link planted there by whoever can write the folder sent the metrics into the file it named
   * (as root: any file), and the link itself was then renamed over the target.
   */
  @Test
  void aLinkPlantedAtTheTemporaryNameIsNotFollowed() throws Exception {
    Path victim = Files.writeString(dir.resolve("victim.txt"), "precious\n");
    Path target = dir.resolve("agent_workflow.prom");
    Files.createSymbolicLink(dir.resolve(".agent_workflow.prom." + ProcessHandle.current().pid() + ".tmp"), victim);

    OneShot.writeAtomically(target, "metrics\n");

    assertEquals("precious\n", Files.readString(victim));
    assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS));
    assertEquals("metrics\n", Files.readString(target));
  }

  @Test
  void theTemporaryFileIsCreatedExclusivelyUnderAnotherNameWhenOneIsTaken() throws Exception {
    Path victim = Files.writeString(dir.resolve("victim.txt"), "precious\n");
    Path target = dir.resolve("agent_workflow.prom");
    Path planted = Files.createSymbolicLink(dir.resolve(".agent_workflow.prom.first.tmp"), victim);
    Iterator<String> names = List.of("first", "second").iterator();

    OneShot.writeAtomically(target, "metrics\n", names::next);

    assertEquals("precious\n", Files.readString(victim));
    assertEquals(victim, Files.readSymbolicLink(planted), "the planted link is left as it was");
    assertEquals("metrics\n", Files.readString(target));
    assertFalse(Files.exists(dir.resolve(".agent_workflow.prom.second.tmp"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aTargetThatBecameAFifoAfterTheCheckIsNotReplaced() throws Exception {
    Path target = dir.resolve("agent_workflow.prom");
    assertEquals(0, new ProcessBuilder("mkfifo", target.toString()).inheritIO().start().waitFor());

    IOException refused = assertThrows(IOException.class, () -> OneShot.writeAtomically(target, "metrics\n"));

    assertEquals("it is a FIFO, not a regular file", refused.getMessage());
    assertFalse(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList(), "no temporary file left behind");
    }
  }
}
