package dev.agentworkflow.exporter.support;

import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.db.StoreWriter;
import dev.agentworkflow.exporter.db.TimestampParser;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.project.StoreSource;
import dev.agentworkflow.exporter.ship.Shipper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * A team's store as docs/postgresql.md sets it up, on a real PostgreSQL: the database, the schema
 * and grants of deploy/postgresql/, and the two roles, a shipper that writes and an exporter that
 * reads, each with a password, over TCP.
 */
public final class TeamStore implements AutoCloseable {
  public static final String DATABASE = "agent_workflow";
  public static final String SHIPPER = "agent_workflow_shipper";
  public static final String EXPORTER = "agent_workflow_exporter";
  public static final String SHIPPER_PASSWORD = "shipper's secret";
  private static final String EXPORTER_PASSWORD = "exporter's secret";

  private final PostgresServer server;

  private TeamStore(PostgresServer server) {
    this.server = server;
  }

  public static TeamStore start(Path dir) throws Exception {
    PostgresServer server = PostgresServer.start(dir);
    try {
      server.createDatabase(DATABASE);
      server.execute(DATABASE, Files.readString(Path.of("deploy/postgresql/schema.sql")));
      server.createRole(SHIPPER, SHIPPER_PASSWORD);
      server.createRole(EXPORTER, EXPORTER_PASSWORD);
      server.execute(DATABASE, Files.readString(Path.of("deploy/postgresql/grants.sql")));
      return new TeamStore(server);
    } catch (Exception e) {
      server.close();
      throw e;
    }
  }

  public PostgresServer server() {
    return server;
  }

  /** {@code postgresql://ROLE@127.0.0.1:PORT/agent_workflow}. */
  public String uri(String role) {
    return "postgresql://" + role + "@127.0.0.1:" + server.port() + "/" + DATABASE;
  }

  /** The store as an exporter started with --db and --db-password-file reads it. */
  public StoreSource forExporter() {
    return new StoreSource(uri(EXPORTER), Optional.of(EXPORTER_PASSWORD));
  }

  public StoreWriter writer() {
    return new StoreWriter(StoreAddress.parse(uri(SHIPPER)), Optional.of(SHIPPER_PASSWORD), "test shipper");
  }

  /** A shipper of {@code file} as {@code ship --from file --project project --host host} runs it. */
  public Shipper shipper(Path file, String project, String host, boolean payloads) {
    return new Shipper(new WorkflowDatabase(file, Duration.ofSeconds(1), WorkflowDatabase.DEFAULT_CACHE_KIB,
        new TimestampParser(HookDatabase.ZONE)), writer(), project, host, payloads);
  }

  /** One number the superuser reads, {@code SELECT count(*) …}. */
  public long number(String sql) throws SQLException {
    try (Connection c = server.connect(DATABASE); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  public void execute(String... statements) throws SQLException {
    server.execute(DATABASE, statements);
  }

  /** A connection of the superuser to the store, for writes no shipper would make (out of order commits). */
  public Connection connect() throws SQLException {
    return server.connect(DATABASE);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
  }
}
