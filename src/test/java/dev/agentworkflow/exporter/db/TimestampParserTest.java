package dev.agentworkflow.exporter.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampParserTest {
  // 2025-08-15T12:03:27Z; Berlin is UTC+2 in August
  private static final double NOON_UTC = 1755259407.0;
  private final TimestampParser berlin = new TimestampParser(ZoneId.of("Europe/Berlin"));

  @Test
  void pythonIsoformatIsLocalTimeInTheConfiguredZone() {
    assertEquals(NOON_UTC + 0.512093, berlin.epochSeconds("2025-08-15T14:03:27.512093"), 1e-6);
    assertEquals(NOON_UTC, berlin.epochSeconds("2025-08-15T14:03:27"), 0);
  }

  @Test
  void sqliteCurrentTimestampIsAlsoReadInTheConfiguredZone() {
    assertEquals(NOON_UTC, berlin.epochSeconds("2025-08-15 14:03:27"), 0);
    assertEquals(NOON_UTC, new TimestampParser(ZoneId.of("UTC")).epochSeconds("2025-08-15 12:03:27"), 0);
  }

  @Test
  void offsetsAndZAreAbsolute() {
    assertEquals(NOON_UTC, berlin.epochSeconds("2025-08-15T12:03:27Z"), 0);
    assertEquals(NOON_UTC, berlin.epochSeconds("2025-08-15T07:03:27-05:00"), 0);
    assertEquals(NOON_UTC, berlin.epochSeconds("2025-08-15T17:33:27+0530"), 0);
    assertEquals(NOON_UTC, berlin.epochSeconds("2025-08-15T15:03:27+03"), 0);
    assertEquals(NOON_UTC + 0.25, berlin.epochSeconds("2025-08-15 12:03:27.25+00:00"), 1e-9);
  }

  @Test
  void numbersAreEpochSeconds() {
    assertEquals(NOON_UTC, berlin.epochSeconds(1755259407L), 0);
    assertEquals(NOON_UTC + 0.5, berlin.epochSeconds(1755259407.5), 0);
    assertEquals(NOON_UTC, berlin.epochSeconds(1755259407), 0);
    assertEquals(NOON_UTC, berlin.epochSeconds("1755259407"), 0);
  }

  @Test
  void minutesWithoutSecondsAndTheWinterOffset() {
    // Berlin is UTC+1 in January
    assertEquals(1736942580.0, berlin.epochSeconds("2025-01-15T13:03"), 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "yesterday", "2025-08-15", "2025-13-15T14:03:27", "2025-02-30T10:00:00",
      "2025-08-15T25:00:00", "2025-08-15X14:03:27", "2025-08-15T14:03:27.", "2025-08-15T14:03:27 CEST",
      "2025-08-15T14:03:27+5", "NaN", "Infinity", "0x10", "2025/08/15 14:03:27"})
  void anythingElseIsUnknown(String text) {
    assertTrue(Double.isNaN(berlin.epochSeconds(text)), text);
  }

  @Test
  void nullAndNonFiniteAreUnknown() {
    assertTrue(Double.isNaN(berlin.epochSeconds(null)));
    assertTrue(Double.isNaN(berlin.epochSeconds(Double.NaN)));
    assertTrue(Double.isNaN(berlin.epochSeconds(Double.POSITIVE_INFINITY)));
    assertTrue(Double.isNaN(berlin.epochSeconds(new byte[] {1, 2})));
  }
}
