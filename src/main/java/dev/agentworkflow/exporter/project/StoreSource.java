package dev.agentworkflow.exporter.project;

import java.util.Optional;

/**
 * The team's PostgreSQL store, as --db named it: its URI (checked when the options were read) and
 * the password --db-password-file gave, if it gave one (else the driver looks in PGPASSWORD and
 * ~/.pgpass). The password is never shown.
 *
 * @param uri {@code postgresql://[user@]host[:port]/dbname[?…]}, without a password
 */
public record StoreSource(String uri, Optional<String> password) {
  /** The URI without its parameters, as logs and the status page show it. */
  public String shown() {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  @Override
  public String toString() {
    return "StoreSource[" + shown() + "]";
  }
}
