package dev.agentworkflow.exporter.webconfig;

import dev.agentworkflow.exporter.model.WebConfigStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web configuration in force, reloaded when its file or a key, certificate or CA file it
 * names changes, as the toolkit rereads it on every request: a renewed certificate or a new user
 * applies within two seconds, without a restart. Files are looked at, at most once a second, when a
 * request or handshake arrives, and read only once they have stopped changing (the same size, time
 * and inode a second apart), so an editor's save is not read half written. SIGHUP reads them at
 * once ({@link #checkNow()}).
 *
 * <p>It never fails open. A changed file that cannot be used is logged once and leaves the previous
 * configuration in force (the toolkit instead answers 500 until it is fixed), and {@link #status()}
 * says so. So is a valid file that would remove protection by omission: basic auth gone while
 * users were set, or nothing set at all where something was, which is what a half-written or
 * truncated file looks like. Such a change applies only when the file says it in so many words
 * ({@code basic_auth_users: {}}, or a document that is {@code {}}), or at a restart. TLS cannot be
 * turned on or off while running: the server is HTTPS or not from its start.
 */
public final class LiveWebConfig {
  private static final Logger log = LoggerFactory.getLogger(LiveWebConfig.class);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private final Clock clock;
  private final Optional<SSLContext> sslContext;
  private volatile WebConfig current;
  private volatile WebConfigStatus status;
  private volatile long nextCheckMillis;
  private Map<Path, Optional<FileStamp>> stamps;
  /** Stamps seen changed at the last look: read when the next look finds them the same. */
  private Map<Path, Optional<FileStamp>> settling;
  private String lastProblem = "";


  public LiveWebConfig(WebConfig initial, Clock clock) {
    this.clock = clock;
    this.current = initial;
    this.status = new WebConfigStatus(true, clock.instant());
    this.stamps = stamps(initial);
    this.nextCheckMillis = clock.millis() + CHECK_EVERY.toMillis();
    this.sslContext = initial.tls().map(tls -> delegatingContext());
  }

  /** The configuration in force, after looking for changes if a second has passed. */
  public WebConfig current() {
    if (!current.files().isEmpty() && clock.millis() >= nextCheckMillis) {
      checkForChanges();
    }
    return current;
  }

  /** One context for the server's life; its key and trust managers follow the configuration in force. */
  public Optional<SSLContext> sslContext() {
    return sslContext;
  }

  /**
   * Looks at the files now, whatever the time since the last look: for SIGHUP, which official
   * exporters answer by reloading their configuration.
   */
  public void checkNow() {
    if (!current.files().isEmpty()) {
      synchronized (this) {
        nextCheckMillis = 0;
        settling = stamps(current);
      }
      checkForChanges();
    }
  }

  public WebConfigStatus status() {
    return status;
  }

  /** Whether a file is watched at all (false for {@link WebConfig#NONE}). */
  public boolean fromFile() {
    return !current.files().isEmpty();
  }

  private synchronized void checkForChanges() {
    if (clock.millis() < nextCheckMillis) {
      return;
    }
    nextCheckMillis = clock.millis() + CHECK_EVERY.toMillis();
    Map<Path, Optional<FileStamp>> now = stamps(current);
    if (now.equals(stamps)) {
      settling = null;
      return;
    }
    if (!now.equals(settling)) {
      settling = now; // still being written, perhaps: read it when it has stayed the same for a second
      return;
    }
    settling = null;
    WebConfig previous = current;
    try {
      WebConfig next = WebConfigFile.read(previous.files().get(0));
      refuseFailingOpen(previous, next);
      next.users().ifPresent(users -> previous.users().ifPresent(users::keepAcceptedFrom));
      current = next;
      stamps = stamps(next);
      status = new WebConfigStatus(true, clock.instant());
      lastProblem = "";
      log.info("web config reloaded{}", next.summary());
    } catch (WebConfigException e) {
      // The stamps stay as they were, so the file is read again next second (a missing key file may
      // appear); the problem is logged once, not every second.
      status = new WebConfigStatus(false, status.lastSuccess());
      if (!e.getMessage().equals(lastProblem)) {
        log.warn("web config not reloaded, the previous one stays in force: {}", e.getMessage());
        lastProblem = e.getMessage();
      }
    }
  }

  /** A reload may add protection freely, but take it away only when the file says so explicitly. */
  private static void refuseFailingOpen(WebConfig previous, WebConfig next) throws WebConfigException {
    if (next.tls().isPresent() != previous.tls().isPresent()) {
      throw new WebConfigException(previous.origin() + ": TLS cannot be turned "
          + (next.tls().isPresent() ? "on" : "off") + " while the exporter runs; restart it");
    }
    if (previous.setsSomething() && !next.setsSomething() && !next.emptiedOnPurpose().any()) {
      throw new WebConfigException(previous.origin() + ": the file now sets nothing (half written?); to clear "
          + "it on purpose while the exporter runs, make it hold {} alone, or restart the exporter");
    }
    if (previous.users().isPresent() && next.users().isEmpty() && !next.emptiedOnPurpose().basicAuth()
        && !next.emptiedOnPurpose().everything()) {
      throw new WebConfigException(previous.origin() + ": basic_auth_users is gone or empty, which would turn off "
          + "basic auth; to do that on purpose while the exporter runs, write basic_auth_users: {}, or restart the "
          + "exporter");
    }
  }

  private ServerTls tlsInForce() {
    return current.tls().orElseThrow(() -> new IllegalStateException("TLS was on at start and cannot go off"));
  }

  private SSLContext delegatingContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new CurrentKeyManager(this::tlsInForce)},
          new TrustManager[] {new CurrentTrustManager(this::tlsInForce)}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM cannot make a TLS context", e);
    }
  }

  private static Map<Path, Optional<FileStamp>> stamps(WebConfig config) {
    Map<Path, Optional<FileStamp>> stamps = new HashMap<>();
    for (Path file : config.files()) {
      stamps.put(file, FileStamp.of(file));
    }
    return stamps;
  }


}
