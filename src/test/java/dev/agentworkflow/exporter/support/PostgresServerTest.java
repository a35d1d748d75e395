package dev.agentworkflow.exporter.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL harness itself: a real server, password authentication over TCP, and a stop that stops it. */
class PostgresServerTest {
  @TempDir
  Path dir;

  @Test
  void startsAServerThatChecksPasswordsAndStopsOnClose() throws Exception {
    int port;
    try (PostgresServer server = PostgresServer.start(dir)) {
      port = server.port();
      assertEquals("postgresql://127.0.0.1:" + port + "/shipped", server.url("shipped"));
      assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/shipped", server.jdbcUrl("shipped"));

      server.createDatabase("shipped");
      server.execute("shipped", "CREATE TABLE t (n integer)", "INSERT INTO t VALUES (1), (2)");
      try (Connection c = server.connect("shipped"); Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT version()")) {
          assertTrue(rs.next());
          assertTrue(rs.getString(1).startsWith("PostgreSQL 1"), rs.getString(1));
        }
        try (ResultSet rs = s.executeQuery("SELECT current_database(), sum(n) FROM t")) {
          assertTrue(rs.next());
          assertEquals("shipped", rs.getString(1));
          assertEquals(3, rs.getInt(2));
        }
      }

      SQLException refused = assertThrows(SQLException.class,
          () -> server.connect("shipped", PostgresServer.SUPERUSER, server.superuserPassword() + "x").close());
      assertEquals("28P01", refused.getSQLState(), refused + "\n" + server.logText());

      server.createRole("reader", "reader's secret", "GRANT CONNECT ON DATABASE shipped TO reader");
      server.execute("shipped", "GRANT SELECT ON t TO reader");
      try (Connection c = server.connect("shipped", "reader", "reader's secret"); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
        assertTrue(rs.next());
        assertEquals(2, rs.getInt(1));
      }
      SQLException wrong = assertThrows(SQLException.class,
          () -> server.connect("shipped", "reader", "not it").close());
      assertEquals("28P01", wrong.getSQLState(), wrong + "\n" + server.logText());
    }

    try (Socket socket = new Socket()) {
      assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 2000),
          "nothing listens on port " + port + " after close()");
    }
  }
}
