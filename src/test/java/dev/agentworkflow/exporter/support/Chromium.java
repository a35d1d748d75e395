package dev.agentworkflow.exporter.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, as a user's browser would load a page: {@link #dom} is the document
 * after it was parsed and rendered, {@link #screenshot} a PNG of it. Each run has a profile of its
 * own in a new empty folder and reaches out for nothing (no updates, sync or background requests),
 * so it runs on a machine without network; {@code --no-sandbox} because CI runs as root, where
 * chromium's sandbox refuses to start.
 */
public final class Chromium {
  private static final long TIMEOUT_SECONDS = 120;

  private final String binary;
  private final Path workDir;

  /** @param workDir where each run's profile folder and log go; skips the test if chromium is not installed */
  public Chromium(Path workDir) {
    this.binary = Binaries.require("chromium");
    this.workDir = workDir;
  }

  /** The rendered DOM of {@code url}, serialised as HTML ({@code --dump-dom}). */
  public String dom(String url) throws IOException, InterruptedException {
    return new String(run("--dump-dom", url), StandardCharsets.UTF_8);
  }

  /** Saves a PNG of {@code url} as a 1200×900 window shows it. */
  public void screenshot(String url, Path png) throws IOException, InterruptedException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.deleteIfExists(png);
    run("--screenshot=" + png.toAbsolutePath(), "--window-size=1200,900", "--hide-scrollbars", url);
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      throw new AssertionError("chromium wrote no screenshot to " + png);
    }
  }

  private byte[] run(String... arguments) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
    Path log = Files.createTempFile(workDir, "chromium-", ".log");
    List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile));
    command.addAll(List.of(arguments));
    Path out = Files.createTempFile(workDir, "chromium-", ".out");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    process.getOutputStream().close();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s; its log:\n"
          + Files.readString(log));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("chromium exited with " + process.exitValue() + "; its log:\n" + Files.readString(log));
    }
    return Files.readAllBytes(out);
  }
}
