package dev.agentworkflow.exporter.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A libpq-style URI becomes the driver's URL and properties; what psql takes, this takes. */
class StoreAddressTest {
  @Test
  void theUriBecomesTheDriversUrlWithTheUserApart() {
    StoreAddress address = StoreAddress.parse("postgresql://exporter@db.example:6432/agent_workflow?sslmode=verify-full");
    assertEquals("jdbc:postgresql://db.example:6432/agent_workflow?sslmode=verify-full", address.jdbcUrl());
    assertEquals(Optional.of("exporter"), address.user());
    assertEquals("postgresql://exporter@db.example:6432/agent_workflow", address.shown(), "no parameters shown");

    StoreAddress plain = StoreAddress.parse("postgres://db/aw");
    assertEquals("jdbc:postgresql://db/aw", plain.jdbcUrl());
    assertEquals(Optional.empty(), plain.user());

    assertEquals("jdbc:postgresql://[::1]:5432/aw", StoreAddress.parse("postgresql://[::1]:5432/aw").jdbcUrl());
    assertEquals(Optional.of("ann b"), StoreAddress.parse("postgresql://ann%20b@db/aw").user());
  }

  @Test
  void thePasswordComesFromAFileGivenOrIsLeftToTheDriver() {
    StoreAddress address = StoreAddress.parse("postgresql://exporter@db/aw");
    Properties given = address.properties(Optional.of("from a file"), "agent-workflow-exporter");
    assertEquals("from a file", given.getProperty("password"));
    assertEquals("exporter", given.getProperty("user"));
    assertEquals("agent-workflow-exporter", given.getProperty("ApplicationName"));
    Properties none = address.properties(Optional.empty(), "x");
    assertEquals(System.getenv("PGPASSWORD"), none.getProperty("password"), "PGPASSWORD, or the driver's ~/.pgpass");
  }

  @Test
  void aPasswordInTheUriIsRefusedWhereverItIs() {
    for (String uri : java.util.List.of("postgresql://ann:pw@db/aw", "postgresql://ann@db/aw?password=pw",
        "postgresql://db/aw?sslmode=require&PASSWORD=pw")) {
      IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> StoreAddress.parse(uri));
      assertTrue(refused.getMessage().contains("password"), refused.getMessage());
      assertFalse(refused.getMessage().contains("pw"), "the message does not repeat it: " + refused.getMessage());
    }
    assertEquals("StoreAddress[postgresql://ann@db/aw]", StoreAddress.parse("postgresql://ann@db/aw?sslmode=require")
        .toString());
  }

  @Test
  void onlyPostgresqlUrisAreStores() {
    assertTrue(StoreAddress.isStore("postgresql://db/aw"));
    assertTrue(StoreAddress.isStore("postgres://db/aw"));
    assertFalse(StoreAddress.isStore("logs/agent_workflow.db"));
    assertFalse(StoreAddress.isStore("alpha=/home/ann/alpha/logs/agent_workflow.db"));
  }
}
