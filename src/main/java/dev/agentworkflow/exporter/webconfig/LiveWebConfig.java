package dev.agentworkflow.exporter.webconfig;

import dev.agentworkflow.exporter.model.WebConfigStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web configuration in force, reloaded when its file or a key, certificate or CA file it
 * names changes, as the toolkit rereads it on every request: a renewed certificate or a new user
 * applies within a second, without a restart. Files are looked at, at most once a second, when a
 * request or handshake arrives. A changed file that cannot be used is logged once and leaves the
 * previous configuration in force (the toolkit instead answers 500 until it is fixed), and
 * {@link #status()} says so. TLS cannot be turned on or off while running: the server is HTTPS
 * or not from its start.
 */
public final class LiveWebConfig {
  private static final Logger log = LoggerFactory.getLogger(LiveWebConfig.class);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private final Clock clock;
  private final Optional<SSLContext> sslContext;
  private volatile WebConfig current;
  private volatile WebConfigStatus status;
  private volatile long nextCheckMillis;
  private Map<Path, Optional<Stamp>> stamps;
  private String lastProblem = "";

  /** Size, time and identity (inode) of a file: a rewrite, a rename over it or a symlink swap all change it. */
  private record Stamp(long size, long modifiedMillis, Object key) {}

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
      nextCheckMillis = 0;
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
    if (stamps(current).equals(stamps)) {
      return;
    }
    WebConfig previous = current;
    try {
      WebConfig next = WebConfigFile.read(previous.files().get(0));
      if (next.tls().isPresent() != previous.tls().isPresent()) {
        throw new WebConfigException(previous.origin() + ": TLS cannot be turned "
            + (next.tls().isPresent() ? "on" : "off") + " while the exporter runs; restart it");
      }
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

  private static Map<Path, Optional<Stamp>> stamps(WebConfig config) {
    Map<Path, Optional<Stamp>> stamps = new HashMap<>();
    for (Path file : config.files()) {
      stamps.put(file, stamp(file));
    }
    return stamps;
  }

  private static Optional<Stamp> stamp(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(new Stamp(attributes.size(), attributes.lastModifiedTime().toMillis(),
          Objects.requireNonNullElse(attributes.fileKey(), "")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
