package dev.agentworkflow.exporter.support;

import com.sun.security.auth.module.UnixSystem;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, throwaway PostgreSQL server (Debian's postgresql package, which .ci/run installs) on loopback:
 * a cluster made by initdb in a test's temporary folder, started by pg_ctl on a free port, stopped by
 * {@link #close()}. Local (socket) connections are trusted; TCP connections, the only ones the tests
 * make, need a password (scram-sha-256), the superuser {@code postgres}'s being {@link #superuserPassword()}.
 *
 * <p>PostgreSQL refuses to run as root, and CI runs as root: then initdb and pg_ctl run through
 * {@code runuser} as the system user {@code postgres} (which the package creates), or {@code nobody}
 * without it, and the cluster's folder belongs to that user. A machine where it cannot start fails the
 * test, saying why: these tests are never skipped.
 */
public final class PostgresServer implements AutoCloseable {
  /** The superuser's name, as initdb names it with {@code -U}. */
  public static final String SUPERUSER = "postgres";

  private static final int UNIX_SOCKET_PATH_MAX = 107;
  private static final long WAIT_SECONDS = 60;

  private final Tools tools;
  private final Path base;
  private final boolean ownBase;
  private final Path data;
  private final Path log;
  private final int port;
  private final String password;
  private final Thread stopAtExit;
  private boolean closed;

  private PostgresServer(Tools tools, Path base, boolean ownBase, int port, String password) {
    this.tools = tools;
    this.base = base;
    this.ownBase = ownBase;
    this.data = base.resolve("data");
    this.log = base.resolve("server.log");
    this.port = port;
    this.password = password;
    this.stopAtExit = new Thread(this::stopQuietly, "stop PostgreSQL on port " + port);
  }

  /**
   * Makes a cluster in {@code dir} (a test's {@code @TempDir}) and starts it; under a short folder of
   * /tmp, deleted by {@link #close()}, where {@code dir}'s path is too long for the server's socket or
   * the user that runs the server cannot reach it.
   */
  public static PostgresServer start(Path dir) throws IOException, InterruptedException {
    Tools tools = Tools.find();
    Path base;
    boolean ownBase;
    Path inDir = dir.toAbsolutePath().resolve("pg");
    if (socketFits(inDir.resolve("s")) && tools.canReach(dir.toAbsolutePath())) {
      base = Files.createDirectory(inDir);
      ownBase = false;
    } else {
      base = Files.createTempDirectory(Path.of("/tmp"), "pg");
      ownBase = true;
    }
    tools.handOver(dir.toAbsolutePath(), base);
    String password = randomPassword();
    Path pwfile = base.resolve("pwfile");
    Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
    Files.createDirectory(base.resolve("s"));
    tools.own(base);
    try {
      tools.run(base, "initdb", "-D", base.resolve("data").toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync");
    } finally {
      Files.deleteIfExists(pwfile);
    }
    IOException failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      PostgresServer server = new PostgresServer(tools, base, ownBase, freePort(), password);
      try {
        server.startServer();
        return server;
      } catch (IOException e) {
        // Another process may have taken the free port between its choice and the server's bind.
        failure = e;
        if (!server.logText().contains("could not bind") && !server.logText().contains("already in use")) {
          break;
        }
      }
    }
    if (ownBase) {
      deleteTree(base);
    }
    throw failure;
  }

  private void startServer() throws IOException, InterruptedException {
    String options = "-p " + port + " -k " + shellQuoted(base.resolve("s").toString())
        + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    try {
      tools.run(base, "pg_ctl", "-w", "-t", Long.toString(WAIT_SECONDS), "-D", data.toString(), "-l", log.toString(),
          "-o", options, "start");
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "\nserver log (" + log + "), last lines:\n" + logTail(), e);
    }
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /**
   * Stops the server for a while (a store that cannot be reached), keeping its cluster and port:
   * {@link #restart()} brings it back as it was. Connections open now are cut.
   */
  public synchronized void stop() throws IOException, InterruptedException {
    tools.run(base, "pg_ctl", "-w", "-t", Long.toString(WAIT_SECONDS), "-D", data.toString(), "-m", "fast", "stop");
    Runtime.getRuntime().removeShutdownHook(stopAtExit);
  }

  /** Starts the server {@link #stop()} stopped, on the same port. */
  public synchronized void restart() throws IOException, InterruptedException {
    startServer();
  }

  /** The port the server listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The superuser's ({@value #SUPERUSER}) password, for connections over TCP. */
  public String superuserPassword() {
    return password;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}, without a user or password. */
  public String jdbcUrl(String database) {
    return "jdbc:" + url(database);
  }

  /** The libpq connection URI {@code postgresql://127.0.0.1:PORT/DATABASE}, without a user or password. */
  public String url(String database) {
    return "postgresql://127.0.0.1:" + port + "/" + percentEncoded(database);
  }

  /** A JDBC connection to {@code database} as the superuser, with its password. */
  public Connection connect(String database) throws SQLException {
    return connect(database, SUPERUSER, password);
  }

  /** A JDBC connection to {@code database} as {@code user} with {@code password}. */
  public Connection connect(String database, String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  /** Creates a database, owned by the superuser. */
  public void createDatabase(String name) throws SQLException {
    execute("postgres", "CREATE DATABASE " + identifier(name));
  }

  /**
   * Creates a role that can log in with {@code password} (stored as scram-sha-256), then runs
   * {@code grants} (e.g. {@code GRANT CONNECT ON DATABASE d TO r}) in the database {@code postgres};
   * grants on a database's tables go through {@link #execute} on that database.
   */
  public void createRole(String name, String password, String... grants) throws SQLException {
    List<String> statements = new ArrayList<>();
    statements.add("CREATE ROLE " + identifier(name) + " LOGIN PASSWORD " + literal(password));
    statements.addAll(List.of(grants));
    execute("postgres", statements.toArray(String[]::new));
  }

  /** Runs statements in {@code database} as the superuser, in order, on one connection (autocommit). */
  public void execute(String database, String... statements) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The server's log so far, for failure messages. */
  public String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no server log at " + log + ")";
    } catch (IOException e) {
      return "(server log unreadable: " + e + ")";
    }
  }

  private String logTail() {
    List<String> lines = logText().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Stops the server ({@code pg_ctl stop -m fast}), waiting until it has, and deletes a folder of its own under /tmp. */
  @Override
  public synchronized void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook stops it
    }
    try {
      tools.run(base, "pg_ctl", "-w", "-t", Long.toString(WAIT_SECONDS), "-D", data.toString(), "-m", "fast", "stop");
    } catch (IOException e) {
      killPostmaster();
      throw new IOException(e.getMessage() + "\nserver log, last lines:\n" + logTail(), e);
    } finally {
      if (ownBase) {
        deleteTree(base);
      }
    }
  }

  private void stopQuietly() {
    try {
      tools.run(base, "pg_ctl", "-w", "-t", "10", "-D", data.toString(), "-m", "immediate", "stop");
    } catch (IOException | InterruptedException e) {
      killPostmaster();
    }
  }

  private void killPostmaster() {
    try {
      Path pidFile = data.resolve("postmaster.pid");
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | RuntimeException e) {
      // nothing more to try
    }
  }

  /** initdb, pg_ctl and postgres, and who runs them. */
  private static final class Tools {
    private final Path bin;
    private final Optional<String> runAs;

    private Tools(Path bin, Optional<String> runAs) {
      this.bin = bin;
      this.runAs = runAs;
    }

    static Tools find() throws IOException {
      Path bin = binaries().orElseThrow(() -> new AssertionError("PostgreSQL's initdb, pg_ctl and postgres are "
          + "neither on PATH nor in /usr/lib/postgresql/*/bin: apt-get install -y postgresql (.ci/run does)"));
      if (new UnixSystem().getUid() != 0) {
        return new Tools(bin, Optional.empty());
      }
      if (!Files.isExecutable(Path.of("/usr/sbin/runuser")) && !Files.isExecutable(Path.of("/sbin/runuser"))) {
        throw new AssertionError("PostgreSQL refuses to run as root, and runuser (util-linux), which would run it "
            + "as another user, is not installed");
      }
      for (String user : List.of("postgres", "nobody")) {
        if (userExists(user)) {
          return new Tools(bin, Optional.of(user));
        }
      }
      throw new AssertionError("PostgreSQL refuses to run as root, and there is neither a user postgres nor nobody "
          + "to run it as");
    }

    /** The folder of initdb, pg_ctl and postgres: where PATH has them, else the newest /usr/lib/postgresql/N/bin. */
    private static Optional<Path> binaries() throws IOException {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (!dir.isEmpty() && hasAll(Path.of(dir))) {
          return Optional.of(Path.of(dir));
        }
      }
      Path debian = Path.of("/usr/lib/postgresql");
      if (!Files.isDirectory(debian)) {
        return Optional.empty();
      }
      try (Stream<Path> versions = Files.list(debian)) {
        return versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
            .sorted(Comparator.comparingDouble((Path v) -> Double.parseDouble(v.getFileName().toString())).reversed())
            .map(v -> v.resolve("bin")).filter(Tools::hasAll).findFirst();
      }
    }

    private static boolean hasAll(Path dir) {
      return Stream.of("initdb", "pg_ctl", "postgres").allMatch(name -> Files.isExecutable(dir.resolve(name)));
    }

    private static boolean userExists(String user) {
      try {
        Process id = new ProcessBuilder("id", "-u", user).redirectErrorStream(true).start();
        id.getInputStream().readAllBytes();
        return id.waitFor(10, TimeUnit.SECONDS) && id.exitValue() == 0;
      } catch (IOException | InterruptedException e) {
        return false;
      }
    }

    /**
     * Whether the user that runs the server can reach {@code dir}: every folder above it lets others
     * through or is that user's. {@code dir} itself is the test's and is opened to it by {@link #handOver}.
     */
    boolean canReach(Path dir) throws IOException {
      if (runAs.isEmpty()) {
        return true;
      }
      for (Path p = dir.getParent(); p != null; p = p.getParent()) {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        if (!a.permissions().contains(PosixFilePermission.OTHERS_EXECUTE) && !a.owner().getName().equals(runAs.get())) {
          return false;
        }
      }
      return true;
    }

    /** Lets the user that runs the server through {@code dir} (the test's, mode 0700 as JUnit makes it) to {@code base}. */
    void handOver(Path dir, Path base) throws IOException {
      if (runAs.isEmpty()) {
        return;
      }
      for (Path p : base.startsWith(dir) ? List.of(dir, base) : List.of(base)) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
        permissions.add(PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(p, permissions);
      }
    }

    /** Gives {@code base} and what it holds to the user that runs the server. */
    void own(Path base) throws IOException {
      if (runAs.isEmpty()) {
        return;
      }
      UserPrincipal user = base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs.get());
      try (Stream<Path> all = Files.walk(base)) {
        for (Path p : all.toList()) {
          Files.setOwner(p, user);
        }
      }
      Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
    }

    /** Runs {@code tool} in {@code dir}, as the server's user; its output in the exception if it fails. */
    void run(Path dir, String tool, String... arguments) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>();
      runAs.ifPresent(user -> command.addAll(List.of("runuser", "-u", user, "--")));
      command.add(bin.resolve(tool).toString());
      command.addAll(List.of(arguments));
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
      builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
      builder.environment().put("LC_ALL", "C");
      Process process = builder.start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(WAIT_SECONDS + 30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish:\n" + output);
      }
      if (process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited with " + process.exitValue()
            + runAs.map(user -> " (run as " + user + ")").orElse("") + ":\n" + output);
      }
    }
  }

  private static boolean socketFits(Path socketDir) {
    return (socketDir + "/.s.PGSQL.65535").getBytes(StandardCharsets.UTF_8).length <= UNIX_SOCKET_PATH_MAX;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** For pg_ctl's {@code -o}, which goes through the shell. */
  private static String shellQuoted(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static String percentEncoded(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append(String.format("%%%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
