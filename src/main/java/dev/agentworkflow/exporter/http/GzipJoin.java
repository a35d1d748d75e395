package dev.agentworkflow.exporter.http;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One gzip member made of a beginning compressed once and kept, and an end compressed per answer:
 * the cached workflow exposition, then the few {@code process_*} and {@code jvm_*} lines read at
 * each scrape. The beginning is deflated with a sync flush, which ends it on a byte boundary with
 * no final block, so a second deflate stream can follow it; the CRC of the whole is combined from
 * the two parts' CRCs without reading the beginning again. A scrape so compresses a few KB, not
 * the whole exposition.
 *
 * <pre>{@code
 * GzipJoin.Start start = GzipJoin.start(cachedBytes);   // once per poll
 * byte[] body = GzipJoin.join(start, freshBytes);       // per scrape; gunzips to cachedBytes + freshBytes
 * }</pre>
 */
final class GzipJoin {
  /** The fixed header of a gzip member: deflate, no flags, no time, no extra fields (as GZIPOutputStream writes). */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};
  /** The CRC-32 polynomial, reflected. */
  private static final int POLYNOMIAL = 0xedb88320;
  /** x^(2^k) modulo the polynomial, for k = 0..31: the powers that {@link #combine} multiplies by. */
  private static final int[] X_TO_2_TO_THE = powers();

  /**
   * The beginning of a member.
   *
   * @param deflated the plain bytes deflated, sync-flushed, without a final block
   * @param crc their CRC-32
   * @param length their number
   */
  record Start(byte[] deflated, int crc, long length) {}

  private GzipJoin() {}

  static Start start(byte[] plain) {
    StartWriter writer = new StartWriter();
    writer.write(plain, 0, plain.length);
    return writer.finish();
  }

  /**
   * A {@link Start} written to as a stream, so that an exposition of tens of MB is never held
   * plain: only its deflated bytes (some 4% of it) are kept.
   */
  static final class StartWriter extends OutputStream {
    // the fastest level: 50 databases' 30 MB took most of a second at the default level, and the
    // kept bytes are only a little larger
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    private final CRC32 crc = new CRC32();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    private final byte[] buffer = new byte[16 * 1024];
    private long length;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) {
      crc.update(bytes, offset, count);
      length += count;
      deflater.setInput(bytes, offset, count);
      while (!deflater.needsInput()) {
        out.write(buffer, 0, deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH));
      }
    }

    /** The beginning, sync-flushed; the writer is done with. */
    Start finish() {
      try {
        int n;
        do { // a sync flush is complete when it leaves room in the buffer
          n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
          out.write(buffer, 0, n);
        } while (n == buffer.length);
        return new Start(out.toByteArray(), (int) crc.getValue(), length);
      } finally {
        deflater.end();
      }
    }
  }

  /** The plain bytes of {@code start}, then {@code end}: for a client that does not take gzip. */
  static byte[] plain(Start start, byte[] end) {
    if (start.length() + end.length > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("an exposition of " + start.length() + " bytes");
    }
    byte[] plain = new byte[(int) start.length() + end.length];
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(start.deflated());
      int done = 0;
      while (done < start.length()) {
        int n = inflater.inflate(plain, done, (int) start.length() - done);
        if (n == 0 && (inflater.needsInput() || inflater.finished())) {
          throw new IllegalStateException("the kept exposition is shorter than its length");
        }
        done += n;
      }
    } catch (DataFormatException e) {
      throw new IllegalStateException("the kept exposition does not inflate", e);
    } finally {
      inflater.end();
    }
    System.arraycopy(end, 0, plain, (int) start.length(), end.length);
    return plain;
  }

  /** A whole gzip member: {@code start}'s bytes, then {@code end}. */
  static byte[] join(Start start, byte[] end) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER.length + start.deflated().length + end.length / 4 + 64);
    out.writeBytes(HEADER);
    out.writeBytes(start.deflated());
    try {
      deflater.setInput(end);
      deflater.finish();
      byte[] buffer = new byte[8 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
    } finally {
      deflater.end();
    }
    CRC32 crc = new CRC32();
    crc.update(end);
    writeIntLittleEndian(out, combine(start.crc(), (int) crc.getValue(), end.length));
    writeIntLittleEndian(out, (int) (start.length() + end.length)); // ISIZE: the length modulo 2^32
    return out.toByteArray();
  }

  /**
   * The CRC-32 of {@code a} followed by {@code b}, from their CRCs and the length of {@code b}:
   * zlib's {@code crc32_combine}. Appending {@code length} zero bytes multiplies a CRC by
   * x^(8·length) modulo the polynomial; the powers x^(2^k) are kept, so that takes 64 products at most.
   */
  static int combine(int crcA, int crcB, long lengthB) {
    return multiply(xToThe8Times(lengthB), crcA) ^ crcB;
  }

  /** x^(8·n) modulo the polynomial, from the binary digits of n (k starts at 3: 8 = 2^3). */
  private static int xToThe8Times(long n) {
    int product = 1 << 31; // x^0, in the reflected order where bit 31 is the lowest power
    for (int k = 3; n != 0; n >>>= 1, k++) {
      if ((n & 1) != 0) {
        product = multiply(X_TO_2_TO_THE[k & 31], product);
      }
    }
    return product;
  }

  /** a·b modulo the polynomial, both reflected. */
  private static int multiply(int a, int b) {
    int product = 0;
    for (int bit = 1 << 31; bit != 0; bit >>>= 1) {
      if ((a & bit) != 0) {
        product ^= b;
      }
      b = (b & 1) != 0 ? (b >>> 1) ^ POLYNOMIAL : b >>> 1;
    }
    return product;
  }

  private static int[] powers() {
    int[] powers = new int[32];
    int p = 1 << 30; // x^1
    powers[0] = p;
    for (int k = 1; k < 32; k++) {
      p = multiply(p, p);
      powers[k] = p;
    }
    return powers;
  }

  private static void writeIntLittleEndian(ByteArrayOutputStream out, int value) {
    out.write(value);
    out.write(value >>> 8);
    out.write(value >>> 16);
    out.write(value >>> 24);
  }
}
