package dev.agentworkflow.exporter.project;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which databases one look reads, and under which names. */
class DatabaseSearchTest {
  @TempDir
  Path root;

  private Path file(String relative) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[] {1});
    return file;
  }

  private DatabaseSearch search(List<NamedDatabase> named, String... patterns) {
    return new DatabaseSearch(new DatabaseSources(named,
        java.util.Arrays.stream(patterns).map(DatabaseGlob::of).toList(), Duration.ofMinutes(1), Optional.empty()));
  }

  @Test
  void aFileNamedAlreadyIsThatDatabaseAndKeepsItsName() throws IOException {
    Path alpha = file("alpha/logs/agent_workflow.db");
    Path beta = file("beta/logs/agent_workflow.db");
    DatabaseSearch.Found found = search(List.of(new NamedDatabase("first", alpha)), root + "/*/logs/agent_workflow.db")
        .look(List.of());
    assertEquals(List.of(new NamedDatabase("first", alpha), new NamedDatabase("beta", beta)), found.databases());
    assertEquals(List.of(), found.clashes());
  }

  @Test
  void aClashIsNotReadAndTheFirstPathInOrderWins() throws IOException {
    Path a = file("a/app/logs/agent_workflow.db");
    Path b = file("b/app/logs/agent_workflow.db");
    DatabaseSearch.Found found = search(List.of(), root + "/*/*/logs/agent_workflow.db").look(List.of());
    assertEquals(List.of(new NamedDatabase("app", a)), found.databases());
    assertEquals(List.of(new DatabaseSearch.Clash(b, "app", a)), found.clashes());
  }

  @Test
  void aDatabaseReadAlreadyKeepsItsNameAgainstOneFoundLater() throws IOException {
    Path b = file("b/app/logs/agent_workflow.db");
    Path a = file("a/app/logs/agent_workflow.db"); // sorts first, but b is read already
    DatabaseSearch.Found found = search(List.of(), root + "/*/*/logs/agent_workflow.db").look(List.of(new NamedDatabase("app", b)));
    assertEquals(List.of(new NamedDatabase("app", b)), found.databases());
    assertEquals(List.of(new DatabaseSearch.Clash(a, "app", b)), found.clashes());
  }

  @Test
  void aNamedDatabaseKeepsItsNameAgainstAnyFound() throws IOException {
    Path named = file("elsewhere/x.db");
    Path found = file("app/logs/agent_workflow.db");
    DatabaseSearch.Found look = search(List.of(new NamedDatabase("app", named)), root + "/*/logs/agent_workflow.db")
        .look(List.of(new NamedDatabase("app", found)));
    assertEquals(List.of(new NamedDatabase("app", named)), look.databases());
    assertEquals(List.of(new DatabaseSearch.Clash(found, "app", named)), look.clashes());
  }

  @Test
  void twoPatternsThatFindOneFileReadItOnce() throws IOException {
    Path app = file("app/logs/agent_workflow.db");
    DatabaseSearch.Found found = search(List.of(), root + "/*/logs/agent_workflow.db", root + "/app/logs/*.db")
        .look(List.of());
    assertEquals(List.of(new NamedDatabase("app", app)), found.databases());
  }

  @Test
  void aDatabaseWhoseFolderIsGoneIsGoneAndOneFoundAgainIsBack() throws IOException {
    Path app = file("team/app/logs/agent_workflow.db");
    DatabaseSearch search = search(List.of(), root + "/*/*/logs/agent_workflow.db");
    assertEquals(List.of(new NamedDatabase("app", app)), search.look(List.of()).databases());
    Files.delete(app);
    Files.delete(app.getParent());
    Files.writeString(app.getParent(), "a file where the folder was: it cannot be listed"); // not a folder: gone
    assertEquals(List.of(), search.look(List.of(new NamedDatabase("app", app))).databases());
    Files.delete(app.getParent());
    Files.createDirectories(app.getParent());
    Files.write(app, new byte[] {1});
    DatabaseSearch.Found back = search.look(List.of());
    assertEquals(List.of(new NamedDatabase("app", app)), back.databases());
    assertEquals(List.of(), back.unreadable());
    // a folder that exists but cannot be listed keeps what was read below it: BadFilesIT, run as another user
  }
}
