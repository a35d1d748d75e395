package dev.agentworkflow.exporter.log;

import java.time.Clock;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's entry to {@link LineLoggers}, named in {@code META-INF/services}. SLF4J keeps the one
 * instance it loads for the life of the JVM, which is why the level and format are per process.
 */
public final class LineLogProvider implements SLF4JServiceProvider {
  private LineLoggers loggers;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public void initialize() {
    loggers = new LineLoggers(Clock.systemDefaultZone(), () -> System.err);
    markers = new BasicMarkerFactory();
    mdc = new NOPMDCAdapter();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }
}
