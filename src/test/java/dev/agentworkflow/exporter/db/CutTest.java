package dev.agentworkflow.exporter.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.db.TableReader.Cut;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each cut gives, in SQLite, what its rule says in characters, for values just under, at and over
 * its lengths, in characters of one to four bytes: the cuts test a value's bytes before its
 * characters, and must decide as the characters do.
 */
class CutTest {
  private static final String[] CHARACTERS = {"a", "é", "語", "😀"};
  private static final int[] LENGTHS = {0, 1, 64, 65, 66, 85, 86, 106, 107, 256, 257, 258, 320, 321, 1000};

  @TempDir
  Path dir;

  @Test
  void textIsCutByItsCharactersWhateverTheirBytes() throws Exception {
    List<String> values = new ArrayList<>();
    for (String character : CHARACTERS) {
      for (int length : LENGTHS) {
        values.add(character.repeat(length));
        values.add("x" + character.repeat(Math.max(0, length - 1))); // a wide character after an ASCII one
      }
    }
    try (Connection c = database()) {
      for (String value : values) {
        assertEquals(label(value), select(c, Cut.LABEL, value), () -> "LABEL of " + describe(value));
        assertEquals(identity(value), select(c, Cut.IDENTITY, value), () -> "IDENTITY of " + describe(value));
        assertEquals(shortText(value), select(c, Cut.SHORT, value), () -> "SHORT of " + describe(value));
      }
    }
  }

  @Test
  void numbersStayNumbersAndNullStaysNull() throws Exception {
    try (Connection c = database()) {
      for (Cut cut : new Cut[] {Cut.LABEL, Cut.IDENTITY, Cut.SHORT}) {
        assertEquals(null, select(c, cut, null), cut + " of NULL");
      }
      // a label or an identity is read as text: a number reads as SQLite writes it
      assertEquals("42", select(c, Cut.LABEL, 42L));
      assertEquals("1.0e+300", select(c, Cut.IDENTITY, 1e300));
      // a time or a duration keeps its type: the counting rules take a number as a number
      assertEquals(17552594075L, select(c, Cut.SHORT, 17552594075L));
      assertEquals(12.5, select(c, Cut.SHORT, 12.5));
      byte[] blob = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
      assertArrayEquals(blob, (byte[]) select(c, Cut.SHORT, blob), "a blob is no text: SHORT leaves it");
    }
  }

  private Connection database() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cuts.db"));
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v)");
    }
    return c;
  }

  /** The value as the cut selects it from a row holding {@code value}, fetched as the readers fetch it. */
  private static Object select(Connection c, Cut cut, Object value) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("DELETE FROM t");
    }
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      insert.setObject(1, value);
      insert.executeUpdate();
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + cut.select("v", null) + " FROM t")) {
      rs.next();
      return cut == Cut.SHORT ? rs.getObject(1) : rs.getString(1);
    }
  }

  private static String label(String value) {
    return first(value, TableReader.MAX_LABEL_LENGTH + 1);
  }

  private static String identity(String value) {
    int characters = value.codePointCount(0, value.length());
    if (characters <= 320) {
      return value;
    }
    return first(value, 256) + " [" + characters + " characters] " + value.substring(value.offsetByCodePoints(value.length(), -64));
  }

  private static String shortText(String value) {
    return first(value, TableReader.MAX_SHORT_LENGTH + 1);
  }

  private static String first(String value, int characters) {
    return value.codePointCount(0, value.length()) <= characters ? value : value.substring(0, value.offsetByCodePoints(0, characters));
  }

  private static String describe(String value) {
    return value.codePointCount(0, value.length()) + " characters, " + value.getBytes(StandardCharsets.UTF_8).length + " bytes";
  }
}
