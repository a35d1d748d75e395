package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an exporter until SIGTERM or SIGINT, then stops it so that the process exits 0. Signals are
 * caught with {@code sun.misc.Signal}: a shutdown hook alone would leave the JVM's exit code at
 * 143, which service managers report as a failure.
 */
final class Foreground {
  private static final Logger log = LoggerFactory.getLogger(Foreground.class);

  private Foreground() {}

  static void serve(ExporterSettings settings, Consumer<Exporter> started) throws StartupException, InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    try (Exporter exporter = start(settings)) {
      for (String name : new String[] {"TERM", "INT"}) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.countDown());
      }
      started.accept(exporter);
      stop.await();
      log.info("stopping");
    }
  }

  private static Exporter start(ExporterSettings settings) throws StartupException {
    String where = settings.listen().getHostString() + ":" + settings.listen().getPort();
    try {
      return Exporter.start(settings, Clock.systemUTC());
    } catch (BindException e) {
      throw new StartupException("cannot listen on " + where + ": port " + settings.listen().getPort()
          + " is already in use; choose another with --port", e);
    } catch (IOException e) {
      throw new StartupException("cannot listen on " + where + ": " + e.getMessage(), e);
    }
  }
}
