package dev.agentworkflow.exporter.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One connection to the team's PostgreSQL store, opened on first use, set up once per opening,
 * and dropped after a failure, so that the next use opens a fresh one: a failed statement may
 * leave a connection broken or inside a failed transaction.
 */
final class StoreConnection implements AutoCloseable {
  /** What a new connection is made into before its first use (session settings, transaction mode). */
  @FunctionalInterface
  interface Setup {
    void apply(Connection connection) throws SQLException;
  }

  private final StoreAddress address;
  private final Optional<String> password;
  private final String applicationName;
  private final Setup setup;
  private Connection connection;

  StoreConnection(StoreAddress address, Optional<String> password, String applicationName, Setup setup) {
    this.address = address;
    this.password = password;
    this.applicationName = applicationName;
    this.setup = setup;
  }

  String shown() {
    return address.shown();
  }

  /** The connection, opened and set up now if there is none. */
  Connection get() throws SQLException {
    if (connection == null) {
      Connection opened = DriverManager.getConnection(address.jdbcUrl(), address.properties(password, applicationName));
      try {
        setup.apply(opened);
      } catch (SQLException e) {
        opened.close();
        throw e;
      }
      connection = opened;
    }
    return connection;
  }

  /** Drops the connection; the next {@link #get()} opens another. */
  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // dropped either way
      }
      connection = null;
    }
  }
}
