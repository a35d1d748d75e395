package dev.agentworkflow.exporter.webconfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked web configuration. {@link #NONE} is what runs without {@code --web-config-file}:
 * plain HTTP, no authentication, no extra headers, no rate limit.
 *
 * @param tls TLS for every connection; plain HTTP is then refused
 * @param users basic auth users for {@code /metrics} and the status page
 * @param headers extra response headers, from the toolkit's short list
 * @param rateLimit requests allowed, for every path but {@code /-/healthy}
 * @param origin the file, as given on the command line
 * @param files the file and the key, certificate and CA files it names, whose changes reload it
 * @param emptiedOnPurpose what the file turns off in so many words, which a reload may then apply
 */
public record WebConfig(
    Optional<ServerTls> tls,
    Optional<BasicAuthUsers> users,
    Map<String, String> headers,
    Optional<RateLimit> rateLimit,
    String origin,
    List<Path> files,
    EmptiedOnPurpose emptiedOnPurpose) {

  /**
   * Whether the file says "off" explicitly: {@code basic_auth_users: {}} rather than a key with no
   * value or no key at all, and a document that is {@code {}} rather than an empty file. An
   * editor's half-written save looks like the latter; only the former may turn protection off
   * while the exporter runs.
   *
   * @param basicAuth {@code basic_auth_users} is an empty mapping
   * @param everything the whole document is an empty mapping
   */
  public record EmptiedOnPurpose(boolean basicAuth, boolean everything) {
    static final EmptiedOnPurpose NOTHING = new EmptiedOnPurpose(false, false);

    /** The file says "off" explicitly somewhere: it is not an empty or half-written file. */
    public boolean any() {
      return basicAuth || everything;
    }
  }

  public static final WebConfig NONE = new WebConfig(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(),
      "", List.of(), EmptiedOnPurpose.NOTHING);

  public WebConfig {
    headers = Map.copyOf(headers);
    files = List.copyOf(files);
  }

  /** Whether it turns anything on: TLS, users, headers or a rate limit. */
  public boolean setsSomething() {
    return tls.isPresent() || users.isPresent() || !headers.isEmpty() || rateLimit.isPresent();
  }

  /** For the start-up log line: "" without a file, else what it turned on. */
  public String summary() {
    if (origin.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    tls.ifPresent(t -> parts.add("TLS (" + t.summary() + ")"));
    users.ifPresent(u -> parts.add("basic auth for " + u.size() + (u.size() == 1 ? " user" : " users")));
    rateLimit.ifPresent(r -> parts.add("at most " + r.burst() + " requests at once, one more every " + r.interval()));
    if (!headers.isEmpty()) {
      parts.add("headers " + String.join(", ", headers.keySet().stream().sorted().toList()));
    }
    return "; web config " + origin + ": " + (parts.isEmpty() ? "nothing set" : String.join("; ", parts));
  }
}
