package dev.agentworkflow.exporter.webconfig;

/** A web configuration file that cannot be used; the message names the key and the problem. */
public final class WebConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public WebConfigException(String message) {
    super(message);
  }

  public WebConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
