package dev.agentworkflow.exporter.webconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Htpasswd;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bcrypt hashes as htpasswd ($2y$), Go ($2a$) and OpenBSD ($2b$) write them, and the outcome cache. */
class BasicAuthUsersTest {
  @Test
  void hashesOfEveryBcryptVariantCheckTheirPassword() throws Exception {
    String htpasswd = Htpasswd.hash("s3cret ünïcode", 5);
    assertTrue(htpasswd.startsWith("$2y$05$"), htpasswd);
    BasicAuthUsers users = BasicAuthUsers.of(Map.of(
        "y", htpasswd,
        "a", htpasswd.replaceFirst("^\\$2y", "\\$2a"),
        "b", htpasswd.replaceFirst("^\\$2y", "\\$2b"))).orElseThrow();

    for (String user : new String[] {"y", "a", "b"}) {
      assertTrue(users.check(user, "s3cret ünïcode"), user);
      assertTrue(users.check(user, "s3cret ünïcode"), user + ", from the cache");
      assertFalse(users.check(user, "s3cret unicode"), user);
    }
    assertFalse(users.check("nobody", "s3cret ünïcode"));
    assertFalse(users.check("nobody", "s3cret ünïcode"));
    assertFalse(users.check("y", ""));
  }

  @Test
  void manyDifferentAttemptsNeverChangeAnOutcome() throws Exception {
    BasicAuthUsers users = BasicAuthUsers.of(Map.of("alice", Htpasswd.hash("right", 4))).orElseThrow();
    for (int i = 0; i < 250; i++) { // past the cache's 100 entries, so entries are evicted on the way
      assertFalse(users.check("alice", "wrong-" + i));
      assertTrue(users.check("alice", "right"));
    }
  }

  @Test
  void noUsersMeansNoAuthentication() throws Exception {
    assertTrue(BasicAuthUsers.of(Map.of()).isEmpty());
  }

  @Test
  void costsOutsideBcryptsRangeAreRefused() {
    WebConfigException e = assertThrows(WebConfigException.class, () -> BasicAuthUsers.of(
        Map.of("alice", "$2y$32$" + "a".repeat(53))));
    assertEquals("basic_auth_users.alice: bcrypt cost 32 is outside 4..31", e.getMessage());
  }
}
