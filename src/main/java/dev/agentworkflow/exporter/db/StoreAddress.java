package dev.agentworkflow.exporter.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the team's PostgreSQL store is: a libpq-style URI, {@code postgresql://[user@]host[:port]/dbname[?param=value&…]},
 * the form {@code psql} takes. The password never travels in it (it would show in {@code ps}, the
 * shell history and the unit file): it comes from {@code PGPASSWORD}, a password file, or {@code
 * ~/.pgpass}, which the driver reads itself. Parameters the driver knows pass on ({@code sslmode},
 * {@code sslrootcert}, {@code connectTimeout}, …).
 *
 * @param jdbcUrl the driver's URL, without user or password
 * @param user the user named in the URI, if any (else the driver's default: {@code PGUSER}, the OS user)
 * @param shown the URI as logs and metrics may show it
 */
public record StoreAddress(String jdbcUrl, Optional<String> user, String shown) {
  @Override
  public String toString() {
    return "StoreAddress[" + shown + "]";
  }

  /** Is this --db value a PostgreSQL store rather than a file? */
  public static boolean isStore(String value) {
    return value.startsWith("postgresql://") || value.startsWith("postgres://");
  }

  /** Parses a URI; the message of a bad one says what is wrong, in one line. */
  public static StoreAddress parse(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a postgresql:// URI: " + e.getReason());
    }
    if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
      throw new IllegalArgumentException("the URI holds a password; give it in PGPASSWORD, ~/.pgpass or "
          + "--db-password-file, never on the command line");
    }
    if (uri.getRawQuery() != null && java.util.Arrays.stream(uri.getRawQuery().split("&"))
        .anyMatch(parameter -> parameter.toLowerCase(java.util.Locale.ROOT).startsWith("password"))) {
      throw new IllegalArgumentException("the URI holds a password parameter; give it in PGPASSWORD, ~/.pgpass or "
          + "--db-password-file, never on the command line");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("the URI names no host: postgresql://[user@]host[:port]/dbname");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.length() < 2 || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException("the URI names no database: postgresql://[user@]host[:port]/dbname");
    }
    String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
    String port = uri.getPort() >= 0 ? ":" + uri.getPort() : "";
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    Optional<String> user = Optional.ofNullable(uri.getRawUserInfo())
        .map(raw -> URLDecoder.decode(raw, StandardCharsets.UTF_8));
    String shown = "postgresql://" + user.map(u -> u + "@").orElse("") + uri.getHost() + port + path;
    return new StoreAddress("jdbc:postgresql://" + host + port + path + query, user, shown);
  }

  /**
   * The connection properties: the user, the password if one was given (else the driver looks in
   * {@code PGPASSWORD} and the password file), the application name the server's activity view
   * shows, and a login timeout.
   */
  public Properties properties(Optional<String> password, String applicationName) {
    Properties properties = new Properties();
    user.ifPresent(u -> properties.setProperty("user", u));
    password.or(() -> Optional.ofNullable(System.getenv("PGPASSWORD")))
        .ifPresent(p -> properties.setProperty("password", p));
    properties.setProperty("ApplicationName", applicationName);
    properties.setProperty("loginTimeout", "10");
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("socketTimeout", "120"); // a server gone silent fails the round, never hangs it
    properties.setProperty("tcpKeepAlive", "true");
    return properties;
  }
}
