package dev.agentworkflow.exporter.webconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Htpasswd;
import static dev.agentworkflow.exporter.webconfig.BasicAuthUsers.Verdict.ACCEPTED;
import static dev.agentworkflow.exporter.webconfig.BasicAuthUsers.Verdict.BUSY;
import static dev.agentworkflow.exporter.webconfig.BasicAuthUsers.Verdict.REFUSED;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bcrypt hashes as htpasswd ($2y$), Go ($2a$) and OpenBSD ($2b$) write them, the outcome cache, and the bound on checks. */
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
      assertEquals(ACCEPTED, users.verify(user, "s3cret ünïcode"), user);
      assertEquals(ACCEPTED, users.verify(user, "s3cret ünïcode"), user + ", from the cache");
      assertEquals(REFUSED, users.verify(user, "s3cret unicode"), user);
    }
    assertEquals(REFUSED, users.verify("nobody", "s3cret ünïcode"));
    assertEquals(REFUSED, users.verify("nobody", "s3cret ünïcode"));
    assertEquals(REFUSED, users.verify("y", ""));
  }

  @Test
  void manyDifferentAttemptsNeverChangeAnOutcome() throws Exception {
    BasicAuthUsers users = BasicAuthUsers.of(Map.of("alice", Htpasswd.hash("right", 4))).orElseThrow();
    for (int i = 0; i < 250; i++) {
      assertEquals(REFUSED, users.verify("alice", "wrong-" + i));
      assertEquals(ACCEPTED, users.verify("alice", "right"));
    }
  }

  /** bcrypt reads 72 bytes of a password: a longer one counts by its first 72, as with Go's bcrypt (the toolkit's). */
  @Test
  void onlyTheFirst72BytesOfAPasswordCount() throws Exception {
    String first72 = "p".repeat(72);
    BasicAuthUsers users = BasicAuthUsers.of(Map.of("alice", Htpasswd.hash(first72, 4))).orElseThrow();
    assertEquals(ACCEPTED, users.verify("alice", first72 + "anything after"));
    assertEquals(REFUSED, users.verify("alice", "p".repeat(71)));
  }

  /** The attack: wrong passwords by the thousand must not push the scraper's credential out of the cache. */
  @Test
  void aFloodOfWrongPasswordsLeavesTheRightOneCached() throws Exception {
    BasicAuthUsers users = BasicAuthUsers.of(Map.of("prometheus", Htpasswd.hash("right", 4))).orElseThrow();
    assertEquals(ACCEPTED, users.verify("prometheus", "right"));
    for (int i = 0; i < 3000; i++) {
      assertEquals(REFUSED, users.verify("prometheus", "wrong-" + i));
    }
    assertEquals(ACCEPTED, users.verify("prometheus", "right"));
    assertEquals(3001, users.bcryptChecks(), "the right password was answered from the cache");
  }

  @Test
  void checksPastTheBoundAreRefusedWithoutBcrypt() throws Exception {
    // cost 12: each check takes long enough that the others pile up behind it
    BasicAuthUsers users = BasicAuthUsers.of(Map.of("alice", Htpasswd.hash("right", 12))).orElseThrow();
    int attempts = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(attempts);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<BasicAuthUsers.Verdict>> verdicts = new java.util.ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      String password = "wrong-" + i;
      verdicts.add(pool.submit(() -> {
        go.await();
        return users.verify("alice", password);
      }));
    }
    go.countDown();
    int refused = 0;
    int busy = 0;
    for (java.util.concurrent.Future<BasicAuthUsers.Verdict> verdict : verdicts) {
      BasicAuthUsers.Verdict v = verdict.get();
      refused += v == REFUSED ? 1 : 0;
      busy += v == BUSY ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(attempts, refused + busy);
    assertTrue(refused >= 1 && refused <= BasicAuthUsers.CHECKS_AT_ONCE * 2, "refused after a check: " + refused);
    assertTrue(busy >= attempts - BasicAuthUsers.CHECKS_AT_ONCE * 2, "refused without one: " + busy);
    assertEquals(refused, users.bcryptChecks());
  }

  @Test
  void aReloadKeepsTheCredentialsThatStillHold() throws Exception {
    String hash = Htpasswd.hash("right", 4);
    BasicAuthUsers before = BasicAuthUsers.of(Map.of("alice", hash, "bob", Htpasswd.hash("bobs", 4))).orElseThrow();
    assertEquals(ACCEPTED, before.verify("alice", "right"));
    assertEquals(ACCEPTED, before.verify("bob", "bobs"));
    BasicAuthUsers after = BasicAuthUsers.of(Map.of("alice", hash, "bob", Htpasswd.hash("new", 4))).orElseThrow();
    after.keepAcceptedFrom(before);
    assertEquals(ACCEPTED, after.verify("alice", "right"));
    assertEquals(0, after.bcryptChecks(), "alice's credential was kept");
    assertEquals(REFUSED, after.verify("bob", "bobs"), "bob's hash changed: his old password is checked again");
    assertEquals(1, after.bcryptChecks());
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
