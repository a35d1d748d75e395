package dev.agentworkflow.exporter.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether {@code --textfile} may put the metrics at a path: an existing regular file (replaced by a
 * rename) or a new name in an existing folder. Anything else is refused and left alone: a rename
 * would replace a FIFO, a device or a symbolic link with a regular file (as root, {@code /dev/full}
 * itself), and following a link could replace whatever file it names.
 *
 * <pre>{@code
 * TextfileTarget.problem(Path.of("/dev/full"))   // Optional[it is a device, not a regular file]
 * }</pre>
 */
public final class TextfileTarget {
  private static final int TYPE_BITS = 0170000;
  private static final int FIFO = 0010000;
  private static final int CHARACTER_DEVICE = 0020000;
  private static final int BLOCK_DEVICE = 0060000;
  private static final int SOCKET = 0140000;

  private TextfileTarget() {}

  /** Why the metrics cannot be written to {@code target}, as a phrase; empty when they can. */
  public static Optional<String> problem(Path target) throws IOException {
    Path folder = target.toAbsolutePath().getParent();
    Path shownFolder = target.getParent() != null ? target.getParent() : folder;
    if (!Files.exists(folder)) {
      return Optional.of("the folder " + shownFolder + " does not exist");
    }
    if (!Files.isDirectory(folder)) {
      return Optional.of(shownFolder + " is not a folder");
    }
    if (Files.isSymbolicLink(target)) {
      return Optional.of("it is a symbolic link (to " + (Files.exists(target) ? kind(target, true) : "nothing")
          + "), not a regular file");
    }
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    String kind = kind(target, false);
    return Optional.of("it is " + (kind.equals("something else") ? "not a regular file" : kind + ", not a regular file"));
  }

  private static String kind(Path path, boolean followLinks) throws IOException {
    LinkOption[] options = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    if (Files.isRegularFile(path, options)) {
      return "a regular file";
    }
    if (Files.isDirectory(path, options)) {
      return "a directory";
    }
    int mode;
    try {
      mode = (Integer) Files.getAttribute(path, "unix:mode", options);
    } catch (UnsupportedOperationException | IllegalArgumentException notUnix) {
      return "something else";
    } catch (NoSuchFileException gone) {
      return "nothing";
    }
    return switch (mode & TYPE_BITS) {
      case FIFO -> "a FIFO";
      case CHARACTER_DEVICE, BLOCK_DEVICE -> "a device";
      case SOCKET -> "a socket";
      default -> "something else";
    };
  }
}
