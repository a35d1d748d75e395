package dev.agentworkflow.exporter.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads HTTP/1.x requests off a connection's bytes as they arrive, one after the other. A body
 * (Content-Length only) is read and dropped; anything this server does not need to understand is
 * refused rather than guessed at: a chunked body, an oversized head or body, a malformed line.
 * Bytes after a complete request stay in the buffer for the next one.
 */
final class RequestParser {
  /** What one call made of the bytes so far. */
  sealed interface Result permits NeedMore, Complete, Malformed {}

  /** The request is not complete yet. */
  record NeedMore() implements Result {}

  record Complete(Request request) implements Result {}

  /** The request cannot be served; answer {@code status} and close the connection. */
  record Malformed(int status, String reason) implements Result {}

  private static final NeedMore NEED_MORE = new NeedMore();
  private static final int MAX_HEADERS = 100;

  private final int maxHeadBytes;
  private final long maxBodyBytes;
  private Request head;
  private long bodyLeft;

  RequestParser(int maxHeadBytes, long maxBodyBytes) {
    this.maxHeadBytes = maxHeadBytes;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Whether part of a request has arrived: its deadline runs from then. */
  boolean inProgress(ByteBuffer in) {
    return head != null || in.hasRemaining();
  }

  /** Consumes what it can of {@code in} (read mode) and says what it made of it. */
  Result parse(ByteBuffer in) {
    if (head == null) {
      skipEmptyLines(in);
      int end = endOfHead(in);
      if (end < 0) {
        return in.remaining() >= maxHeadBytes ? tooLarge() : NEED_MORE;
      }
      if (end - in.position() > maxHeadBytes) {
        return tooLarge();
      }
      byte[] bytes = new byte[end - in.position()];
      in.get(bytes);
      Result parsed = parseHead(new String(bytes, StandardCharsets.ISO_8859_1));
      if (!(parsed instanceof Complete complete)) {
        return parsed;
      }
      Result body = bodyLength(complete.request());
      if (body != null) {
        return body;
      }
      head = complete.request();
    }
    int skip = (int) Math.min(bodyLeft, in.remaining());
    in.position(in.position() + skip);
    bodyLeft -= skip;
    if (bodyLeft > 0) {
      return NEED_MORE;
    }
    Request request = head;
    head = null;
    return new Complete(request);
  }

  private Malformed tooLarge() {
    return new Malformed(431, "request head larger than " + maxHeadBytes + " bytes");
  }

  /** RFC 9112 2.2: a server should ignore empty lines before a request line. */
  private static void skipEmptyLines(ByteBuffer in) {
    while (in.hasRemaining() && (in.get(in.position()) == '\r' || in.get(in.position()) == '\n')) {
      in.position(in.position() + 1);
    }
  }

  /** The index just past the blank line that ends the head, or -1 when it has not arrived. */
  private static int endOfHead(ByteBuffer in) {
    for (int i = in.position(); i < in.limit(); i++) {
      if (in.get(i) != '\n') {
        continue;
      }
      if (i + 1 < in.limit() && in.get(i + 1) == '\n') {
        return i + 2;
      }
      if (i + 2 < in.limit() && in.get(i + 1) == '\r' && in.get(i + 2) == '\n') {
        return i + 3;
      }
    }
    return -1;
  }

  private Result bodyLength(Request request) {
    if (!request.joined("Transfer-Encoding").isEmpty()) {
      return new Malformed(411, "a request body must be sent with Content-Length");
    }
    List<String> lengths = request.headers().getOrDefault("content-length", List.of());
    long length = 0;
    for (String value : lengths) {
      for (String part : value.split(",", -1)) {
        long parsed = parseLength(part.strip());
        if (parsed < 0 || (length != 0 && parsed != length)) {
          return new Malformed(400, "invalid Content-Length");
        }
        length = parsed;
      }
    }
    if (length > maxBodyBytes) {
      return new Malformed(413, "request body larger than " + maxBodyBytes + " bytes");
    }
    bodyLeft = length;
    return null;
  }

  private static long parseLength(String digits) {
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Long.parseLong(digits);
  }

  private static Result parseHead(String text) {
    String[] lines = text.split("\r?\n", -1);
    String[] requestLine = lines[0].split(" ", -1);
    if (requestLine.length != 3 || !isToken(requestLine[0]) || requestLine[1].isEmpty()) {
      return new Malformed(400, "malformed request line");
    }
    String version = requestLine[2];
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      return version.matches("HTTP/\\d\\.\\d")
          ? new Malformed(505, "only HTTP/1.0 and HTTP/1.1 are served")
          : new Malformed(400, "malformed request line");
    }
    String target = requestLine[1];
    if (!target.startsWith("/")) {
      int scheme = target.indexOf("://");
      if (scheme < 0) {
        return new Malformed(400, "the request target must be a path");
      }
      int slash = target.indexOf('/', scheme + 3);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    if (target.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      return new Malformed(400, "the request target holds characters that must be escaped");
    }
    int hash = target.indexOf('#');
    if (hash >= 0) {
      target = target.substring(0, hash);
    }
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    String query = question < 0 ? "" : target.substring(question + 1);

    Map<String, List<String>> headers = new LinkedHashMap<>();
    int count = 0;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue; // the blank line(s) that end the head
      }
      if (++count > MAX_HEADERS) {
        return new Malformed(431, "more than " + MAX_HEADERS + " header fields");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line.substring(0, colon))) {
        return new Malformed(400, "malformed header field");
      }
      String value = line.substring(colon + 1).strip();
      if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
        return new Malformed(400, "a header value holds a control character");
      }
      headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    }
    return new Complete(new Request(requestLine[0], path, query, version.equals("HTTP/1.1"), headers));
  }

  /** RFC 9110 5.6.2: the characters of a method or a header name. */
  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
