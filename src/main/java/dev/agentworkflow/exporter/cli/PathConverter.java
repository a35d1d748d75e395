package dev.agentworkflow.exporter.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A path option's value: never empty (an empty path would mean the working directory), and one the
 * JVM can name. Java encodes file names in the locale's character set ({@code sun.jnu.encoding}):
 * under {@code LANG=C} that is ASCII, and a path with any other character cannot be opened at all.
 */
final class PathConverter implements ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    if (value.isEmpty()) {
      throw new TypeConversionException("the path is empty");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new TypeConversionException(unrepresentable(value));
    }
  }

  /** The one line for a path the JVM cannot encode, with the remedy. */
  static String unrepresentable(String path) {
    return "cannot use the path " + path + ": this JVM encodes file names in "
        + System.getProperty("sun.jnu.encoding", "its locale's character set")
        + ", as the locale says, which cannot represent it; run it in a UTF-8 locale, e.g. LANG=C.UTF-8";
  }
}
