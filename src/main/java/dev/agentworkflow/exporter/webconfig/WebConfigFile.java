package dev.agentworkflow.exporter.webconfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a web configuration file in the exporter-toolkit's format (every key of toolkit
 * v0.17, the newest; older versions have a subset): every key of that schema is accepted, any other is an error, and relative file
 * names are relative to the configuration file's folder, as in the toolkit.
 *
 * <pre>{@code
 * WebConfig web = WebConfigFile.read(Path.of("web-config.yml"));
 * }</pre>
 */
public final class WebConfigFile {
  private static final Set<String> TOP_KEYS = Set.of("tls_server_config", "http_server_config", "basic_auth_users",
      "rate_limit");
  private static final Set<String> TLS_KEYS = Set.of("cert", "key", "client_ca", "cert_file", "key_file",
      "client_auth_type", "client_ca_file", "client_allowed_sans", "min_version", "max_version", "cipher_suites",
      "prefer_server_cipher_suites", "curve_preferences");
  private static final Set<String> HTTP_KEYS = Set.of("http2", "headers");
  private static final Set<String> RATE_LIMIT_KEYS = Set.of("interval", "burst");
  /** The toolkit lets only these headers be set; an empty list means any value. */
  private static final Map<String, List<String>> HEADERS = Map.of(
      "Strict-Transport-Security", List.of(),
      "X-Content-Type-Options", List.of("nosniff"),
      "X-Frame-Options", List.of("deny", "sameorigin"),
      "X-XSS-Protection", List.of(),
      "Content-Security-Policy", List.of());
  private static final long MAX_FILE_BYTES = 1 << 20;

  private WebConfigFile() {}

  public static WebConfig read(Path file) throws WebConfigException {
    try {
      return parse(file);
    } catch (WebConfigException e) {
      throw new WebConfigException(file + ": " + e.getMessage(), e);
    }
  }

  private static WebConfig parse(Path file) throws WebConfigException {
    Object document = yaml(file);
    ConfigSection root = ConfigSection.root(document);
    root.allowOnly(TOP_KEYS);
    Path folder = file.toAbsolutePath().getParent();
    ConfigSection http = root.section("http_server_config");
    http.allowOnly(HTTP_KEYS);
    http.bool("http2", true); // checked only: the JDK's server speaks HTTP/1.1 whatever it says
    List<Path> files = new ArrayList<>(List.of(file));
    return new WebConfig(
        tls(root.section("tls_server_config"), folder, files),
        BasicAuthUsers.of(root.textMap("basic_auth_users")),
        headers(http),
        rateLimit(root.section("rate_limit")),
        file.toString(),
        files,
        new WebConfig.EmptiedOnPurpose(root.isEmptyMapping("basic_auth_users"),
            document instanceof Map<?, ?> map && map.isEmpty()));
  }

  private static Object yaml(Path file) throws WebConfigException {
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new WebConfigException("larger than 1 MiB; this is not a web configuration file");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WebConfigException("cannot read it: " + describe(e));
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setMaxAliasesForCollections(50);
    try {
      return new Yaml(new SafeConstructor(options)).load(text);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      throw new WebConfigException("not valid YAML at line " + (mark.getLine() + 1) + ", column "
          + (mark.getColumn() + 1) + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new WebConfigException("not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
  }

  private static Optional<ServerTls> tls(ConfigSection section, Path folder, List<Path> files)
      throws WebConfigException {
    section.allowOnly(TLS_KEYS);
    boolean enabled = !section.text("cert_file").isEmpty() || !section.text("cert").isEmpty()
        || !section.text("key_file").isEmpty() || !section.text("key").isEmpty()
        || !section.text("client_ca_file").isEmpty() || !section.text("client_ca").isEmpty()
        || !section.text("client_auth_type").isEmpty();
    if (!enabled) {
      return Optional.empty();
    }
    String clientAuthName = section.text("client_auth_type");
    ClientAuthType clientAuth = ClientAuthType.byName(clientAuthName).orElseThrow(() -> new WebConfigException(
        section.where("client_auth_type") + ": unknown value '" + clientAuthName + "'; use NoClientCert, "
            + "RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert"));
    TlsSection tls = new TlsSection(
        pem(section, "cert_file", "cert", folder, files).orElseThrow(
            () -> new WebConfigException(section.where("cert_file") + ": missing; TLS needs one of cert_file or cert")),
        pem(section, "key_file", "key", folder, files).orElseThrow(
            () -> new WebConfigException(section.where("key_file") + ": missing; TLS needs one of key_file or key")),
        clientAuth,
        pem(section, "client_ca_file", "client_ca", folder, files),
        section.textList("client_allowed_sans"),
        section.text("min_version"),
        section.text("max_version"),
        section.textList("cipher_suites"),
        section.bool("prefer_server_cipher_suites", true),
        section.textList("curve_preferences"));
    return Optional.of(ServerTls.build(tls));
  }

  /** A file key wins over its inline twin, as in the toolkit. Empty when neither is set. Files read go to {@code files}. */
  private static Optional<TlsSection.Pem> pem(ConfigSection section, String fileKey, String inlineKey, Path folder,
      List<Path> files) throws WebConfigException {
    String name = section.text(fileKey);
    if (!name.isEmpty()) {
      Path path = folder.resolve(name);
      files.add(path);
      try {
        return Optional.of(new TlsSection.Pem(Files.readString(path, StandardCharsets.US_ASCII),
            section.where(fileKey) + " (" + path + ")"));
      } catch (IOException e) {
        throw new WebConfigException(section.where(fileKey) + ": cannot read " + path + ": " + describe(e));
      }
    }
    String inline = section.text(inlineKey);
    return inline.isEmpty() ? Optional.empty() : Optional.of(new TlsSection.Pem(inline, section.where(inlineKey)));
  }

  private static Map<String, String> headers(ConfigSection http) throws WebConfigException {
    Map<String, String> headers = http.textMap("headers");
    for (Map.Entry<String, String> header : headers.entrySet()) {
      List<String> allowed = HEADERS.get(header.getKey());
      String where = http.where("headers") + "." + header.getKey();
      if (allowed == null) {
        throw new WebConfigException(where + ": this header cannot be set; the toolkit allows "
            + String.join(", ", HEADERS.keySet().stream().sorted().toList()));
      }
      if (!allowed.isEmpty() && !allowed.contains(header.getValue())) {
        throw new WebConfigException(where + ": '" + header.getValue() + "' is not allowed; use "
            + String.join(" or ", allowed));
      }
      if (header.getValue().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new WebConfigException(where + ": the value holds a control character");
      }
    }
    return headers;
  }

  private static Optional<RateLimit> rateLimit(ConfigSection section) throws WebConfigException {
    section.allowOnly(RATE_LIMIT_KEYS);
    String intervalText = section.text("interval");
    Duration interval = intervalText.isEmpty() ? Duration.ZERO : GoDuration.parse(intervalText).orElseThrow(
        () -> new WebConfigException(section.where("interval") + ": '" + intervalText
            + "' is not a duration such as 1s, 500ms or 1m"));
    int burst = section.integer("burst");
    if (burst < 0) {
      throw new WebConfigException(section.where("burst") + ": must not be negative, got " + burst);
    }
    if (interval.isZero()) {
      return Optional.empty();
    }
    if (burst == 0) {
      throw new WebConfigException(section.where("burst") + ": must be at least 1 when an interval is set; "
          + "with 0 every request would be refused");
    }
    return Optional.of(new RateLimit(interval, burst));
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : e.getClass().getSimpleName() + " " + e.getMessage();
  }
}
