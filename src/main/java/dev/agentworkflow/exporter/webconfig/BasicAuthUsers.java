package dev.agentworkflow.exporter.webconfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * {@code basic_auth_users}: user names and bcrypt hashes, checked the way the toolkit checks them.
 * <ul>
 *   <li>An unknown user costs one bcrypt check too, against a hash of the same cost as the
 *       costliest real one, so timing does not tell which user names exist.</li>
 *   <li>Outcomes are cached by a SHA-256 digest of user, hash and password (never the password
 *       itself), so a scrape every few seconds pays bcrypt (~70 ms at cost 10) once, not each time.</li>
 *   <li>One bcrypt check runs at a time: a flood of wrong passwords takes one core, not all.</li>
 * </ul>
 */
public final class BasicAuthUsers {
  /** Hashes as htpasswd ($2y$) and Go ($2a$) write them; $2b$ and $2x$ are read too. */
  private static final Pattern BCRYPT = Pattern.compile("\\$2[abxy]?\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
  private static final int CACHE_SIZE = 100;

  private final Map<String, String> hashes;
  private final int highestCost;
  private final Map<String, Boolean> outcomes = new HashMap<>();
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

  /** Whether this user exists and this is their password. */
  public boolean check(String user, String password) {
    String hash = hashes.get(user);
    String key = cacheKey(user, hash == null ? "" : hash, password);
    synchronized (outcomes) {
      Boolean known = outcomes.get(key);
      if (known != null) {
        return known;
      }
    }
    boolean matches;
    synchronized (bcryptTurn) {
      matches = bcrypt(hash != null ? hash : unknownUserHash(), password) && hash != null;
    }
    synchronized (outcomes) {
      if (outcomes.size() >= CACHE_SIZE) {
        evictSome();
      }
      outcomes.put(key, matches);
    }
    return matches;
  }

  private static boolean bcrypt(String hash, String password) {
    try {
      return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (IllegalArgumentException e) {
      // Longer than bcrypt's 72 bytes, or a hash Bouncy Castle reads differently: not a match.
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

  /** Drops about a tenth of the entries, spread over the map, so the cache is not cleared one entry at a time. */
  private void evictSome() {
    Iterator<String> keys = outcomes.keySet().iterator();
    int skip = random.nextInt(10);
    for (int i = 0; keys.hasNext(); i++) {
      keys.next();
      if (i % 10 == skip) {
        keys.remove();
      }
    }
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
