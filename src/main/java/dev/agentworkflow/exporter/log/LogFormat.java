package dev.agentworkflow.exporter.log;

import java.time.ZoneId;

/** {@code --log.format}: how an event is written, always on one line. */
public enum LogFormat {
  /** {@code time=… level=INFO source=Poller.java:120 msg="…"}, as promslog's default. */
  LOGFMT {
    @Override
    String line(LogEvent event, ZoneId zone) {
      return LogfmtLine.of(event, zone);
    }
  },
  /** One JSON object per line, the same keys, as promslog's {@code --log.format=json}. */
  JSON {
    @Override
    String line(LogEvent event, ZoneId zone) {
      return JsonLine.of(event, zone);
    }
  };

  abstract String line(LogEvent event, ZoneId zone);
}
