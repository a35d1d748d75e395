package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an exporter until SIGTERM or SIGINT, then stops it so that the process exits 0; SIGHUP
 * reloads the configuration files (the web configuration file) and the exporter goes on, as
 * official exporters do. Signals are caught with {@code sun.misc.Signal}: a shutdown hook alone
 * would leave the JVM's exit code at 143, and SIGHUP would end the JVM with 129.
 */
final class Foreground {
  private static final Logger log = LoggerFactory.getLogger(Foreground.class);

  private Foreground() {}

  static void serve(ExporterSettings settings, Consumer<Exporter> started) throws StartupException, InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    try (Exporter exporter = start(settings)) {
      handle("TERM", stop::countDown);
      handle("INT", stop::countDown);
      handle("HUP", () -> reload(exporter));
      started.accept(exporter);
      stop.await();
      log.info("stopping");
    }
  }

  private static void reload(Exporter exporter) {
    log.info("SIGHUP: reloading the configuration files");
    try {
      exporter.reloadConfiguration();
    } catch (RuntimeException e) { // a bug: one line, and the exporter goes on with what it had
      log.error("reloading the configuration failed: {}", String.valueOf(e));
    }
  }

  static void handle(String signal, Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), caught -> action.run());
    } catch (IllegalArgumentException e) { // the JVM keeps the signal (-Xrs): its default action applies
      log.warn("cannot handle SIG{}: {}", signal, e.getMessage());
    }
  }

  private static Exporter start(ExporterSettings settings) throws StartupException {
    InetSocketAddress listen = settings.listen();
    String where = authority(listen.getHostString(), listen.getPort());
    try {
      return Exporter.start(settings, Clock.systemUTC());
    } catch (BindException e) {
      throw new StartupException("cannot listen on " + where + ": " + bindProblem(e, listen), e);
    } catch (IOException e) {
      throw new StartupException("cannot listen on " + where + ": " + e.getMessage(), e);
    }
  }

  /** {@code 127.0.0.1:9091}, {@code [::1]:9091}: host and port as a URL holds them. */
  static String authority(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * The cause of a failed bind, from the exception's message: the JDK gives the system's error
   * text (Linux: "Cannot assign requested address", macOS: "Can't assign requested address").
   */
  static String bindProblem(BindException e, InetSocketAddress listen) {
    String message = Objects.requireNonNullElse(e.getMessage(), "");
    if (message.contains("Address already in use")) {
      return "port " + listen.getPort() + " is already in use; choose another with --port";
    }
    if (message.contains("assign requested address")) {
      return listen.getHostString() + " is not an address of this host; give one of its addresses with --bind, "
          + "or 0.0.0.0 for all";
    }
    if (message.contains("Permission denied")) {
      return listen.getPort() > 0 && listen.getPort() < 1024
          ? "permission denied: ports below 1024 need root or the capability CAP_NET_BIND_SERVICE; "
              + "choose a port from 1024 up with --port"
          : "permission denied";
    }
    return message.isEmpty() ? "the system refused the address" : message;
  }
}
