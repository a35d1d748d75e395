package dev.agentworkflow.exporter.cli;

import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A path option's value: never empty (an empty path would mean the working directory). */
final class PathConverter implements ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    if (value.isEmpty()) {
      throw new TypeConversionException("the path is empty");
    }
    return Path.of(value);
  }
}
