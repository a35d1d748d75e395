package dev.agentworkflow.exporter.webconfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * {@code basic_auth_users}: user names and bcrypt hashes, checked the way the toolkit checks them,
 * and made to hold under a flood of wrong passwords.
 * <ul>
 *   <li>An unknown user costs one bcrypt check too, against a hash of the same cost as the
 *       costliest real one, so timing does not tell which user names exist.</li>
 *   <li>Outcomes are cached by a SHA-256 digest of user, hash and password (never the password
 *       itself), so a scrape every few seconds pays bcrypt (~70 ms at cost 10) once, not each time.
 *       Credentials that were right are kept apart from those that were wrong: no number of wrong
 *       ones can push the scraper's out of the cache. A reloaded file keeps those still valid.</li>
 *   <li>At most {@link #CHECKS_AT_ONCE} bcrypt checks run or wait at a time (one runs): beyond that a
 *       credential not in the cache is refused at once ({@link Verdict#BUSY}), so a flood of wrong
 *       passwords takes at most one core and never the threads that answer scrapes.</li>
 * </ul>
 */
public final class BasicAuthUsers {
  /** What a check of one credential found. */
  public enum Verdict {
    ACCEPTED,
    REFUSED,
    /** Not checked: too many checks were already running or waiting. */
    BUSY
  }

  /** Hashes as htpasswd ($2y$) and Go ($2a$) write them; $2b$ and $2x$ are read too. */
  private static final Pattern BCRYPT = Pattern.compile("\\$2[abxy]?\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
  static final int CHECKS_AT_ONCE = 2;
  private static final int ACCEPTED_KEPT = 32;
  private static final int REFUSED_KEPT = 1024;

  private final Map<String, String> hashes;
  private final int highestCost;
  private final Map<String, Boolean> accepted = lru(ACCEPTED_KEPT);
  private final Map<String, Boolean> refused = lru(REFUSED_KEPT);
  private final AtomicInteger checks = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong bcryptChecks = new java.util.concurrent.atomic.AtomicLong();
  private final Object bcryptTurn = new Object();
  private final SecureRandom random = new SecureRandom();
  private String unknownUserHash;

  private BasicAuthUsers(Map<String, String> hashes, int highestCost) {
    this.hashes = Map.copyOf(hashes);
    this.highestCost = highestCost;
  }

  /** Empty when no users are configured (no authentication). */
  static Optional<BasicAuthUsers> of(Map<String, String> hashes) throws WebConfigException {
    if (hashes.isEmpty()) {
      return Optional.empty();
    }
    int highestCost = 4;
    for (Map.Entry<String, String> user : hashes.entrySet()) {
      Matcher hash = BCRYPT.matcher(user.getValue());
      if (!hash.matches()) {
        throw new WebConfigException("basic_auth_users." + user.getKey() + ": not a bcrypt hash; store the hash, "
            + "never the password (make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')");
      }
      int cost = Integer.parseInt(hash.group(1));
      if (cost < 4 || cost > 31) {
        throw new WebConfigException("basic_auth_users." + user.getKey() + ": bcrypt cost " + cost
            + " is outside 4..31");
      }
      highestCost = Math.max(highestCost, cost);
    }
    return Optional.of(new BasicAuthUsers(hashes, highestCost));
  }

  public int size() {
    return hashes.size();
  }

  /** Whether this user exists and this is their password; {@link Verdict#BUSY} when it could not be checked now. */
  public Verdict verify(String user, String password) {
    String hash = hashes.get(user);
    String key = cacheKey(user, hash == null ? "" : hash, password);
    synchronized (this) {
      if (accepted.get(key) != null) {
        return Verdict.ACCEPTED;
      }
      if (refused.get(key) != null) {
        return Verdict.REFUSED;
      }
    }
    if (checks.incrementAndGet() > CHECKS_AT_ONCE) {
      checks.decrementAndGet();
      return Verdict.BUSY;
    }
    boolean matches;
    try {
      synchronized (bcryptTurn) {
        bcryptChecks.incrementAndGet();
        matches = bcrypt(hash != null ? hash : unknownUserHash(), password) && hash != null;
      }
    } finally {
      checks.decrementAndGet();
    }
    synchronized (this) {
      (matches ? accepted : refused).put(key, Boolean.TRUE);
    }
    return matches ? Verdict.ACCEPTED : Verdict.REFUSED;
  }

  /** bcrypt checks made so far (the cache answered the others); for tests. */
  long bcryptChecks() {
    return bcryptChecks.get();
  }

  /**
   * Keeps the credentials {@code previous} accepted that still hold here: the same user with the
   * same hash (the cache key covers both), so a reload does not make the scraper pay bcrypt again,
   * least of all while the server is flooded with wrong passwords.
   */
  public void keepAcceptedFrom(BasicAuthUsers previous) {
    Map<String, Boolean> kept;
    synchronized (previous) {
      kept = new LinkedHashMap<>(previous.accepted);
    }
    synchronized (this) {
      accepted.putAll(kept);
    }
  }

  private static boolean bcrypt(String hash, String password) {
    try {
      return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (IllegalArgumentException e) {
      // A hash Bouncy Castle cannot read: not a match. (A password longer than bcrypt's 72 bytes is
      // not refused here: only its first 72 bytes count, as in Go's bcrypt and OpenBSD's.)
      return false;
    }
  }

  /** Made on first use, so a start with a costly hash does not pay for it twice. */
  private String unknownUserHash() {
    if (unknownUserHash == null) {
      byte[] salt = new byte[16];
      random.nextBytes(salt);
      char[] password = Long.toHexString(random.nextLong()).toCharArray();
      unknownUserHash = OpenBSDBCrypt.generate("2y", password, salt, highestCost);
    }
    return unknownUserHash;
  }

  /** A map that forgets its least recently used entry past {@code size}. */
  private static Map<String, Boolean> lru(int size) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > size;
      }
    };
  }

  private static String cacheKey(String user, String hash, String password) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {user, hash, password}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha256.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha256.update((byte) ':');
        sha256.update(bytes);
      }
      return java.util.HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
