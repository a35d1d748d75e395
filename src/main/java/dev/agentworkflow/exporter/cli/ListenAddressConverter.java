package dev.agentworkflow.exporter.cli;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --web.listen-address} as official exporters take it, {@code [HOST]:PORT}: {@code :9091}
 * (every address of this host), {@code 127.0.0.1:9091}, {@code localhost:9091}, {@code [::1]:9091}
 * (an IPv6 address in brackets, as in a URL).
 */
final class ListenAddressConverter implements ITypeConverter<InetSocketAddress> {
  private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([^\\[\\]]+)]|([^\\[\\]:]*)):(\\d{1,5})");

  @Override
  public InetSocketAddress convert(String value) {
    Matcher m = HOST_PORT.matcher(value);
    if (!m.matches()) {
      throw new TypeConversionException("'" + value + "' is not [HOST]:PORT; give e.g. :9091 for every address, "
          + "127.0.0.1:9091, or [::1]:9091 (an IPv6 address goes in brackets)");
    }
    int port = Integer.parseInt(m.group(3));
    if (port > 65535) {
      throw new TypeConversionException("'" + value + "': the port must be between 0 and 65535, got " + port);
    }
    if (m.group(1) != null && !m.group(1).contains(":")) {
      throw new TypeConversionException("'" + value + "': brackets are for an IPv6 address; write "
          + m.group(1) + ":" + port);
    }
    String host = m.group(1) != null ? m.group(1) : m.group(2);
    if (host.isEmpty()) {
      return new InetSocketAddress(port);
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new TypeConversionException("'" + value + "': cannot resolve address '" + host + "'");
    }
    return address;
  }
}
