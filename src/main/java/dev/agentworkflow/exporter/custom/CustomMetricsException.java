package dev.agentworkflow.exporter.custom;

/** A metrics configuration file that cannot be used; the message is one line, {@code FILE:LINE: what is wrong}. */
public final class CustomMetricsException extends Exception {
  private static final long serialVersionUID = 1L;

  public CustomMetricsException(String message) {
    super(message);
  }
}
