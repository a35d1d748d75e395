package dev.agentworkflow.exporter.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a --db-glob pattern finds, on real folders. */
class DatabaseGlobTest {
  @TempDir
  Path root;

  private Path file(String relative) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[] {1});
    return file;
  }

  @Test
  void aWildcardPerFolderFindsEachProjectsDatabaseAndNothingElse() throws IOException {
    Path alpha = file("ann/src/alpha/logs/agent_workflow.db");
    Path beta = file("bob/src/beta/logs/agent_workflow.db");
    file("bob/src/beta/logs/agent_workflow.db-wal");
    file("bob/src/beta/agent_workflow.db");
    file("bob/src/gamma/deep/logs/agent_workflow.db");
    Files.createDirectories(root.resolve("carl/src/delta/logs/agent_workflow.db")); // a folder, not a file
    DatabaseGlob glob = DatabaseGlob.of(root + "/*/src/*/logs/agent_workflow.db");
    assertEquals(List.of(alpha, beta), glob.matches());
  }

  @Test
  void twoStarsGoAcrossFoldersAndMatchInTheFolderItself() throws IOException {
    Path top = file("logs/agent_workflow.db");
    Path deep = file("a/b/c/logs/agent_workflow.db");
    file("a/b/c/logs/other.db");
    assertEquals(List.of(deep, top), DatabaseGlob.of(root + "/**/logs/agent_workflow.db").matches());
  }

  @Test
  void bracesAndQuestionMarksWithinAName() throws IOException {
    Path a1 = file("a1/logs/agent_workflow.db");
    Path b = file("b/logs/agent_workflow.db");
    file("a22/logs/agent_workflow.db");
    assertEquals(List.of(a1, b), DatabaseGlob.of(root + "/{a?,b}/logs/agent_workflow.db").matches());
  }

  @Test
  void aFolderThatIsMissingOrClosedHoldsNothingAndHidesNothingElse() throws IOException {
    Path open = file("open/logs/agent_workflow.db");
    Path closedFile = file("closed/logs/agent_workflow.db");
    Path closed = root.resolve("closed");
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
    try {
      List<Path> found = DatabaseGlob.of(root + "/*/logs/agent_workflow.db").matches();
      // root reads every folder whatever its mode: then the closed one's file is found too
      boolean root = Files.isReadable(closed);
      assertEquals(root ? List.of(closedFile, open) : List.of(open), found);
    } finally {
      Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    }
    assertEquals(List.of(), DatabaseGlob.of(root + "/nowhere/*/logs/agent_workflow.db").matches());
  }

  @Test
  void aRelativePatternFindsRelativePaths() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    Path folder = Files.createTempDirectory(here.resolve("target"), "glob");
    Path relative = here.relativize(folder);
    Files.createDirectories(folder.resolve("p/logs"));
    Files.write(folder.resolve("p/logs/agent_workflow.db"), new byte[] {1});
    assertEquals(List.of(relative.resolve("p/logs/agent_workflow.db")),
        DatabaseGlob.of(relative + "/*/logs/agent_workflow.db").matches());
  }

  @Test
  void patternsThatCannotFindADatabaseAreRefusedWithTheReason() {
    assertEquals("the pattern is empty", assertThrows(IllegalArgumentException.class, () -> DatabaseGlob.of(" "))
        .getMessage());
    assertEquals("'/srv/*/logs/' names a folder; end it with the database's file name",
        assertThrows(IllegalArgumentException.class, () -> DatabaseGlob.of("/srv/*/logs/")).getMessage());
    String notAGlob = assertThrows(IllegalArgumentException.class, () -> DatabaseGlob.of("/srv/[/x.db")).getMessage();
    assertTrue(notAGlob.startsWith("'/srv/[/x.db' is not a glob, in its part '[': Missing '"), notAGlob);
  }

  @Test
  void twoStarsFollowSymbolicLinksAndPassOverLoops() throws IOException {
    Path real = file("real/alpha/logs/agent_workflow.db");
    Path linked = Files.createDirectories(root.resolve("linked"));
    Files.createSymbolicLink(linked.resolve("beta"), root.resolve("real/alpha"));
    Files.createSymbolicLink(root.resolve("real/alpha/loop"), root.resolve("real")); // a cycle
    Path start = Files.createSymbolicLink(root.resolve("start"), linked); // the walk starts at a link (macOS /tmp)
    Path fileLink = file("files/gamma/logs/target.db");
    Files.createSymbolicLink(fileLink.resolveSibling("agent_workflow.db"), fileLink);
    DatabaseGlob.Listing listing = DatabaseGlob.of(start + "/**/logs/agent_workflow.db").list();
    assertEquals(List.of(start.resolve("beta/logs/agent_workflow.db")), listing.files());
    assertEquals(List.of(), listing.unreadable(), "a loop is no folder that cannot be listed");
    assertEquals(List.of(fileLink.resolveSibling("agent_workflow.db"), real),
        DatabaseGlob.of(root + "/{files,real}/**/agent_workflow.db").matches(), "a link to a file is a file");
  }

  @Test
  void aFolderThatCannotBeListedIsReportedNotTakenForEmpty() throws IOException {
    file("team/app/logs/agent_workflow.db");
    Path notAFolder = root.resolve("plain");
    Files.writeString(notAFolder, "x");
    // a path on the way that is a file: nothing below it, and nothing to report
    DatabaseGlob.Listing listing = DatabaseGlob.of(notAFolder + "/*/logs/agent_workflow.db").list();
    assertEquals(List.of(), listing.files());
    assertEquals(List.of(), listing.unreadable());
    // one that exists and cannot be listed is reported: BadFilesIT, run as another user (root lists everything)
  }
}
